// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {KeystoreChainFixture} from "./KeystoreChainFixture.sol";
import {OpStack, IOpL1CrossDomainMessenger} from "../lib/OpStack.sol";
import {MockCrossDomainMessenger} from "../mocks/MockCrossDomainMessenger.sol";
import {IKeystoreChainL2Keystore as IKS} from "../../src/interfaces/IKeystoreChainL2Keystore.sol";
import {IL1Keystore} from "../../src/interfaces/IL1Keystore.sol";
import {ICrossDomainMessenger} from "../../src/interfaces/ICrossDomainMessenger.sol";
import {KeystoreLayout} from "../../src/libraries/KeystoreLayout.sol";

/// @notice The L1 side of a keystore-chain write, with the messenger a test double whose
///         `xDomainMessageSender()` is whatever the test relays as: the exact message bytes the
///         L2Keystore sent (taken from the genuine L2 messenger's SentMessage event) go into
///         L1Keystore, which applies them only from this L2Keystore, for opted-in accounts, with
///         the old value it expects.
contract KeystoreChainRelayMockTest is KeystoreChainFixture {
    MockCrossDomainMessenger internal mock;
    bytes32 internal constant NEW_VALUE = bytes32(uint256(0xbb));

    function _l1MessengerForKeystore() internal override returns (address) {
        mock = new MockCrossDomainMessenger();
        return address(mock);
    }

    function _l2Write() internal returns (bytes memory message) {
        (, Sent memory s) = _sendAs(BOUND_EOA, abi.encodeCall(l2ks.writeKey, (account, KEY_B, NEW_VALUE)));
        return s.message;
    }

    function test_relay_fromL2Keystore_applies_succeeds() public {
        bytes memory message = _l2Write();
        vm.expectEmit(address(l1ks));
        emit IL1Keystore.KeyChanged(account, KEY_B, bytes32(0), NEW_VALUE);
        mock.relay(address(l2ks), address(l1ks), message);
        vm.assertEq(l1ks.loadKey(account, KEY_B), NEW_VALUE);
    }

    function test_relay_updateKey_applies_succeeds() public {
        (, Sent memory s) = _sendAs(account, abi.encodeCall(l2ks.updateKey, (account, KEY_A, VALUE_A, NEW_VALUE)));
        mock.relay(address(l2ks), address(l1ks), s.message);
        vm.assertEq(l1ks.loadKey(account, KEY_A), NEW_VALUE);
    }

    function test_relay_updateAccess_applies_succeeds() public {
        address next = address(0x4E47);
        (, Sent memory s) = _sendAs(account, abi.encodeCall(l2ks.updateAccess, (account, address(l2ks), next)));
        mock.relay(address(l2ks), address(l1ks), s.message);
        vm.assertEq(l1ks.loadKey(account, KeystoreLayout.L2_UPDATE_ADDRESS_KEY), _word(next));
    }

    /// @dev The same bytes from any other L2 sender (another contract, an EOA calling the
    ///      messenger directly) are refused.
    function testFuzz_relay_otherSender_reverts(address sender) public {
        vm.assume(sender != address(l2ks) && sender != 0x000000000000000000000000000000000000dEaD);
        bytes memory message = _l2Write();
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, address(mock)));
        mock.relay(sender, address(l1ks), message);
        vm.assertEq(l1ks.loadKey(account, KEY_B), bytes32(0));
    }

    /// @dev An account that never opted in: no message from this L2Keystore applies to it (the
    ///      L2Keystore would not send one; the message is built here).
    function test_relay_accountWithoutOptIn_reverts() public {
        address plain = _register(bytes32(uint256(0x5a18)), address(0));
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, plain, address(mock)));
        mock.relay(address(l2ks), address(l1ks), abi.encodeCall(IL1Keystore.writeKey, (plain, KEY_B, NEW_VALUE)));
    }

    /// @dev Opt-out on L1 after the message was sent: L1 checks the update address at relay time.
    function test_relay_afterOptOut_reverts() public {
        bytes memory message = _l2Write();
        vm.prank(account);
        l1ks.updateAccess(account, address(l2ks), address(0));
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, address(mock)));
        mock.relay(address(l2ks), address(l1ks), message);
    }

    /// @dev The key changed on L1 between the L2 pre-check and the relay: compare-and-swap fails.
    function test_relay_wrongOldValue_reverts() public {
        (, Sent memory s) = _sendAs(BOUND_EOA, abi.encodeCall(l2ks.updateKey, (account, KEY_A, VALUE_A, NEW_VALUE)));
        vm.prank(account);
        l1ks.updateKey(account, KEY_A, VALUE_A, bytes32(uint256(0xcc)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IL1Keystore.KeystoreValueMismatch.selector, account, KEY_A, VALUE_A, bytes32(uint256(0xcc))
            )
        );
        mock.relay(address(l2ks), address(l1ks), s.message);
        vm.assertEq(l1ks.loadKey(account, KEY_A), bytes32(uint256(0xcc)));
    }

    function test_relay_writeKeyAlreadyWritten_reverts() public {
        bytes memory message = _l2Write();
        vm.prank(account);
        l1ks.writeKey(account, KEY_B, bytes32(uint256(0xdd)));
        vm.expectRevert(
            abi.encodeWithSelector(IL1Keystore.KeystoreKeyNotEmpty.selector, account, KEY_B, bytes32(uint256(0xdd)))
        );
        mock.relay(address(l2ks), address(l1ks), message);
    }
}

