// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Test code: narrowing casts here are on values already reduced to the target range.
// forge-lint: disable-start(unsafe-typecast)

import {MerklePatricia} from "../../src/libraries/MerklePatricia.sol";
import {StorageProof} from "../../src/libraries/StorageProof.sol";
import {ProofHarness} from "../harness/ProofHarness.sol";
import {RLPTestEncoder} from "../lib/RLPTestEncoder.sol";
import {Test} from "../lib/Test.sol";

/// @notice Differential tests against proofs made by other implementations: random tries built
///         with the ethereumjs trie (mpt-cases.json) and anvil's eth_getProof (anvil.json), both from
///         scripts/gen-proof-fixtures.ts. Plus mutation fuzzing of those proofs.
contract MerklePatriciaFixturesTest is Test {
    struct Case {
        bytes32 root;
        bytes32 path;
        bool exists;
        bytes value;
        bytes[] nodes;
    }

    ProofHarness internal h;
    Case[] internal _cases;

    function setUp() public {
        h = new ProofHarness();
        string memory json = vm.readFile("test/fixtures/mpt-cases.json");
        uint256 count = vm.parseJsonUint(json, ".count");
        for (uint256 i; i < count; ++i) {
            string memory p = string.concat(".cases[", vm.toString(i), "]");
            Case storage c = _cases.push();
            c.root = vm.parseJsonBytes32(json, string.concat(p, ".root"));
            c.path = vm.parseJsonBytes32(json, string.concat(p, ".path"));
            c.exists = vm.parseJsonBool(json, string.concat(p, ".exists"));
            c.value = vm.parseJsonBytes(json, string.concat(p, ".value"));
            bytes[] memory nodes = vm.parseJsonBytesArray(json, string.concat(p, ".proof"));
            for (uint256 j; j < nodes.length; ++j) {
                c.nodes.push(nodes[j]);
            }
        }
        // anvil storage proofs (present and absent slots), keyed by keccak(slot)
        json = vm.readFile("test/fixtures/anvil.json");
        bytes32 storageRoot = vm.parseJsonBytes32(json, ".contract.storageRoot");
        for (uint256 i;; ++i) {
            string memory p = string.concat(".contract.storage[", vm.toString(i), "]");
            bytes[] memory nodes;
            try vm.parseJsonBytesArray(json, string.concat(p, ".proof")) returns (bytes[] memory n) {
                nodes = n;
            } catch {
                break;
            }
            bytes32 slot = vm.parseJsonBytes32(json, string.concat(p, ".slot"));
            bytes32 value = vm.parseJsonBytes32(json, string.concat(p, ".value"));
            Case storage c = _cases.push();
            c.root = storageRoot;
            c.path = keccak256(abi.encode(slot));
            c.exists = value != 0;
            c.value = value != 0 ? RLPTestEncoder.encodeUint(uint256(value)) : bytes("");
            for (uint256 j; j < nodes.length; ++j) {
                c.nodes.push(nodes[j]);
            }
        }
    }

    function _proof(Case storage c) internal view returns (bytes memory) {
        return RLPTestEncoder.concat(c.nodes);
    }

    // ---------------------------------------------------------------- differential

    function test_get_ethereumjsAndAnvilFixtures_succeeds() public view {
        vm.assertGt(_cases.length, 100);
        uint256 absent;
        for (uint256 i; i < _cases.length; ++i) {
            Case storage c = _cases[i];
            (bool exists, bytes memory value) = h.get(c.root, c.path, _proof(c));
            vm.assertEq(exists, c.exists);
            vm.assertEq(value, c.value);
            if (!exists) ++absent;
        }
        vm.assertGt(absent, 20);
    }

    function test_verifyStorage_ethereumjsSecureTrie_succeeds() public view {
        string memory json = vm.readFile("test/fixtures/mpt-cases.json");
        uint256 count = vm.parseJsonUint(json, ".storageCount");
        for (uint256 i; i < count; ++i) {
            string memory p = string.concat(".storage[", vm.toString(i), "]");
            bytes32 got = h.verifyStorage(
                vm.parseJsonBytes32(json, string.concat(p, ".storageRoot")),
                vm.parseJsonBytes32(json, string.concat(p, ".slot")),
                RLPTestEncoder.concat(vm.parseJsonBytesArray(json, string.concat(p, ".proof")))
            );
            vm.assertEq(got, vm.parseJsonBytes32(json, string.concat(p, ".value")));
        }
    }

    function test_verifyAccount_anvilContract_succeeds() public view {
        string memory json = vm.readFile("test/fixtures/anvil.json");
        StorageProof.Account memory a = h.verifyAccount(
            vm.parseJsonBytes32(json, ".block.stateRoot"),
            vm.parseJsonAddress(json, ".contract.address"),
            RLPTestEncoder.concat(vm.parseJsonBytesArray(json, ".contract.accountProof"))
        );
        vm.assertTrue(a.exists);
        vm.assertEq(a.nonce, vm.parseJsonUint(json, ".contract.nonce"));
        vm.assertEq(a.balance, vm.parseJsonUint(json, ".contract.balance"));
        vm.assertEq(a.storageRoot, vm.parseJsonBytes32(json, ".contract.storageRoot"));
        vm.assertEq(a.codeHash, vm.parseJsonBytes32(json, ".contract.codeHash"));
    }

    function test_verifyAccount_anvilEoa_succeeds() public view {
        string memory json = vm.readFile("test/fixtures/anvil.json");
        StorageProof.Account memory a = h.verifyAccount(
            vm.parseJsonBytes32(json, ".block.stateRoot"),
            vm.parseJsonAddress(json, ".eoa.address"),
            RLPTestEncoder.concat(vm.parseJsonBytesArray(json, ".eoa.accountProof"))
        );
        vm.assertTrue(a.exists);
        vm.assertEq(a.nonce, vm.parseJsonUint(json, ".eoa.nonce"));
        vm.assertEq(a.balance, vm.parseJsonUint(json, ".eoa.balance"));
        vm.assertEq(a.storageRoot, MerklePatricia.EMPTY_TRIE_ROOT);
        vm.assertEq(a.codeHash, keccak256(""));
    }

    function test_verifyAccount_anvilMissingAccount_succeeds() public view {
        string memory json = vm.readFile("test/fixtures/anvil.json");
        StorageProof.Account memory a = h.verifyAccount(
            vm.parseJsonBytes32(json, ".block.stateRoot"),
            vm.parseJsonAddress(json, ".absentAccount.address"),
            RLPTestEncoder.concat(vm.parseJsonBytesArray(json, ".absentAccount.accountProof"))
        );
        vm.assertFalse(a.exists);
        vm.assertEq(a.nonce, 0);
        vm.assertEq(a.balance, 0);
        vm.assertEq(a.storageRoot, MerklePatricia.EMPTY_TRIE_ROOT);
        vm.assertEq(a.codeHash, keccak256(""));
    }

    function test_verifyStorage_anvilSlots_succeeds() public view {
        string memory json = vm.readFile("test/fixtures/anvil.json");
        bytes32 storageRoot = vm.parseJsonBytes32(json, ".contract.storageRoot");
        uint256 zeros;
        for (uint256 i;; ++i) {
            string memory p = string.concat(".contract.storage[", vm.toString(i), "]");
            bytes[] memory nodes;
            try vm.parseJsonBytesArray(json, string.concat(p, ".proof")) returns (bytes[] memory n) {
                nodes = n;
            } catch {
                break;
            }
            bytes32 value = vm.parseJsonBytes32(json, string.concat(p, ".value"));
            bytes32 got = h.verifyStorage(
                storageRoot, vm.parseJsonBytes32(json, string.concat(p, ".slot")), RLPTestEncoder.concat(nodes)
            );
            vm.assertEq(got, value);
            if (value == 0) ++zeros;
        }
        vm.assertGt(zeros, 2);
    }

    // ---------------------------------------------------------------- mutation fuzzing

    /// A mutated proof (byte flipped, truncated, extended, nodes swapped / dropped / duplicated /
    /// inserted) either reverts or proves exactly what the original proves. (It can still verify
    /// when the mutation is a no-op or removes a repeated embedded node, which is optional.)
    function testFuzz_get_mutatedProof_revertsOrSameResult_succeeds(uint256 which, uint256 op, uint256 a, uint256 b)
        public
        view
    {
        Case storage c = _cases[bound(which, 0, _cases.length - 1)];
        bytes memory mutated = _mutate(c.nodes, op % 7, a, b);
        try h.get(c.root, c.path, mutated) returns (bool exists, bytes memory value) {
            vm.assertEq(exists, c.exists);
            vm.assertEq(value, c.value);
        } catch {}
    }

    /// Flipping any single bit of any node of a proof is always detected.
    function testFuzz_get_bitFlip_reverts(uint256 which, uint256 pos, uint8 bit) public {
        Case storage c = _cases[bound(which, 0, _cases.length - 1)];
        bytes memory proof = _proof(c);
        pos = bound(pos, 0, proof.length - 1);
        proof[pos] = proof[pos] ^ bytes1(uint8(1) << (bit % 8));
        // A flip in a hashed node breaks its hash (or its framing); a flip in a repeated embedded
        // node makes the copy differ from the embedded node, so it is left over as a trailing node.
        vm.expectRevert();
        h.get(c.root, c.path, proof);
    }

    function _mutate(bytes[] storage nodes, uint256 op, uint256 a, uint256 b) internal view returns (bytes memory) {
        uint256 n = nodes.length;
        bytes memory proof = RLPTestEncoder.concat(nodes);
        if (op == 0) {
            // flip a byte
            uint256 pos = a % proof.length;
            proof[pos] = proof[pos] ^ bytes1(uint8(b % 255 + 1));
            return proof;
        }
        if (op == 1) {
            // truncate
            uint256 len = a % proof.length;
            assembly ("memory-safe") {
                mstore(proof, len)
            }
            return proof;
        }
        if (op == 2) {
            // extend with junk
            return bytes.concat(proof, abi.encodePacked(keccak256(abi.encode(a, b))), bytes1(uint8(b)));
        }
        bytes[] memory out;
        if (op == 3 && n > 1) {
            // swap two nodes
            out = _copy(nodes);
            uint256 i = a % n;
            uint256 j = (i + 1 + b % (n - 1)) % n;
            (out[i], out[j]) = (out[j], out[i]);
        } else if (op == 4) {
            // drop a node
            uint256 drop = a % n;
            out = new bytes[](n - 1);
            for (uint256 i; i < n - 1; ++i) {
                out[i] = nodes[i < drop ? i : i + 1];
            }
        } else if (op == 5) {
            // duplicate a node
            uint256 dup = a % n;
            out = new bytes[](n + 1);
            for (uint256 i; i <= n; ++i) {
                out[i] = nodes[i <= dup ? i : i - 1];
            }
        } else {
            // insert a random well-formed list node
            uint256 at = a % (n + 1);
            bytes[] memory items = new bytes[](2);
            items[0] =
                RLPTestEncoder.encodeBytes(abi.encodePacked(uint8(0x20 + b % 2), bytes16(keccak256(abi.encode(b)))));
            items[1] = RLPTestEncoder.encodeBytes(abi.encodePacked(keccak256(abi.encode(a))));
            out = new bytes[](n + 1);
            for (uint256 i; i <= n; ++i) {
                out[i] = i == at ? RLPTestEncoder.encodeList(items) : nodes[i < at ? i : i - 1];
            }
        }
        return RLPTestEncoder.concat(out);
    }

    function _copy(bytes[] storage nodes) internal view returns (bytes[] memory out) {
        out = new bytes[](nodes.length);
        for (uint256 i; i < nodes.length; ++i) {
            out[i] = nodes[i];
        }
    }
}
// forge-lint: disable-end(unsafe-typecast)
