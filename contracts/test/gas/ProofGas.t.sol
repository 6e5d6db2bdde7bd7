// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ProofHarness} from "../harness/ProofHarness.sol";
import {RLPTestEncoder} from "../lib/RLPTestEncoder.sol";
import {Test} from "../lib/Test.sol";

/// @notice OP's SecureMerkleTrie.get behind an external function (bytecode compiled by
///         scripts/lib/opBaseline.ts from the unmodified contracts-bedrock sources).
interface ISecureMerkleTrieBaseline {
    function get(bytes memory key, bytes[] memory proof, bytes32 root) external pure returns (bytes memory);
    function getGas(bytes memory key, bytes[] memory proof, bytes32 root)
        external
        view
        returns (bytes memory value, uint256 gasUsed);
}

/// @notice Gas of our verifier against OP's SecureMerkleTrie on the same synthesized
///         mainnet-shaped proofs (mainnet-shaped.json: a 9-node account proof of full 532-byte
///         branches and a 6-node storage proof, from precompiles/storage-proof/testing/synthProof.ts).
///
///         "Inner" figures are measured inside the callee around the library call: for OP that
///         excludes ABI-decoding the bytes[] proof into memory, for us there is nothing to decode.
///         "Call" figures are the whole external call (our proof stays in calldata; OP's is copied
///         into memory by the ABI decoder).
contract ProofGasTest is Test {
    ProofHarness internal h;
    ISecureMerkleTrieBaseline internal op;

    bytes32 internal stateRoot;
    address internal account;
    bytes[] internal accountProof;
    bytes32 internal slot;
    bytes[] internal storageProof;
    bytes32 internal value;
    bytes32 internal storageRoot;

    function setUp() public {
        h = new ProofHarness();
        op = ISecureMerkleTrieBaseline(address(0x0b5e11e));
        vm.etch(address(op), vm.parseJsonBytes(vm.readFile("test/fixtures/op-baseline.json"), ".deployedBytecode"));

        string memory json = vm.readFile("test/fixtures/mainnet-shaped.json");
        stateRoot = vm.parseJsonBytes32(json, ".stateRoot");
        account = vm.parseJsonAddress(json, ".address");
        accountProof = vm.parseJsonBytesArray(json, ".accountProof");
        slot = vm.parseJsonBytes32(json, ".slot");
        storageProof = vm.parseJsonBytesArray(json, ".storageProof");
        value = vm.parseJsonBytes32(json, ".value");
        storageRoot = vm.parseJsonBytes32(json, ".storageRoot");
    }

    function test_gas_mainnetShapedPair_atMostOneThirdOfSecureMerkleTrie_succeeds() public {
        vm.assertEq(accountProof.length, 9);
        vm.assertEq(storageProof.length, 6);
        bytes memory accountProofBytes = RLPTestEncoder.concat(accountProof);
        bytes memory storageProofBytes = RLPTestEncoder.concat(storageProof);

        // ours
        uint256 callStart = gasleft();
        (uint256 oursInner, bytes32 got) =
            h.accountAndStorageGas(stateRoot, account, accountProofBytes, slot, storageProofBytes);
        uint256 oursCall = callStart - gasleft();
        vm.assertEq(got, value);

        // OP SecureMerkleTrie: the account, then the slot against the account's storage root
        bytes memory accountKey = abi.encodePacked(account);
        bytes memory slotKey = abi.encodePacked(slot);
        callStart = gasleft();
        (bytes memory accountRlp, uint256 opAccountInner) = op.getGas(accountKey, accountProof, stateRoot);
        (bytes memory slotRlp, uint256 opStorageInner) = op.getGas(slotKey, storageProof, storageRoot);
        uint256 opCall = callStart - gasleft();
        vm.assertGt(accountRlp.length, 66);
        vm.assertEq(slotRlp, RLPTestEncoder.encodeBytes32(value));
        uint256 opInner = opAccountInner + opStorageInner;

        vm.snapshotValue("mainnetShapedPair_ours_inner", oursInner);
        vm.snapshotValue("mainnetShapedPair_ours_call", oursCall);
        vm.snapshotValue("mainnetShapedPair_secureMerkleTrie_inner", opInner);
        vm.snapshotValue("mainnetShapedPair_secureMerkleTrie_call", opCall);

        vm.assertLe(oursInner * 3, opInner, "ours > SecureMerkleTrie / 3 (inner)");
        vm.assertLe(oursCall * 3, opCall, "ours > SecureMerkleTrie / 3 (call)");
    }

    function test_gas_storageOnly_fewThousand_succeeds() public {
        bytes memory storageProofBytes = RLPTestEncoder.concat(storageProof);
        // a storage proof alone, as when the account's storage root is cached; measured on the
        // second call (the harness account is warm)
        h.storageGas(storageRoot, slot, storageProofBytes);
        (uint256 oursInner, bytes32 got) = h.storageGas(storageRoot, slot, storageProofBytes);
        vm.assertEq(got, value);
        (, uint256 opInner) = op.getGas(abi.encodePacked(slot), storageProof, storageRoot);

        vm.snapshotValue("storageOnly_ours_inner", oursInner);
        vm.snapshotValue("storageOnly_secureMerkleTrie_inner", opInner);
        vm.assertLe(oursInner, 10_000, "storage-only proof above 10k gas");
    }
}
