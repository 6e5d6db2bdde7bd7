// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {KeystoreChainFixture} from "./KeystoreChainFixture.sol";
import {OpStack, IOpL2CrossDomainMessenger} from "../lib/OpStack.sol";
import {L1SloadDouble} from "../mocks/L1SloadPrecompileDouble.sol";
import {KeystoreChainL2Keystore} from "../../src/L2/KeystoreChainL2Keystore.sol";
import {IKeystoreChainL2Keystore as IKS} from "../../src/interfaces/IKeystoreChainL2Keystore.sol";
import {IL2Keystore} from "../../src/interfaces/IL2Keystore.sol";
import {IL1Keystore} from "../../src/interfaces/IL1Keystore.sol";
import {KeystoreLayout} from "../../src/libraries/KeystoreLayout.sol";
import {L1Sload} from "../../src/libraries/L1Sload.sol";

/// @notice KeystoreChainL2Keystore on the keystore chain: reads through the L1SLOAD double, writes
///         through the genuine L2CrossDomainMessenger and L2ToL1MessagePasser. Every sent message
///         is checked byte for byte against the L1Keystore call it must carry.
contract KeystoreChainL2KeystoreTest is KeystoreChainFixture {
    bytes32 internal constant NEW_VALUE = bytes32(uint256(0xbb));

    // ================================================================ constructor, constants

    function test_constructor_zeroMessengerIsPredeploy_succeeds() public view {
        vm.assertEq(l2ks.MESSENGER(), OpStack.L2_CROSS_DOMAIN_MESSENGER);
        vm.assertEq(l2ks.L1_KEYSTORE(), address(l1ks));
        vm.assertEq(l2ks.L1_BLOCK(), OpStack.L1_BLOCK);
    }

    function test_constructor_explicitMessenger_succeeds() public {
        KeystoreChainL2Keystore k = new KeystoreChainL2Keystore(address(l1ks), address(0x3E55));
        vm.assertEq(k.MESSENGER(), address(0x3E55));
    }

    function test_constructor_zeroL1Keystore_reverts() public {
        vm.expectRevert(IKS.L2KeystoreZeroAddress.selector);
        new KeystoreChainL2Keystore(address(0), address(0));
    }

    function test_reservedKeys_matchL1Keystore_succeeds() public view {
        vm.assertEq(l2ks.SALT_KEY(), l1ks.SALT_KEY());
        vm.assertEq(l2ks.WALLET_ID_KEY(), l1ks.WALLET_ID_KEY());
        vm.assertEq(l2ks.INITDATA_HASH_KEY(), l1ks.INITDATA_HASH_KEY());
        vm.assertEq(l2ks.L2_UPDATE_ADDRESS_KEY(), l1ks.L2_UPDATE_ADDRESS_KEY());
    }

    /// @dev Wallets and factories call the same read functions on every L2.
    function test_readApi_sameSelectorsAsIL2Keystore_succeeds() public pure {
        require(IKS.loadKey.selector == IL2Keystore.loadKey.selector, "loadKey");
        require(IKS.loadKeyWithBlock.selector == IL2Keystore.loadKeyWithBlock.selector, "loadKeyWithBlock");
        require(IKS.keySlot.selector == IL2Keystore.keySlot.selector, "keySlot");
        require(IKS.getWalletImplementation.selector == IL2Keystore.getWalletImplementation.selector, "impl");
        require(IKS.registerAccount.selector == IL2Keystore.registerAccount.selector, "registerAccount");
        require(IKS.L1_KEYSTORE.selector == IL2Keystore.L1_KEYSTORE.selector, "L1_KEYSTORE");
        require(IKS.L2KeystoreUnsupported.selector == IL2Keystore.L2KeystoreUnsupported.selector, "unsupported");
        require(
            IKS.L2KeystoreImplementationNotRegistered.selector
                == IL2Keystore.L2KeystoreImplementationNotRegistered.selector,
            "not registered"
        );
    }

    /// @dev The message selectors are L1Keystore's.
    function test_messages_useL1KeystoreSelectors_succeeds() public pure {
        require(IL1Keystore.writeKey.selector == bytes4(keccak256("writeKey(address,bytes32,bytes32)")), "w");
        require(IL1Keystore.updateKey.selector == bytes4(keccak256("updateKey(address,bytes32,bytes32,bytes32)")), "u");
        require(IL1Keystore.updateAccess.selector == bytes4(keccak256("updateAccess(address,address,address)")), "a");
    }

    // ================================================================ reads

    function test_registerAccount_reverts() public {
        vm.expectRevert(IKS.L2KeystoreUnsupported.selector);
        l2ks.registerAccount(SALT, WALLET_ID, new bytes32[](0), new bytes32[](0), "", address(0));
    }

    function test_loadKey_readsL1AtOrigin_succeeds() public view {
        vm.assertEq(l2ks.loadKey(account, KEY_A), VALUE_A);
        vm.assertEq(l2ks.loadKey(account, KeystoreLayout.SALT_KEY), SALT);
        vm.assertEq(l2ks.loadKey(account, KeystoreLayout.WALLET_ID_KEY), WALLET_ID);
        vm.assertEq(l2ks.loadKey(account, KeystoreLayout.L2_UPDATE_ADDRESS_KEY), _word(address(l2ks)));
        vm.assertEq(l2ks.loadKey(account, KEY_B), bytes32(0));
    }

    /// @dev A change on L1 is invisible until the L1 origin passes it.
    function test_loadKey_staleUntilOriginCatchesUp_succeeds() public {
        vm.prank(account);
        l1ks.updateKey(account, KEY_A, VALUE_A, NEW_VALUE);
        vm.assertEq(l2ks.loadKey(account, KEY_A), VALUE_A);
        _syncKey(account, KEY_A);
        vm.assertEq(l2ks.loadKey(account, KEY_A), NEW_VALUE);
    }

    function test_loadKeyWithBlock_returnsL1OriginNumber_succeeds() public {
        (bytes32 v, uint256 n) = l2ks.loadKeyWithBlock(account, KEY_A);
        vm.assertEq(v, VALUE_A);
        vm.assertEq(n, ORIGIN_NUMBER);
        OpStack.setL1Origin(ORIGIN_NUMBER + 1, 1_700_000_012, keccak256("next"));
        (, n) = l2ks.loadKeyWithBlock(account, KEY_A);
        vm.assertEq(n, ORIGIN_NUMBER + 1);
    }

    function test_loadKeys_manyInOrder_succeeds() public view {
        bytes32[] memory keys = new bytes32[](3);
        keys[0] = KEY_B;
        keys[1] = KEY_A;
        keys[2] = KeystoreLayout.SALT_KEY;
        bytes32[] memory values = l2ks.loadKeys(account, keys);
        vm.assertEq(values.length, 3);
        vm.assertEq(values[0], bytes32(0));
        vm.assertEq(values[1], VALUE_A);
        vm.assertEq(values[2], SALT);
    }

    function test_loadKeys_noKeys_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadInvalidKeyCount.selector, 0));
        l2ks.loadKeys(account, new bytes32[](0));
    }

    function test_loadKeys_sixKeys_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadInvalidKeyCount.selector, 6));
        l2ks.loadKeys(account, new bytes32[](6));
    }

    function test_getWalletImplementation_registered_succeeds() public view {
        vm.assertEq(l2ks.getWalletImplementation(account), IMPL);
    }

    function test_getWalletImplementation_unknownAccount_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreImplementationNotRegistered.selector, bytes32(0), 901));
        l2ks.getWalletImplementation(STRANGER);
    }

    function test_getWalletImplementation_noImplementationForChain_reverts() public {
        vm.prank(WALLET_OWNER);
        l1ks.setWalletImplementation(WALLET_ID, CHAIN_ID, address(0));
        vm.assertEq(l2ks.getWalletImplementation(account), IMPL); // origin not there yet
        _syncOrigin(account);
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreImplementationNotRegistered.selector, WALLET_ID, 901));
        l2ks.getWalletImplementation(account);
    }

    function test_boundAddress_readsBinding_succeeds() public view {
        vm.assertEq(l2ks.boundAddress(account, CHAIN_ID), _word(BOUND_EOA));
        vm.assertEq(l2ks.boundAddress(account, CHAIN_ID + 1), bytes32(0));
    }

    /// @dev The slot helpers point at L1Keystore's actual storage.
    function testFuzz_slotHelpers_matchL1KeystoreStorage_succeeds(bytes32 key, bytes32 value, uint64 chainId) public {
        vm.assume(value != 0 && key != KeystoreLayout.SALT_KEY && key != KeystoreLayout.WALLET_ID_KEY);
        vm.assume(key != KeystoreLayout.L2_UPDATE_ADDRESS_KEY && key != KeystoreLayout.INITDATA_HASH_KEY);
        vm.assume(key != KEY_A);
        vm.startPrank(account);
        l1ks.writeKey(account, key, value);
        l1ks.bindAddress(account, chainId, value);
        vm.stopPrank();
        vm.assertEq(vm.load(address(l1ks), l2ks.keySlot(account, key)), value);
        vm.assertEq(vm.load(address(l1ks), l2ks.bindingSlot(account, chainId)), value);
        vm.assertEq(vm.load(address(l1ks), l2ks.walletImplementationSlot(WALLET_ID, CHAIN_ID)), _word(IMPL));
    }

    function test_loadKey_precompileHalts_reverts() public {
        vm.etch(L1SloadDouble.PRECOMPILE, hex"fe");
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadCallFailed.selector, address(l1ks), 1, 4000));
        l2ks.loadKey(account, KEY_A);
    }

    function test_loadKey_noPrecompile_reverts() public {
        vm.etch(L1SloadDouble.PRECOMPILE, "");
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadUnexpectedOutput.selector, address(l1ks), 32, 0));
        l2ks.loadKey(account, KEY_A);
    }

    // ================================================================ writeKey

    function _checkWithdrawal(Withdrawal memory w, Sent memory s, bytes memory expectedMessage, uint32 minGasLimit)
        internal
        view
    {
        // SentMessage: L1Keystore call, from the L2Keystore, with our gas limit
        vm.assertEq(s.target, address(l1ks));
        vm.assertEq(s.sender, address(l2ks));
        vm.assertEq(s.message, expectedMessage);
        vm.assertEq(s.gasLimit, minGasLimit);
        // MessagePassed: the L2 messenger withdraws to the L1 messenger, relayMessage(...) inside
        vm.assertEq(w.sender, OpStack.L2_CROSS_DOMAIN_MESSENGER);
        vm.assertEq(w.target, L1_MESSENGER);
        vm.assertEq(w.value, 0);
        vm.assertEq(w.gasLimit, L2_MESSENGER.baseGas(expectedMessage, minGasLimit));
        bytes memory relay = abi.encodeWithSignature(
            "relayMessage(uint256,address,address,uint256,uint256,bytes)",
            s.messageNonce,
            address(l2ks),
            address(l1ks),
            uint256(0),
            uint256(minGasLimit),
            expectedMessage
        );
        vm.assertEq(w.data, relay);
        bytes32 hash = OpStack.withdrawalHash(w.nonce, w.sender, w.target, w.value, w.gasLimit, w.data);
        vm.assertEq(w.withdrawalHash, hash);
        vm.assertTrue(PASSER.sentMessages(hash));
    }

    function test_writeKey_byBoundAddress_sendsL1Call_succeeds() public {
        vm.expectEmit(address(l2ks));
        emit IKS.WriteKey(account, KEY_B, NEW_VALUE);
        (Withdrawal memory w, Sent memory s) =
            _sendAs(BOUND_EOA, abi.encodeCall(l2ks.writeKey, (account, KEY_B, NEW_VALUE)));
        _checkWithdrawal(
            w, s, abi.encodeCall(IL1Keystore.writeKey, (account, KEY_B, NEW_VALUE)), l2ks.WRITE_KEY_GAS_LIMIT()
        );
    }

    /// @dev The account itself (no binding read needed).
    function test_writeKey_byAccount_sendsL1Call_succeeds() public {
        (Withdrawal memory w, Sent memory s) =
            _sendAs(account, abi.encodeCall(l2ks.writeKey, (account, KEY_B, NEW_VALUE)));
        _checkWithdrawal(
            w, s, abi.encodeCall(IL1Keystore.writeKey, (account, KEY_B, NEW_VALUE)), l2ks.WRITE_KEY_GAS_LIMIT()
        );
    }

    function test_writeKey_consecutiveMessages_nonceIncrements_succeeds() public {
        (, Sent memory s1) = _sendAs(BOUND_EOA, abi.encodeCall(l2ks.writeKey, (account, KEY_B, NEW_VALUE)));
        (, Sent memory s2) = _sendAs(BOUND_EOA, abi.encodeCall(l2ks.writeKey, (account, KEY_B, NEW_VALUE)));
        vm.assertEq(s2.messageNonce, s1.messageNonce + 1);
    }

    function test_writeKey_stranger_reverts() public {
        _expectNoMessage();
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreUnauthorized.selector, account, STRANGER));
        vm.prank(STRANGER);
        l2ks.writeKey(account, KEY_B, NEW_VALUE);
    }

    /// @dev A binding for another chain id gives no write access here.
    function test_writeKey_boundForOtherChain_reverts() public {
        address other = address(0x07E4);
        vm.prank(account);
        l1ks.bindAddress(account, CHAIN_ID + 1, _word(other));
        L1SloadDouble.copyFrom(address(l1ks), KeystoreLayout.bindingSlot(account, CHAIN_ID + 1));
        _expectNoMessage();
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreUnauthorized.selector, account, other));
        vm.prank(other);
        l2ks.writeKey(account, KEY_B, NEW_VALUE);
    }

    /// @dev A binding with garbage in the high 12 bytes matches no EVM caller.
    function test_writeKey_bindingNotLeftPadded_reverts() public {
        vm.prank(account);
        l1ks.bindAddress(account, CHAIN_ID, bytes32(uint256(uint160(BOUND_EOA)) | (uint256(1) << 200)));
        _syncOrigin(account);
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreUnauthorized.selector, account, BOUND_EOA));
        vm.prank(BOUND_EOA);
        l2ks.writeKey(account, KEY_B, NEW_VALUE);
    }

    /// @dev An unbinding on L1 takes effect here once the origin passes it (stale authority).
    function test_writeKey_unbound_revertsAfterOriginCatchesUp() public {
        vm.prank(account);
        l1ks.bindAddress(account, CHAIN_ID, bytes32(0));
        vm.prank(BOUND_EOA);
        l2ks.writeKey(account, KEY_B, NEW_VALUE); // the origin still has the binding
        _syncOrigin(account);
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreUnauthorized.selector, account, BOUND_EOA));
        vm.prank(BOUND_EOA);
        l2ks.writeKey(account, KEY_B, NEW_VALUE);
    }

    function test_writeKey_accountNotOptedIn_reverts() public {
        address plain = _register(bytes32(uint256(0x5a18)), address(0));
        _syncOrigin(plain);
        _expectNoMessage();
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreNotOptedIn.selector, plain, address(0)));
        vm.prank(plain);
        l2ks.writeKey(plain, KEY_B, NEW_VALUE);
    }

    function test_writeKey_optedInElsewhere_reverts() public {
        address elsewhere = address(0xE15E);
        address other = _register(bytes32(uint256(0x5a19)), elsewhere);
        _syncOrigin(other);
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreNotOptedIn.selector, other, elsewhere));
        vm.prank(other);
        l2ks.writeKey(other, KEY_B, NEW_VALUE);
    }

    function test_writeKey_unregisteredAccount_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreNotOptedIn.selector, STRANGER, address(0)));
        vm.prank(STRANGER);
        l2ks.writeKey(STRANGER, KEY_B, NEW_VALUE);
    }

    function test_writeKey_protectedKeys_reverts() public {
        bytes32[3] memory keys =
            [KeystoreLayout.SALT_KEY, KeystoreLayout.WALLET_ID_KEY, KeystoreLayout.L2_UPDATE_ADDRESS_KEY];
        _expectNoMessage();
        for (uint256 i; i < keys.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreReservedKey.selector, keys[i]));
            vm.prank(account);
            l2ks.writeKey(account, keys[i], NEW_VALUE);
        }
    }

    function test_writeKey_zeroValue_reverts() public {
        _expectNoMessage();
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreZeroValue.selector, account, KEY_B));
        vm.prank(account);
        l2ks.writeKey(account, KEY_B, bytes32(0));
    }

    function test_writeKey_keyNotEmpty_reverts() public {
        _expectNoMessage();
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreKeyNotEmpty.selector, account, KEY_A, VALUE_A));
        vm.prank(BOUND_EOA);
        l2ks.writeKey(account, KEY_A, NEW_VALUE);
    }

    function test_writeKey_precompileHalts_reverts() public {
        vm.etch(L1SloadDouble.PRECOMPILE, hex"fe");
        _expectNoMessage();
        // bound caller: update address, key and binding in one call of 3 keys
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadCallFailed.selector, address(l1ks), 3, 8000));
        vm.prank(BOUND_EOA);
        l2ks.writeKey(account, KEY_B, NEW_VALUE);
    }

    function test_writeKey_noPrecompile_reverts() public {
        vm.etch(L1SloadDouble.PRECOMPILE, "");
        _expectNoMessage();
        // the account itself: update address and key, 2 keys
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadUnexpectedOutput.selector, address(l1ks), 64, 0));
        vm.prank(account);
        l2ks.writeKey(account, KEY_B, NEW_VALUE);
    }

    function testFuzz_writeKey_anyKeyAndValue_sendsExactCall_succeeds(bytes32 key, bytes32 value) public {
        vm.assume(value != 0 && key != KeystoreLayout.SALT_KEY && key != KeystoreLayout.WALLET_ID_KEY);
        vm.assume(key != KeystoreLayout.L2_UPDATE_ADDRESS_KEY && key != KeystoreLayout.INITDATA_HASH_KEY);
        vm.assume(key != KEY_A);
        (Withdrawal memory w, Sent memory s) = _sendAs(BOUND_EOA, abi.encodeCall(l2ks.writeKey, (account, key, value)));
        _checkWithdrawal(w, s, abi.encodeCall(IL1Keystore.writeKey, (account, key, value)), l2ks.WRITE_KEY_GAS_LIMIT());
    }

    function testFuzz_writeKey_anyOtherCaller_reverts(address caller) public {
        vm.assume(caller != account && caller != BOUND_EOA);
        _expectNoMessage();
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreUnauthorized.selector, account, caller));
        vm.prank(caller);
        l2ks.writeKey(account, KEY_B, NEW_VALUE);
    }

    // ================================================================ updateKey

    function test_updateKey_byBoundAddress_sendsL1Call_succeeds() public {
        vm.expectEmit(address(l2ks));
        emit IKS.UpdateKey(account, KEY_A, VALUE_A, NEW_VALUE);
        (Withdrawal memory w, Sent memory s) =
            _sendAs(BOUND_EOA, abi.encodeCall(l2ks.updateKey, (account, KEY_A, VALUE_A, NEW_VALUE)));
        _checkWithdrawal(
            w,
            s,
            abi.encodeCall(IL1Keystore.updateKey, (account, KEY_A, VALUE_A, NEW_VALUE)),
            l2ks.UPDATE_KEY_GAS_LIMIT()
        );
    }

    /// @dev Clearing a key and writing a fresh one through updateKey are both allowed (as on L1).
    function test_updateKey_clearAndFromZero_succeeds() public {
        _sendAs(account, abi.encodeCall(l2ks.updateKey, (account, KEY_A, VALUE_A, bytes32(0))));
        _sendAs(account, abi.encodeCall(l2ks.updateKey, (account, KEY_B, bytes32(0), NEW_VALUE)));
    }

    /// @dev INITDATA_HASH_KEY is an ordinary key for updateKey, as in L1Keystore.
    function test_updateKey_initdataHash_succeeds() public {
        bytes32 h = keccak256(INITDATA);
        _sendAs(account, abi.encodeCall(l2ks.updateKey, (account, KeystoreLayout.INITDATA_HASH_KEY, h, NEW_VALUE)));
    }

    function test_updateKey_wrongOldValue_reverts() public {
        _expectNoMessage();
        vm.expectRevert(
            abi.encodeWithSelector(IKS.L2KeystoreValueMismatch.selector, account, KEY_A, NEW_VALUE, VALUE_A)
        );
        vm.prank(BOUND_EOA);
        l2ks.updateKey(account, KEY_A, NEW_VALUE, bytes32(uint256(0xcc)));
    }

    function test_updateKey_protectedKeys_reverts() public {
        bytes32[3] memory keys =
            [KeystoreLayout.SALT_KEY, KeystoreLayout.WALLET_ID_KEY, KeystoreLayout.L2_UPDATE_ADDRESS_KEY];
        _expectNoMessage();
        for (uint256 i; i < keys.length; ++i) {
            bytes32 current = l2ks.loadKey(account, keys[i]);
            vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreReservedKey.selector, keys[i]));
            vm.prank(account);
            l2ks.updateKey(account, keys[i], current, NEW_VALUE);
        }
    }

    function test_updateKey_stranger_reverts() public {
        _expectNoMessage();
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreUnauthorized.selector, account, STRANGER));
        vm.prank(STRANGER);
        l2ks.updateKey(account, KEY_A, VALUE_A, NEW_VALUE);
    }

    function test_updateKey_notOptedIn_reverts() public {
        vm.prank(account);
        l1ks.updateAccess(account, address(l2ks), address(0));
        _syncOrigin(account);
        _expectNoMessage();
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreNotOptedIn.selector, account, address(0)));
        vm.prank(BOUND_EOA);
        l2ks.updateKey(account, KEY_A, VALUE_A, NEW_VALUE);
    }

    /// @dev The pre-check is against the origin: an L1 change not yet visible still passes here.
    function test_updateKey_staleOrigin_passesPrecheck_succeeds() public {
        vm.prank(account);
        l1ks.updateKey(account, KEY_A, VALUE_A, bytes32(uint256(0xcc)));
        _sendAs(BOUND_EOA, abi.encodeCall(l2ks.updateKey, (account, KEY_A, VALUE_A, NEW_VALUE)));
        _syncOrigin(account);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKS.L2KeystoreValueMismatch.selector, account, KEY_A, VALUE_A, bytes32(uint256(0xcc))
            )
        );
        vm.prank(BOUND_EOA);
        l2ks.updateKey(account, KEY_A, VALUE_A, NEW_VALUE);
    }

    function testFuzz_updateKey_anyValues_sendsExactCall_succeeds(bytes32 key, bytes32 oldValue, bytes32 newValue)
        public
    {
        vm.assume(key != KeystoreLayout.SALT_KEY && key != KeystoreLayout.WALLET_ID_KEY);
        vm.assume(key != KeystoreLayout.L2_UPDATE_ADDRESS_KEY);
        // put oldValue at the origin (directly: the double is "L1 at the origin")
        L1SloadDouble.set(address(l1ks), KeystoreLayout.keySlot(account, key), oldValue);
        (Withdrawal memory w, Sent memory s) =
            _sendAs(BOUND_EOA, abi.encodeCall(l2ks.updateKey, (account, key, oldValue, newValue)));
        _checkWithdrawal(
            w, s, abi.encodeCall(IL1Keystore.updateKey, (account, key, oldValue, newValue)), l2ks.UPDATE_KEY_GAS_LIMIT()
        );
    }

    function testFuzz_updateKey_mismatch_reverts(bytes32 current, bytes32 oldValue) public {
        vm.assume(current != oldValue);
        L1SloadDouble.set(address(l1ks), KeystoreLayout.keySlot(account, KEY_B), current);
        _expectNoMessage();
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreValueMismatch.selector, account, KEY_B, oldValue, current));
        vm.prank(BOUND_EOA);
        l2ks.updateKey(account, KEY_B, oldValue, NEW_VALUE);
    }

    // ================================================================ updateAccess

    function test_updateAccess_handOver_sendsL1Call_succeeds() public {
        address next = address(0x4E47);
        vm.expectEmit(address(l2ks));
        emit IKS.UpdateAccess(account, address(l2ks), next);
        (Withdrawal memory w, Sent memory s) =
            _sendAs(BOUND_EOA, abi.encodeCall(l2ks.updateAccess, (account, address(l2ks), next)));
        _checkWithdrawal(
            w,
            s,
            abi.encodeCall(IL1Keystore.updateAccess, (account, address(l2ks), next)),
            l2ks.UPDATE_ACCESS_GAS_LIMIT()
        );
    }

    function test_updateAccess_revoke_succeeds() public {
        (, Sent memory s) = _sendAs(account, abi.encodeCall(l2ks.updateAccess, (account, address(l2ks), address(0))));
        vm.assertEq(s.message, abi.encodeCall(IL1Keystore.updateAccess, (account, address(l2ks), address(0))));
    }

    function test_updateAccess_oldNotThis_reverts() public {
        _expectNoMessage();
        vm.expectRevert(
            abi.encodeWithSelector(
                IKS.L2KeystoreValueMismatch.selector,
                account,
                KeystoreLayout.L2_UPDATE_ADDRESS_KEY,
                _word(STRANGER),
                _word(address(l2ks))
            )
        );
        vm.prank(account);
        l2ks.updateAccess(account, STRANGER, address(0));
    }

    function test_updateAccess_stranger_reverts() public {
        _expectNoMessage();
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreUnauthorized.selector, account, STRANGER));
        vm.prank(STRANGER);
        l2ks.updateAccess(account, address(l2ks), STRANGER);
    }

    function test_updateAccess_notOptedIn_reverts() public {
        address plain = _register(bytes32(uint256(0x5a18)), address(0));
        _syncOrigin(plain);
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreNotOptedIn.selector, plain, address(0)));
        vm.prank(plain);
        l2ks.updateAccess(plain, address(0), address(l2ks));
    }

    /// @dev updateAccess reads two slots (update address, binding), not the update address twice.
    function test_updateAccess_precompileHalts_reverts() public {
        vm.etch(L1SloadDouble.PRECOMPILE, hex"fe");
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadCallFailed.selector, address(l1ks), 2, 6000));
        vm.prank(BOUND_EOA);
        l2ks.updateAccess(account, address(l2ks), address(0));
    }

    /// @dev The L2 messenger really is contracts-bedrock's (not a stand-in): version and other side.
    function test_fixture_genuineMessenger_succeeds() public view {
        vm.assertEq(L2_MESSENGER.OTHER_MESSENGER(), L1_MESSENGER);
        (bool ok, bytes memory ret) = OpStack.L2_CROSS_DOMAIN_MESSENGER.staticcall(abi.encodeWithSignature("version()"));
        vm.assertTrue(ok);
        vm.assertEq(keccak256(abi.decode(ret, (bytes))), keccak256("2.1.0"));
    }
}
