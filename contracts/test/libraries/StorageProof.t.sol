// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {MerklePatricia} from "../../src/libraries/MerklePatricia.sol";
import {RLPReader} from "../../src/libraries/RLPReader.sol";
import {StorageProof} from "../../src/libraries/StorageProof.sol";
import {ProofHarness} from "../harness/ProofHarness.sol";
import {RLPTestEncoder} from "../lib/RLPTestEncoder.sol";
import {Test} from "../lib/Test.sol";
import {TrieBuilder} from "../lib/TrieBuilder.sol";

/// @notice Key hashing and value decoding of account and storage proofs, on hand-built tries.
contract StorageProofTest is Test {
    using TrieBuilder for bytes;

    ProofHarness internal h;

    function setUp() public {
        h = new ProofHarness();
    }

    /// A storage trie of two slots (a root branch and two leaves) whose first slot's leaf holds
    /// `rawValue` as is (normally rlp(value)); returns the root and the proof for `slot`.
    function _storageTrie(bytes32 slot, bytes memory rawValue)
        internal
        pure
        returns (bytes32 root, bytes memory proof, bytes memory branch)
    {
        bytes32 key = keccak256(abi.encode(slot));
        bytes32 otherKey = keccak256(abi.encode(keccak256(abi.encode(slot))));
        if (uint256(otherKey) >> 252 == uint256(key) >> 252) otherKey ^= bytes32(uint256(1) << 255);
        bytes memory leaf = TrieBuilder.leaf(TrieBuilder.nibbles(key).slice(1, 64), rawValue);
        bytes memory other =
            TrieBuilder.leaf(TrieBuilder.nibbles(otherKey).slice(1, 64), RLPTestEncoder.encodeUint(type(uint128).max));
        bytes[16] memory children;
        children[uint256(key) >> 252] = TrieBuilder.ref(leaf);
        children[uint256(otherKey) >> 252] = TrieBuilder.ref(other);
        branch = TrieBuilder.branch(children, "");
        root = keccak256(branch);
        proof = leaf.length >= 32 ? bytes.concat(branch, leaf) : branch;
    }

    function _expectSlotError(uint256 reason) internal {
        vm.expectRevert(abi.encodeWithSelector(StorageProof.StorageProofInvalidSlotValue.selector, reason));
    }

    // ------------------------------------------------------------------ storage

    function test_verifyStorage_fullWordValue_succeeds() public view {
        bytes32 slot = bytes32(uint256(7));
        bytes32 value = keccak256("a full 32-byte word with a non-zero first byte") | bytes32(uint256(1) << 255);
        (bytes32 root, bytes memory proof,) = _storageTrie(slot, RLPTestEncoder.encodeUint(uint256(value)));
        vm.assertEq(h.verifyStorage(root, slot, proof), value);
    }

    function test_verifyStorage_smallValues_succeeds() public view {
        uint256[6] memory values = [uint256(1), 0x7f, 0x80, 0xff, 0x100, type(uint64).max];
        for (uint256 i; i < values.length; ++i) {
            bytes32 slot = bytes32(i);
            (bytes32 root, bytes memory proof,) = _storageTrie(slot, RLPTestEncoder.encodeUint(values[i]));
            vm.assertEq(uint256(h.verifyStorage(root, slot, proof)), values[i]);
        }
    }

    /// Keys are hashed: the leaf sits at keccak256(slot), not at the slot itself.
    function test_verifyStorage_keyIsHashed_succeeds() public view {
        bytes32 slot = bytes32(uint256(3));
        (bytes32 root, bytes memory proof, bytes memory branch) = _storageTrie(slot, RLPTestEncoder.encodeUint(42));
        vm.assertEq(uint256(h.verifyStorage(root, slot, proof)), 42);
        bytes32 key = keccak256(abi.encode(slot));
        (bool exists,) = h.get(root, key, proof);
        vm.assertTrue(exists);
        // the raw slot as a trie path lands elsewhere (slot 3's first nibble is 0: an empty slot here
        // unless the hashed keys happen to start with 0)
        if (uint256(key) >> 252 != 0 && uint256(keccak256(abi.encode(key))) >> 252 != 0) {
            (exists,) = h.get(root, slot, branch);
            vm.assertFalse(exists);
        }
    }

    /// A missing slot reads as 0.
    function test_verifyStorage_absentSlot_succeeds() public view {
        bytes32 slot = bytes32(uint256(3));
        (bytes32 root,, bytes memory branch) = _storageTrie(slot, RLPTestEncoder.encodeUint(42));
        // find a slot whose hashed key falls in an empty branch slot (the root branch's slot i is
        // the single byte 0x80 when empty; the two used slots hold 33-byte hash references)
        uint256 used1 = uint256(keccak256(abi.encode(slot))) >> 252;
        bytes32 absent;
        for (uint256 i = 100;; ++i) {
            uint256 n = uint256(keccak256(abi.encode(bytes32(i)))) >> 252;
            if (n != used1 && _slotIsEmpty(branch, n)) {
                absent = bytes32(i);
                break;
            }
        }
        vm.assertEq(h.verifyStorage(root, absent, branch), bytes32(0));
    }

    /// Whether child slot `n` of the branch node `branch` (2-byte list header) is empty.
    function _slotIsEmpty(bytes memory branch, uint256 n) internal pure returns (bool) {
        uint256 p = 2;
        for (uint256 i; i < n; ++i) {
            p += branch[p] == 0x80 ? 1 : 33;
        }
        return branch[p] == 0x80;
    }

    function test_verifyStorage_emptyStorageTrie_succeeds() public view {
        vm.assertEq(h.verifyStorage(MerklePatricia.EMPTY_TRIE_ROOT, bytes32(uint256(1)), ""), bytes32(0));
    }

    function test_verifyStorage_valueLeadingZero_reverts() public {
        (bytes32 root, bytes memory proof,) = _storageTrie(bytes32(uint256(1)), hex"820001");
        _expectSlotError(RLPReader.ERR_UINT_LEADING_ZERO);
        h.verifyStorage(root, bytes32(uint256(1)), proof);
    }

    function test_verifyStorage_valueZeroByte_reverts() public {
        (bytes32 root, bytes memory proof,) = _storageTrie(bytes32(uint256(1)), hex"00");
        _expectSlotError(RLPReader.ERR_UINT_LEADING_ZERO);
        h.verifyStorage(root, bytes32(uint256(1)), proof);
    }

    function test_verifyStorage_valueTooLong_reverts() public {
        (bytes32 root, bytes memory proof,) =
            _storageTrie(bytes32(uint256(1)), RLPTestEncoder.encodeBytes(bytes.concat(hex"01", bytes32(0))));
        _expectSlotError(RLPReader.ERR_UINT_TOO_LONG);
        h.verifyStorage(root, bytes32(uint256(1)), proof);
    }

    function test_verifyStorage_valueNonCanonicalSingleByte_reverts() public {
        (bytes32 root, bytes memory proof,) = _storageTrie(bytes32(uint256(1)), hex"8105");
        _expectSlotError(RLPReader.ERR_NON_CANONICAL_SINGLE_BYTE);
        h.verifyStorage(root, bytes32(uint256(1)), proof);
    }

    function test_verifyStorage_valueTrailingBytes_reverts() public {
        (bytes32 root, bytes memory proof,) = _storageTrie(bytes32(uint256(1)), hex"0506");
        _expectSlotError(RLPReader.ERR_TRAILING_BYTES);
        h.verifyStorage(root, bytes32(uint256(1)), proof);
        (root, proof,) = _storageTrie(bytes32(uint256(1)), hex"82010203");
        _expectSlotError(RLPReader.ERR_TRAILING_BYTES);
        h.verifyStorage(root, bytes32(uint256(1)), proof);
    }

    function test_verifyStorage_valueTruncated_reverts() public {
        (bytes32 root, bytes memory proof,) = _storageTrie(bytes32(uint256(1)), hex"830102");
        _expectSlotError(RLPReader.ERR_OUT_OF_BOUNDS);
        h.verifyStorage(root, bytes32(uint256(1)), proof);
    }

    function test_verifyStorage_valueList_reverts() public {
        (bytes32 root, bytes memory proof,) = _storageTrie(bytes32(uint256(1)), hex"c20102");
        _expectSlotError(RLPReader.ERR_UNEXPECTED_LIST);
        h.verifyStorage(root, bytes32(uint256(1)), proof);
    }

    function testFuzz_verifyStorage_roundTrip_succeeds(bytes32 slot, uint256 value) public view {
        vm.assume(value != 0);
        (bytes32 root, bytes memory proof,) = _storageTrie(slot, RLPTestEncoder.encodeUint(value));
        vm.assertEq(uint256(h.verifyStorage(root, slot, proof)), value);
    }

    /// Any non-canonical 1..34-byte value string is rejected; canonical ones decode to themselves.
    function testFuzz_verifyStorage_arbitraryValueBytes_onlyCanonicalAccepted_succeeds(bytes calldata raw) public view {
        vm.assume(raw.length > 0 && raw.length < 40);
        bytes32 slot = bytes32(uint256(9));
        (bytes32 root, bytes memory proof,) = _storageTrie(slot, raw);
        try h.verifyStorage(root, slot, proof) returns (bytes32 v) {
            vm.assertEq(RLPTestEncoder.encodeUint(uint256(v)), raw);
        } catch {}
    }

    // ------------------------------------------------------------------ accounts

    function _accountRlp(uint256 nonce, uint256 balance, bytes32 storageRoot, bytes32 codeHash)
        internal
        pure
        returns (bytes memory)
    {
        bytes[] memory items = new bytes[](4);
        items[0] = RLPTestEncoder.encodeUint(nonce);
        items[1] = RLPTestEncoder.encodeUint(balance);
        items[2] = RLPTestEncoder.encodeBytes32(storageRoot);
        items[3] = RLPTestEncoder.encodeBytes32(codeHash);
        return RLPTestEncoder.encodeList(items);
    }

    /// A state trie of one account at keccak256(account) (a leaf as root) holding `rawValue`.
    function _stateTrie(address account, bytes memory rawValue)
        internal
        pure
        returns (bytes32 root, bytes memory proof)
    {
        proof = TrieBuilder.leaf(TrieBuilder.nibbles(keccak256(abi.encodePacked(account))), rawValue);
        root = keccak256(proof);
    }

    function test_verifyAccount_present_succeeds() public view {
        address account = address(0xC0FFEE);
        (bytes32 root, bytes memory proof) =
            _stateTrie(account, _accountRlp(5, 1 ether, keccak256("storage"), keccak256("code")));
        StorageProof.Account memory a = h.verifyAccount(root, account, proof);
        vm.assertTrue(a.exists);
        vm.assertEq(a.nonce, 5);
        vm.assertEq(a.balance, 1 ether);
        vm.assertEq(a.storageRoot, keccak256("storage"));
        vm.assertEq(a.codeHash, keccak256("code"));
    }

    /// Keys are hashed: keccak256(address), 20 bytes.
    function test_verifyAccount_keyIsHashed_succeeds() public view {
        address account = address(0xC0FFEE);
        bytes memory value = _accountRlp(1, 0, keccak256("s"), keccak256("c"));
        bytes memory leafAtRawAddress = TrieBuilder.leaf(TrieBuilder.nibbles(bytes32(bytes20(account))), value);
        StorageProof.Account memory a = h.verifyAccount(keccak256(leafAtRawAddress), account, leafAtRawAddress);
        vm.assertFalse(a.exists);
    }

    function test_verifyAccount_missingAccount_succeeds() public view {
        (bytes32 root, bytes memory proof) =
            _stateTrie(address(0xC0FFEE), _accountRlp(5, 1 ether, keccak256("storage"), keccak256("code")));
        StorageProof.Account memory a = h.verifyAccount(root, address(0xBEEF), proof);
        vm.assertFalse(a.exists);
        vm.assertEq(a.nonce, 0);
        vm.assertEq(a.balance, 0);
        vm.assertEq(a.storageRoot, MerklePatricia.EMPTY_TRIE_ROOT);
        vm.assertEq(a.codeHash, keccak256(""));
    }

    function test_verifyAccount_emptyState_succeeds() public view {
        StorageProof.Account memory a = h.verifyAccount(MerklePatricia.EMPTY_TRIE_ROOT, address(1), "");
        vm.assertFalse(a.exists);
        vm.assertEq(a.storageRoot, MerklePatricia.EMPTY_TRIE_ROOT);
    }

    function test_verifyAccount_tooFewFields_reverts() public {
        bytes[] memory items = new bytes[](3);
        items[0] = RLPTestEncoder.encodeUint(1);
        items[1] = RLPTestEncoder.encodeUint(2);
        items[2] = RLPTestEncoder.encodeBytes32(keccak256("s"));
        (bytes32 root, bytes memory proof) = _stateTrie(address(1), RLPTestEncoder.encodeList(items));
        vm.expectRevert(abi.encodeWithSelector(StorageProof.StorageProofInvalidAccount.selector, RLPReader.ERR_EMPTY));
        h.verifyAccount(root, address(1), proof);
    }

    function test_verifyAccount_extraField_reverts() public {
        bytes memory value = _accountRlp(1, 2, keccak256("s"), keccak256("c"));
        bytes[] memory items = new bytes[](5);
        items[0] = RLPTestEncoder.encodeUint(1);
        items[1] = RLPTestEncoder.encodeUint(2);
        items[2] = RLPTestEncoder.encodeBytes32(keccak256("s"));
        items[3] = RLPTestEncoder.encodeBytes32(keccak256("c"));
        items[4] = hex"80";
        value = RLPTestEncoder.encodeList(items);
        (bytes32 root, bytes memory proof) = _stateTrie(address(1), value);
        vm.expectRevert(
            abi.encodeWithSelector(StorageProof.StorageProofInvalidAccount.selector, RLPReader.ERR_TRAILING_BYTES)
        );
        h.verifyAccount(root, address(1), proof);
    }

    function test_verifyAccount_shortStorageRoot_reverts() public {
        bytes[] memory items = new bytes[](4);
        items[0] = RLPTestEncoder.encodeUint(1);
        items[1] = RLPTestEncoder.encodeUint(2);
        items[2] = RLPTestEncoder.encodeBytes(abi.encodePacked(bytes31(keccak256("s"))));
        items[3] = RLPTestEncoder.encodeBytes32(keccak256("c"));
        (bytes32 root, bytes memory proof) = _stateTrie(address(1), RLPTestEncoder.encodeList(items));
        vm.expectRevert(
            abi.encodeWithSelector(StorageProof.StorageProofInvalidAccount.selector, RLPReader.ERR_WRONG_LENGTH)
        );
        h.verifyAccount(root, address(1), proof);
    }

    function test_verifyAccount_nonceLeadingZero_reverts() public {
        bytes[] memory items = new bytes[](4);
        items[0] = hex"820001";
        items[1] = RLPTestEncoder.encodeUint(2);
        items[2] = RLPTestEncoder.encodeBytes32(keccak256("s"));
        items[3] = RLPTestEncoder.encodeBytes32(keccak256("c"));
        (bytes32 root, bytes memory proof) = _stateTrie(address(1), RLPTestEncoder.encodeList(items));
        vm.expectRevert(
            abi.encodeWithSelector(StorageProof.StorageProofInvalidAccount.selector, RLPReader.ERR_UINT_LEADING_ZERO)
        );
        h.verifyAccount(root, address(1), proof);
    }

    function test_verifyAccount_notAList_reverts() public {
        (bytes32 root, bytes memory proof) = _stateTrie(address(1), RLPTestEncoder.encodeBytes("not an account"));
        vm.expectRevert(
            abi.encodeWithSelector(StorageProof.StorageProofInvalidAccount.selector, RLPReader.ERR_UNEXPECTED_STRING)
        );
        h.verifyAccount(root, address(1), proof);
    }

    function testFuzz_verifyAccount_roundTrip_succeeds(
        address account,
        uint64 nonce,
        uint256 balance,
        bytes32 storageRoot,
        bytes32 codeHash
    ) public view {
        (bytes32 root, bytes memory proof) = _stateTrie(account, _accountRlp(nonce, balance, storageRoot, codeHash));
        StorageProof.Account memory a = h.verifyAccount(root, account, proof);
        vm.assertTrue(a.exists);
        vm.assertEq(a.nonce, nonce);
        vm.assertEq(a.balance, balance);
        vm.assertEq(a.storageRoot, storageRoot);
        vm.assertEq(a.codeHash, codeHash);
    }
}