/// @notice The whole path with the genuine OP messengers on both sides: the L2Keystore's
///         withdrawal (MessagePassed data, gas limit) is finalized through a portal double into
///         the genuine L1CrossDomainMessenger, which calls L1Keystore. Covers the threat model's
///         claims about failed relays, replays by anyone, and re-armed messages.
contract KeystoreChainRelayOpTest is KeystoreChainFixture {
    IOpL1CrossDomainMessenger internal constant L1_CDM = IOpL1CrossDomainMessenger(L1_MESSENGER);
    bytes32 internal constant NEW_VALUE = bytes32(uint256(0xbb));

    /// @dev Replays `s` the way anyone can: relayMessage straight to the L1 messenger.
    function _replay(Sent memory s, address by) internal {
        vm.prank(by);
        L1_CDM.relayMessage(s.messageNonce, s.sender, s.target, 0, s.gasLimit, s.message);
    }

    /// @dev Withdrawal data is relayMessage(...) calldata; its hash is the messenger's message hash.
    function _hash(Withdrawal memory w) internal pure returns (bytes32) {
        return keccak256(w.data);
    }

    /// @dev Cold L1 state and exactly the withdrawal's gas limit: the gas-limit constant holds.
    function test_finalize_writeKey_appliesOnL1_succeeds() public {
        (Withdrawal memory w,) = _sendAs(BOUND_EOA, abi.encodeCall(l2ks.writeKey, (account, KEY_B, NEW_VALUE)));
        vm.expectEmit(address(l1ks));
        emit IL1Keystore.KeyChanged(account, KEY_B, bytes32(0), NEW_VALUE);
        vm.expectEmit(L1_MESSENGER);
        emit OpStack.RelayedMessage(_hash(w));
        vm.assertTrue(_finalize(w));
        vm.assertEq(l1ks.loadKey(account, KEY_B), NEW_VALUE);
        vm.assertTrue(L1_CDM.successfulMessages(_hash(w)));
        // a relayed message never applies twice
        vm.assertFalse(_finalize(w));
    }

    function test_finalize_updateKey_appliesOnL1_succeeds() public {
        (Withdrawal memory w,) =
            _sendAs(BOUND_EOA, abi.encodeCall(l2ks.updateKey, (account, KEY_A, VALUE_A, NEW_VALUE)));
        vm.assertTrue(_finalize(w));
        vm.assertEq(l1ks.loadKey(account, KEY_A), NEW_VALUE);
        vm.assertTrue(L1_CDM.successfulMessages(_hash(w)));
    }

    /// @dev Handing access to another contract: once relayed and visible at the origin, this
    ///      L2Keystore refuses the account.
    function test_finalize_updateAccess_handsOver_succeeds() public {
        address next = address(0x4E47);
        (Withdrawal memory w,) = _sendAs(account, abi.encodeCall(l2ks.updateAccess, (account, address(l2ks), next)));
        vm.assertTrue(_finalize(w));
        vm.assertTrue(L1_CDM.successfulMessages(_hash(w)));
        vm.assertEq(l1ks.loadKey(account, KeystoreLayout.L2_UPDATE_ADDRESS_KEY), _word(next));
        _syncOrigin(account);
        vm.expectRevert(abi.encodeWithSelector(IKS.L2KeystoreNotOptedIn.selector, account, next));
        vm.prank(BOUND_EOA);
        l2ks.writeKey(account, KEY_B, NEW_VALUE);
    }

    /// @dev Bypassing the L2Keystore (calling the L2 messenger directly with the same call): the
    ///      message arrives with the caller as xDomainMessageSender and L1Keystore refuses it.
    function test_finalize_messengerCalledDirectly_failsOnL1() public {
        vm.recordLogs();
        vm.prank(BOUND_EOA);
        ICrossDomainMessenger(OpStack.L2_CROSS_DOMAIN_MESSENGER)
            .sendMessage(address(l1ks), abi.encodeCall(IL1Keystore.writeKey, (account, KEY_B, NEW_VALUE)), 100_000);
        (Withdrawal memory w,) = _decode(vm.getRecordedLogs());
        vm.assertTrue(_finalize(w)); // the messenger records the failure, it does not revert
        vm.assertTrue(L1_CDM.failedMessages(_hash(w)));
        vm.assertEq(l1ks.loadKey(account, KEY_B), bytes32(0));
    }

    /// @dev Stale pre-check: the key changed on L1 after the origin the L2 read. The relay fails,
    ///      stays replayable by anyone, fails again while the value differs, and applies when the
    ///      key is back at the old value (the ABA case of the threat model).
    function test_finalize_staleUpdate_failsThenReplayableByAnyone_succeeds() public {
        vm.prank(account);
        l1ks.updateKey(account, KEY_A, VALUE_A, bytes32(uint256(0xcc)));
        (Withdrawal memory w, Sent memory s) =
            _sendAs(BOUND_EOA, abi.encodeCall(l2ks.updateKey, (account, KEY_A, VALUE_A, NEW_VALUE)));

        vm.expectEmit(L1_MESSENGER);
        emit OpStack.FailedRelayedMessage(_hash(w));
        vm.assertTrue(_finalize(w));
        vm.assertTrue(L1_CDM.failedMessages(_hash(w)));
        vm.assertFalse(L1_CDM.successfulMessages(_hash(w)));
        vm.assertEq(l1ks.loadKey(account, KEY_A), bytes32(uint256(0xcc)));

        _replay(s, STRANGER);
        vm.assertFalse(L1_CDM.successfulMessages(_hash(w)));
        vm.assertEq(l1ks.loadKey(account, KEY_A), bytes32(uint256(0xcc)));

        vm.prank(account);
        l1ks.updateKey(account, KEY_A, bytes32(uint256(0xcc)), VALUE_A);
        _replay(s, STRANGER);
        vm.assertTrue(L1_CDM.successfulMessages(_hash(w)));
        vm.assertEq(l1ks.loadKey(account, KEY_A), NEW_VALUE);

        vm.expectRevert("CrossDomainMessenger: message has already been relayed");
        _replay(s, STRANGER);
    }

    /// @dev Revoking access on L1 stops in-flight messages; re-granting access to the same
    ///      L2Keystore re-arms them (threat model: grant a new deployment instead).
    function test_finalize_afterRevoke_failsAndRegrantReArms_succeeds() public {
        (Withdrawal memory w, Sent memory s) =
            _sendAs(BOUND_EOA, abi.encodeCall(l2ks.writeKey, (account, KEY_B, NEW_VALUE)));
        vm.prank(account);
        l1ks.updateAccess(account, address(l2ks), address(0));

        vm.assertTrue(_finalize(w));
        vm.assertTrue(L1_CDM.failedMessages(_hash(w)));
        _replay(s, STRANGER);
        vm.assertEq(l1ks.loadKey(account, KEY_B), bytes32(0));

        vm.prank(account);
        l1ks.updateAccess(account, address(0), address(l2ks));
        _replay(s, STRANGER);
        vm.assertEq(l1ks.loadKey(account, KEY_B), NEW_VALUE);
    }

    /// @dev Too little gas is recoverable: a relayer that finalizes with less gas than the
    ///      messenger needs to give L1Keystore its minimum gas gets the message recorded as failed
    ///      (never run short), and anyone replays it with enough gas.
    function test_finalize_tooLittleGas_replayWithMoreGas_succeeds() public {
        (Withdrawal memory w, Sent memory s) =
            _sendAs(BOUND_EOA, abi.encodeCall(l2ks.writeKey, (account, KEY_B, NEW_VALUE)));
        vm.assertTrue(portal.finalize(w.sender, w.target, 80_000, w.data));
        vm.assertTrue(L1_CDM.failedMessages(_hash(w)));
        vm.assertEq(l1ks.loadKey(account, KEY_B), bytes32(0));
        vm.prank(STRANGER);
        L1_CDM.relayMessage{gas: 500_000}(s.messageNonce, s.sender, s.target, 0, s.gasLimit, s.message);
        vm.assertTrue(L1_CDM.successfulMessages(_hash(w)));
        vm.assertEq(l1ks.loadKey(account, KEY_B), NEW_VALUE);
    }
}
