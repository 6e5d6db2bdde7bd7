// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {KeystoreFixture} from "./KeystoreFixture.sol";
import {L2Keystore} from "../../src/L2/L2Keystore.sol";
import {L1SloadEmulator} from "../../src/L2/L1SloadEmulator.sol";
import {IL1Sload} from "../../src/interfaces/IL1Sload.sol";
import {IL2Keystore} from "../../src/interfaces/IL2Keystore.sol";
import {IL1Blocks} from "../../src/interfaces/IL1Blocks.sol";
import {MerklePatricia} from "../../src/libraries/MerklePatricia.sol";
import {KeystoreLayout} from "../../src/libraries/KeystoreLayout.sol";
import {L1BlocksDouble} from "../mocks/L1BlocksDouble.sol";

/// @notice L2Keystore and its l1Sload cache against real anvil proofs (fixtures/keystore/anvil.json).
///         State roots are served by a test double of L1Blocks (see L1BlocksDouble).
contract L2KeystoreTest is KeystoreFixture {
    L1BlocksDouble internal l1Blocks;
    L2Keystore internal l2;
    Block internal b0;
    Block internal b1;
    Block internal b2;

    function setUp() public {
        _loadFixture();
        l1Blocks = new L1BlocksDouble();
        l2 = new L2Keystore(l1Keystore, address(l1Blocks));
        b0 = _block(0);
        b1 = _block(1);
        b2 = _block(2);
        l1Blocks.setStateRoot(b0.number, b0.stateRoot);
        l1Blocks.setStateRoot(b1.number, b1.stateRoot);
        l1Blocks.setStateRoot(b2.number, b2.stateRoot);
    }

    function _sync(Block memory b, uint256[] memory idx, bool withAccountProof) internal {
        l2.syncKeys(b.number, account, _keysAt(idx), withAccountProof ? b.accountProof : bytes(""), _proofsAt(b, idx));
    }

    function _assertKey(uint256 i, bytes32 value, uint256 blockNumber) internal view {
        (bytes32 v, uint256 n) = l2.loadKeyWithBlock(account, keys[i]);
        vm.assertEq(v, value, "value");
        vm.assertEq(n, blockNumber, "block");
        vm.assertEq(l2.loadKey(account, keys[i]), value);
    }

    // ================================================================ layout, constants

    function test_keySlot_matchesFixture_succeeds() public view {
        for (uint256 i; i < N_KEYS; ++i) {
            vm.assertEq(l2.keySlot(account, keys[i]), slots[i]);
        }
        vm.assertEq(l2.walletImplementationSlot(walletId, l2ChainId), registrySlot);
        vm.assertEq(keys[I_SALT], l2.SALT_KEY());
        vm.assertEq(keys[I_WALLET_ID], l2.WALLET_ID_KEY());
        vm.assertEq(keys[I_INITDATA], l2.INITDATA_HASH_KEY());
        vm.assertEq(keys[I_L2_UPDATE], l2.L2_UPDATE_ADDRESS_KEY());
    }

    function test_constructor_immutables_succeeds() public view {
        vm.assertEq(l2.L1_KEYSTORE(), l1Keystore);
        vm.assertEq(l2.L1_BLOCKS(), address(l1Blocks));
    }

    // ================================================================ syncKeys

    function test_syncKeys_oneKey_succeeds() public {
        vm.expectEmit(address(l2));
        emit IL1Sload.StorageRootProven(b0.number, l1Keystore, b0.storageRoot);
        vm.expectEmit(address(l2));
        emit IL1Sload.SlotSynced(l1Keystore, slots[I_K1], b0.number, b0.values[I_K1]);
        _sync(b0, _idx(I_K1), true);
        _assertKey(I_K1, b0.values[I_K1], b0.number);
        vm.assertEq(l2.storageRootAt(b0.number, l1Keystore), b0.storageRoot);
        // everything else is still unsynced
        _assertKey(I_K2, 0, 0);
    }

    function test_syncKeys_allKeys_succeeds() public {
        _sync(b0, _all(), true);
        for (uint256 i; i < N_KEYS; ++i) {
            _assertKey(i, b0.values[i], b0.number);
        }
        // absent keys are proven zero, with the block they were proven at
        vm.assertEq(b0.values[I_K3], bytes32(0));
        vm.assertEq(b0.values[I_ABSENT], bytes32(0));
    }

    function test_syncKeys_warmPathEmptyAccountProof_succeeds() public {
        _sync(b0, _idx(I_K1), true);
        vm.recordLogs();
        _sync(b0, _idx(I_K2, I_SALT), false);
        vm.assertEq(vm.getRecordedLogs().length, 2); // two SlotSynced, no StorageRootProven
        _assertKey(I_K2, b0.values[I_K2], b0.number);
        _assertKey(I_SALT, b0.values[I_SALT], b0.number);
    }

    function test_syncKeys_cachedRootIgnoresAccountProof_succeeds() public {
        _sync(b0, _idx(I_K1), true);
        bytes memory garbage = hex"c0ffee";
        l2.syncKeys(b0.number, account, _keysAt(_idx(I_K2)), garbage, _proofsAt(b0, _idx(I_K2)));
        _assertKey(I_K2, b0.values[I_K2], b0.number);
    }

    function test_syncKeys_noStorageRoot_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL1Sload.L1SloadNoStorageRoot.selector, b0.number, l1Keystore));
        _sync(b0, _idx(I_K1), false);
    }

    function test_syncKeys_newerBlocksReplace_succeeds() public {
        _sync(b0, _all(), true);
        _sync(b1, _all(), true);
        for (uint256 i; i < N_KEYS; ++i) {
            _assertKey(i, b1.values[i], b1.number);
        }
        vm.assertNotEq(b1.values[I_K1], b0.values[I_K1]); // rotated
        vm.assertEq(b1.values[I_K3], bytes32(uint256(2))); // written
        vm.assertEq(b1.values[I_K4], bytes32(uint256(5))); // full width -> small
        _sync(b2, _all(), true);
        for (uint256 i; i < N_KEYS; ++i) {
            _assertKey(i, b2.values[i], b2.number);
        }
    }

    function test_syncKeys_absenceAfterClear_succeeds() public {
        _sync(b1, _idx(I_K2), true);
        _assertKey(I_K2, b1.values[I_K2], b1.number);
        vm.assertNotEq(b1.values[I_K2], bytes32(0));
        vm.expectEmit(address(l2));
        emit IL1Sload.SlotSynced(l1Keystore, slots[I_K2], b2.number, 0);
        _sync(b2, _idx(I_K2), true);
        _assertKey(I_K2, 0, b2.number);
    }

    function test_syncKeys_olderBlock_reverts() public {
        _sync(b2, _idx(I_K1), true);
        vm.expectRevert(
            abi.encodeWithSelector(IL1Sload.L1SloadStale.selector, l1Keystore, slots[I_K1], b2.number, b0.number)
        );
        _sync(b0, _idx(I_K1), true);
        _assertKey(I_K1, b2.values[I_K1], b2.number);
    }

    function test_syncKeys_sameBlock_succeeds() public {
        _sync(b0, _idx(I_K1), true);
        vm.recordLogs();
        // same block again: a no-op that does not even look at the proof
        bytes[] memory junk = new bytes[](1);
        junk[0] = hex"00";
        l2.syncKeys(b0.number, account, _keysAt(_idx(I_K1)), "", junk);
        vm.assertEq(vm.getRecordedLogs().length, 0);
        _assertKey(I_K1, b0.values[I_K1], b0.number);
    }

    function test_syncKeys_duplicateKeyInBatch_succeeds() public {
        _sync(b0, _idx(I_K1, I_K1), true);
        _assertKey(I_K1, b0.values[I_K1], b0.number);
    }

    function test_syncKeys_mutatedStorageProof_reverts() public {
        bytes memory proof = b0.storageProofs[I_K1];
        proof[proof.length / 2] ^= 0x01;
        bytes[] memory proofs = new bytes[](1);
        proofs[0] = proof;
        vm.expectRevert();
        l2.syncKeys(b0.number, account, _keysAt(_idx(I_K1)), b0.accountProof, proofs);
        _assertKey(I_K1, 0, 0);
        vm.assertEq(l2.storageRootAt(b0.number, l1Keystore), bytes32(0));
    }

    function test_syncKeys_proofForOtherKey_reverts() public {
        // K2's (valid) proof offered for K1
        bytes[] memory proofs = new bytes[](1);
        proofs[0] = b0.storageProofs[I_K2];
        vm.expectRevert();
        l2.syncKeys(b0.number, account, _keysAt(_idx(I_K1)), b0.accountProof, proofs);
        _assertKey(I_K1, 0, 0);
    }

    function test_syncKeys_proofFromOtherBlock_reverts() public {
        // block 1's proof of K1 against block 0's storage root
        bytes[] memory proofs = new bytes[](1);
        proofs[0] = b1.storageProofs[I_K1];
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaHashMismatch.selector, 0));
        l2.syncKeys(b0.number, account, _keysAt(_idx(I_K1)), b0.accountProof, proofs);
    }

    function test_syncKeys_truncatedStorageProof_reverts() public {
        bytes memory full = b0.storageProofs[I_K1];
        // drop the last node: the path continues to a non-empty child
        bytes memory cut = new bytes(full.length - 40);
        for (uint256 i; i < cut.length; ++i) {
            cut[i] = full[i];
        }
        bytes[] memory proofs = new bytes[](1);
        proofs[0] = cut;
        vm.expectRevert();
        l2.syncKeys(b0.number, account, _keysAt(_idx(I_K1)), b0.accountProof, proofs);
        _assertKey(I_K1, 0, 0);
    }

    function test_syncKeys_mutatedAccountProof_reverts() public {
        bytes memory proof = b0.accountProof;
        proof[proof.length - 10] ^= 0x80;
        vm.expectRevert();
        l2.syncKeys(b0.number, account, _keysAt(_idx(I_K1)), proof, _proofsAt(b0, _idx(I_K1)));
        vm.assertEq(l2.storageRootAt(b0.number, l1Keystore), bytes32(0));
        _assertKey(I_K1, 0, 0);
    }

    function test_syncKeys_accountProofFromOtherBlock_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaHashMismatch.selector, 0));
        l2.syncKeys(b0.number, account, _keysAt(_idx(I_K1)), b1.accountProof, _proofsAt(b1, _idx(I_K1)));
        vm.assertEq(l2.storageRootAt(b0.number, l1Keystore), bytes32(0));
    }

    function test_syncKeys_unavailableBlock_reverts() public {
        uint256 missing = b2.number + 1;
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksBlockUnavailable.selector, missing));
        l2.syncKeys(missing, account, _keysAt(_idx(I_K1)), b2.accountProof, _proofsAt(b2, _idx(I_K1)));
    }

    function test_syncKeys_blockNumberTooLarge_reverts() public {
        uint256 huge = uint256(1) << 63;
        l1Blocks.setStateRoot(huge, b0.stateRoot);
        vm.expectRevert(abi.encodeWithSelector(IL1Sload.L1SloadBlockNumberTooLarge.selector, huge));
        l2.syncKeys(huge, account, _keysAt(_idx(I_K1)), b0.accountProof, _proofsAt(b0, _idx(I_K1)));
    }

    function test_syncKeys_lengthMismatch_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL2Keystore.L2KeystoreLengthMismatch.selector, 2, 1));
        l2.syncKeys(b0.number, account, _keysAt(_idx(I_K1, I_K2)), b0.accountProof, _proofsAt(b0, _idx(I_K1)));
    }

    function test_syncKeys_anySender_succeeds(address sender) public {
        vm.prank(sender);
        _sync(b1, _idx(I_K1, I_K3), true);
        _assertKey(I_K1, b1.values[I_K1], b1.number);
        _assertKey(I_K3, b1.values[I_K3], b1.number);
    }

    /// @dev Any single-byte change anywhere in a storage proof is rejected and stores nothing.
    function test_syncKeys_mutatedStorageProofFuzz_reverts(uint256 pos, uint8 flip) public {
        vm.assume(flip != 0);
        _sync(b0, _idx(I_SALT), true); // cache the storage root
        bytes memory proof = b0.storageProofs[I_K1];
        pos = bound(pos, 0, proof.length - 1);
        proof[pos] ^= bytes1(flip);
        bytes[] memory proofs = new bytes[](1);
        proofs[0] = proof;
        try l2.syncKeys(b0.number, account, _keysAt(_idx(I_K1)), "", proofs) {
            revert("mutated proof accepted");
        } catch {}
        _assertKey(I_K1, 0, 0);
    }

    /// @dev Any single-byte change anywhere in the account proof is rejected and stores nothing.
    function test_syncKeys_mutatedAccountProofFuzz_reverts(uint256 pos, uint8 flip) public {
        vm.assume(flip != 0);
        bytes memory proof = b0.accountProof;
        pos = bound(pos, 0, proof.length - 1);
        proof[pos] ^= bytes1(flip);
        try l2.syncKeys(b0.number, account, _keysAt(_idx(I_K1)), proof, _proofsAt(b0, _idx(I_K1))) {
            revert("mutated proof accepted");
        } catch {}
        vm.assertEq(l2.storageRootAt(b0.number, l1Keystore), bytes32(0));
        _assertKey(I_K1, 0, 0);
    }

    // ================================================================ proveAccount, syncSlots

    // ================================================================ loadKeyWithProof

    function test_loadKeyWithProof_cachedRoot_succeeds() public {
        l2.proveAccount(b1.number, l1Keystore, b1.accountProof);
        vm.assertEq(l2.loadKeyWithProof(b1.number, account, keys[I_K1], b1.storageProofs[I_K1]), b1.values[I_K1]);
        vm.assertEq(l2.loadKeyWithProof(b1.number, account, keys[I_K2], b1.storageProofs[I_K2]), b1.values[I_K2]);
        // a read, not a sync: nothing is cached for the key
        _assertKey(I_K1, 0, 0);
    }

    function test_loadKeyWithProof_absentAfterClear_succeeds() public {
        l2.proveAccount(b2.number, l1Keystore, b2.accountProof);
        vm.assertEq(l2.loadKeyWithProof(b2.number, account, keys[I_K2], b2.storageProofs[I_K2]), bytes32(0));
    }

    function test_loadKeyWithProof_noStorageRoot_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL1Sload.L1SloadNoStorageRoot.selector, b1.number, l1Keystore));
        l2.loadKeyWithProof(b1.number, account, keys[I_K1], b1.storageProofs[I_K1]);
    }

    function test_loadKeyWithProof_behindNewerCachedValue_reverts() public {
        _sync(b2, _idx(I_K1), true);
        l2.proveAccount(b1.number, l1Keystore, b1.accountProof);
        vm.expectRevert(
            abi.encodeWithSelector(IL1Sload.L1SloadStale.selector, l1Keystore, slots[I_K1], b2.number, b1.number)
        );
        l2.loadKeyWithProof(b1.number, account, keys[I_K1], b1.storageProofs[I_K1]);
    }

    function test_loadKeyWithProof_proofFromOtherBlock_reverts() public {
        l2.proveAccount(b1.number, l1Keystore, b1.accountProof);
        // b0's proof of a key whose value changed at b1 does not verify against b1's storage root
        vm.expectRevert();
        l2.loadKeyWithProof(b1.number, account, keys[I_K1], b0.storageProofs[I_K1]);
    }

    function test_loadKeyWithProof_mutatedProof_reverts(uint256 pos, uint8 flip) public {
        l2.proveAccount(b1.number, l1Keystore, b1.accountProof);
        bytes memory proof = b1.storageProofs[I_K1];
        proof[bound(pos, 0, proof.length - 1)] ^= bytes1(uint8(bound(flip, 1, 255)));
        // every byte of a packed proof belongs to a hashed node (or the root), so any flip fails
        vm.expectRevert();
        l2.loadKeyWithProof(b1.number, account, keys[I_K1], proof);
    }

    function test_proveAccount_keystore_succeeds() public {
        vm.assertEq(l2.proveAccount(b1.number, l1Keystore, b1.accountProof), b1.storageRoot);
        vm.assertEq(l2.storageRootAt(b1.number, l1Keystore), b1.storageRoot);
        // cached: the proof is not needed any more
        vm.assertEq(l2.proveAccount(b1.number, l1Keystore, ""), b1.storageRoot);
    }

    function test_proveAccount_absentAccount_succeeds() public {
        vm.expectEmit(address(l2));
        emit IL1Sload.StorageRootProven(b0.number, absentAccount, MerklePatricia.EMPTY_TRIE_ROOT);
        bytes32 root = l2.proveAccount(b0.number, absentAccount, b0.absentAccountProof);
        vm.assertEq(root, MerklePatricia.EMPTY_TRIE_ROOT);
        // a slot of an absent account: proven zero with an empty storage proof
        bytes32[] memory s = new bytes32[](1);
        s[0] = bytes32(uint256(1));
        bytes[] memory p = new bytes[](1);
        l2.syncSlots(b0.number, absentAccount, s, "", p);
        (bytes32 v, uint256 n) = l2.l1Sload(absentAccount, s[0]);
        vm.assertEq(v, bytes32(0));
        vm.assertEq(n, b0.number);
    }

    function test_proveAccount_absentProofForPresentAccount_reverts() public {
        // the absent account's proof does not prove L1Keystore's absence
        vm.expectRevert();
        l2.proveAccount(b0.number, l1Keystore, b0.absentAccountProof);
    }

    function test_proveAccount_emptyProofUncached_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL1Sload.L1SloadNoStorageRoot.selector, b0.number, l1Keystore));
        l2.proveAccount(b0.number, l1Keystore, "");
    }

    function test_syncSlots_lengthMismatch_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL1Sload.L1SloadLengthMismatch.selector, 1, 0));
        l2.syncSlots(b0.number, l1Keystore, _keysAt(_idx(I_K1)), b0.accountProof, new bytes[](0));
    }

    function test_syncSlots_keystoreSlotsAreKeys_succeeds() public {
        // syncing raw slots and syncing keys fill the same cache entries
        bytes32[] memory s = new bytes32[](1);
        s[0] = slots[I_K1];
        l2.syncSlots(b0.number, l1Keystore, s, b0.accountProof, _proofsAt(b0, _idx(I_K1)));
        _assertKey(I_K1, b0.values[I_K1], b0.number);
    }

    /// @dev The packed cache layout: a small value lives in the head word with its block number.
    function test_l1Sload_packedLayout_succeeds() public {
        _sync(b1, _idx(I_K2, I_K1), true);
        bytes32 base = keccak256(abi.encode(l1Keystore, uint256(1)));
        bytes32 headK2 = vm.load(address(l2), keccak256(abi.encode(slots[I_K2], base)));
        vm.assertEq(uint256(headK2), (b1.number << 192) | uint256(b1.values[I_K2]));
        bytes32 headK1Slot = keccak256(abi.encode(slots[I_K1], base));
        vm.assertEq(uint256(vm.load(address(l2), headK1Slot)), (uint256(1) << 255) | (b1.number << 192));
        vm.assertEq(vm.load(address(l2), bytes32(uint256(headK1Slot) + 1)), b1.values[I_K1]);
        vm.assertEq(
            vm.load(address(l2), keccak256(abi.encode(l1Keystore, keccak256(abi.encode(b1.number, uint256(0)))))),
            b1.storageRoot
        );
    }

    function test_l1Sload_largeThenSmallValue_succeeds() public {
        _sync(b0, _idx(I_K4), true);
        vm.assertGt(uint256(b0.values[I_K4]), type(uint192).max);
        _assertKey(I_K4, b0.values[I_K4], b0.number);
        _sync(b1, _idx(I_K4), true);
        _assertKey(I_K4, bytes32(uint256(5)), b1.number);
    }

    function test_l1Sload_neverSynced_succeeds() public view {
        (bytes32 v, uint256 n) = l2.l1Sload(l1Keystore, slots[I_K1]);
        vm.assertEq(v, bytes32(0));
        vm.assertEq(n, 0);
    }

    // ================================================================ getWalletImplementation

    function _syncRegistry(Block memory b) internal {
        bytes32[] memory s = new bytes32[](1);
        s[0] = registrySlot;
        bytes[] memory p = new bytes[](1);
        p[0] = b.registryProof;
        l2.syncSlots(b.number, l1Keystore, s, b.accountProof, p);
    }

    function test_getWalletImplementation_synced_succeeds() public {
        _sync(b0, _idx(I_WALLET_ID), true);
        _syncRegistry(b2);
        vm.chainId(l2ChainId);
        vm.assertEq(l2.getWalletImplementation(account), implementation);
        vm.assertEq(b2.registryValue, bytes32(uint256(uint160(implementation))));
    }

    function test_getWalletImplementation_walletIdNotSynced_reverts() public {
        _syncRegistry(b0);
        vm.chainId(l2ChainId);
        vm.expectRevert(
            abi.encodeWithSelector(IL2Keystore.L2KeystoreImplementationNotRegistered.selector, bytes32(0), l2ChainId)
        );
        l2.getWalletImplementation(account);
    }

    function test_getWalletImplementation_registryNotSynced_reverts() public {
        _sync(b0, _idx(I_WALLET_ID), true);
        vm.chainId(l2ChainId);
        vm.expectRevert(
            abi.encodeWithSelector(IL2Keystore.L2KeystoreImplementationNotRegistered.selector, walletId, l2ChainId)
        );
        l2.getWalletImplementation(account);
    }

    function test_getWalletImplementation_otherChain_reverts() public {
        _sync(b0, _idx(I_WALLET_ID), true);
        _syncRegistry(b0);
        vm.chainId(904); // nothing synced for this chain's slot
        vm.expectRevert(
            abi.encodeWithSelector(IL2Keystore.L2KeystoreImplementationNotRegistered.selector, walletId, 904)
        );
        l2.getWalletImplementation(account);
    }

    // ================================================================ unsupported

    function test_registerAccount_onL2_reverts() public {
        vm.expectRevert(IL2Keystore.L2KeystoreUnsupported.selector);
        l2.registerAccount(bytes32(uint256(1)), bytes32(uint256(1)), new bytes32[](0), new bytes32[](0), "", address(0));
    }

    // ================================================================ emulator

    function test_emulator_syncSlots_succeeds() public {
        L1SloadEmulator emu = new L1SloadEmulator(address(l1Blocks));
        vm.assertEq(emu.L1_BLOCKS(), address(l1Blocks));
        bytes32[] memory s = new bytes32[](2);
        s[0] = slots[I_K1];
        s[1] = KeystoreLayout.walletOwnerSlot(walletId);
        bytes[] memory p = new bytes[](2);
        p[0] = b2.storageProofs[I_K1];
        // the owner slot is not in the fixture: prove it is... not provable with another slot's proof
        p[1] = b2.storageProofs[I_K2];
        vm.expectRevert();
        emu.syncSlots(b2.number, l1Keystore, s, b2.accountProof, p);

        bytes32[] memory one = new bytes32[](1);
        one[0] = slots[I_K1];
        bytes[] memory onep = new bytes[](1);
        onep[0] = b2.storageProofs[I_K1];
        emu.syncSlots(b2.number, l1Keystore, one, b2.accountProof, onep);
        (bytes32 v, uint256 n) = emu.l1Sload(l1Keystore, slots[I_K1]);
        vm.assertEq(v, b2.values[I_K1]);
        vm.assertEq(n, b2.number);
    }
}
