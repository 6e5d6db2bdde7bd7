// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test, Vm} from "../lib/Test.sol";
import {OpStack, IOpL2ToL1MessagePasser, IOpL2CrossDomainMessenger} from "../lib/OpStack.sol";
import {L1Keystore} from "../../src/L1/L1Keystore.sol";
import {KeystoreChainL2Keystore} from "../../src/L2/KeystoreChainL2Keystore.sol";
import {ICrossDomainMessenger} from "../../src/interfaces/ICrossDomainMessenger.sol";
import {KeystoreLayout} from "../../src/libraries/KeystoreLayout.sol";
import {L1SloadDouble} from "../mocks/L1SloadPrecompileDouble.sol";
import {OptimismPortalDouble} from "../mocks/OptimismPortalDouble.sol";

/// @notice The keystore chain and its L1 in one forge EVM (chain id 901):
///         L2: the genuine OP L1Block, L2ToL1MessagePasser and L2CrossDomainMessenger at their
///             predeploy addresses (contracts-bedrock artifacts), the L1SLOAD test double at
///             0x…0101, and KeystoreChainL2Keystore.
///         L1: L1Keystore trusting `_l1MessengerForKeystore()` (by default the genuine
///             L1CrossDomainMessenger, whose portal is a test double), with one wallet id, an
///             implementation for chain 901, and ACCOUNT registered with the L2Keystore as its L2
///             update address and BOUND_EOA bound for chain 901.
///         "L1 state at the L1 origin" is what the L1SLOAD double serves; `_syncOrigin` copies
///         slots from L1Keystore into it, i.e. the L1 origin catches up with L1. Until then the
///         L2 side sees the old values, exactly the staleness the threat model describes.
abstract contract KeystoreChainFixture is Test {
    uint64 internal constant CHAIN_ID = 901;
    address internal constant L1_MESSENGER = address(0x1C0D);
    address internal constant SUPERCHAIN_CONFIG = address(0x5C0F);
    address internal constant SYSTEM_CONFIG = address(0x5757);
    address internal constant FACTORY = address(0xFAC7);
    address internal constant WALLET_OWNER = address(0xA11CE);
    address internal constant IMPL = address(0x1111);
    address internal constant BOUND_EOA = address(0xB0B);
    address internal constant STRANGER = address(0xBAD);
    bytes32 internal constant WALLET_ID = bytes32(uint256(7));
    bytes32 internal constant SALT = bytes32(uint256(0x5a17));
    bytes32 internal constant KEY_A = keccak256("owner.0");
    bytes32 internal constant KEY_B = keccak256("owner.1");
    bytes32 internal constant VALUE_A = bytes32(uint256(0xaa));
    bytes internal constant INITDATA = hex"c0ffee";
    uint64 internal constant ORIGIN_NUMBER = 4242;

    L1Keystore internal l1ks;
    KeystoreChainL2Keystore internal l2ks;
    OptimismPortalDouble internal portal;
    address internal account;

    IOpL2ToL1MessagePasser internal constant PASSER = IOpL2ToL1MessagePasser(OpStack.L2_TO_L1_MESSAGE_PASSER);
    IOpL2CrossDomainMessenger internal constant L2_MESSENGER =
        IOpL2CrossDomainMessenger(OpStack.L2_CROSS_DOMAIN_MESSENGER);

    /// @dev A withdrawal as L2ToL1MessagePasser's MessagePassed event describes it.
    struct Withdrawal {
        uint256 nonce;
        address sender;
        address target;
        uint256 value;
        uint256 gasLimit;
        bytes data;
        bytes32 withdrawalHash;
    }

    /// @dev A message as L2CrossDomainMessenger's SentMessage event describes it.
    struct Sent {
        address target;
        address sender;
        bytes message;
        uint256 messageNonce;
        uint256 gasLimit;
    }

    function setUp() public virtual {
        vm.chainId(CHAIN_ID);
        L1SloadDouble.install();
        OpStack.installL2(L1_MESSENGER);
        portal = new OptimismPortalDouble();
        OpStack.installL1Messenger(L1_MESSENGER, address(portal), SUPERCHAIN_CONFIG, SYSTEM_CONFIG);
        OpStack.setL1Origin(ORIGIN_NUMBER, 1_700_000_000, keccak256("origin"));

        l1ks = new L1Keystore(FACTORY, _l1MessengerForKeystore());
        l2ks = new KeystoreChainL2Keystore(address(l1ks), address(0));

        vm.startPrank(WALLET_OWNER);
        l1ks.registerWallet(WALLET_ID, WALLET_OWNER);
        l1ks.setWalletImplementation(WALLET_ID, CHAIN_ID, IMPL);
        vm.stopPrank();
        account = _register(SALT, address(l2ks));
        vm.prank(account);
        l1ks.bindAddress(account, CHAIN_ID, _word(BOUND_EOA));
        _syncOrigin(account);
    }

    /// @dev The messenger L1Keystore trusts; the genuine L1CrossDomainMessenger unless overridden.
    function _l1MessengerForKeystore() internal virtual returns (address) {
        return L1_MESSENGER;
    }

    function _register(bytes32 salt, address l2Rollup) internal returns (address) {
        bytes32[] memory keys = new bytes32[](1);
        keys[0] = KEY_A;
        bytes32[] memory values = new bytes32[](1);
        values[0] = VALUE_A;
        return l1ks.registerAccount(salt, WALLET_ID, keys, values, INITDATA, l2Rollup);
    }

    function _word(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    /// @dev The L1 origin catches up with L1 for the slots the tests read of `who`.
    function _syncOrigin(address who) internal {
        _syncKey(who, KeystoreLayout.SALT_KEY);
        _syncKey(who, KeystoreLayout.WALLET_ID_KEY);
        _syncKey(who, KeystoreLayout.INITDATA_HASH_KEY);
        _syncKey(who, KeystoreLayout.L2_UPDATE_ADDRESS_KEY);
        _syncKey(who, KEY_A);
        _syncKey(who, KEY_B);
        L1SloadDouble.copyFrom(address(l1ks), KeystoreLayout.bindingSlot(who, CHAIN_ID));
        L1SloadDouble.copyFrom(address(l1ks), KeystoreLayout.implementationSlot(WALLET_ID, CHAIN_ID));
    }

    function _syncKey(address who, bytes32 key) internal {
        L1SloadDouble.copyFrom(address(l1ks), KeystoreLayout.keySlot(who, key));
    }

    /// @dev Expects the messenger's sendMessage never to be called for the rest of the test, not
    ///      even in a frame that later reverts (forge counts those too), so a revert cannot hide a
    ///      message sent before the check that failed.
    function _expectNoMessage() internal {
        vm.expectCall(
            OpStack.L2_CROSS_DOMAIN_MESSENGER, abi.encodePacked(ICrossDomainMessenger.sendMessage.selector), 0
        );
    }

    /// @dev The MessagePassed and SentMessage events among `logs` (exactly one of each expected).
    function _decode(Vm.Log[] memory logs) internal pure returns (Withdrawal memory w, Sent memory s) {
        uint256 passed;
        uint256 sent;
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter == OpStack.L2_TO_L1_MESSAGE_PASSER && log.topics[0] == OpStack.MessagePassed.selector) {
                ++passed;
                w.nonce = uint256(log.topics[1]);
                w.sender = address(uint160(uint256(log.topics[2])));
                w.target = address(uint160(uint256(log.topics[3])));
                (w.value, w.gasLimit, w.data, w.withdrawalHash) =
                    abi.decode(log.data, (uint256, uint256, bytes, bytes32));
            } else if (
                log.emitter == OpStack.L2_CROSS_DOMAIN_MESSENGER && log.topics[0] == OpStack.SentMessage.selector
            ) {
                ++sent;
                s.target = address(uint160(uint256(log.topics[1])));
                (s.sender, s.message, s.messageNonce, s.gasLimit) =
                    abi.decode(log.data, (address, bytes, uint256, uint256));
            }
        }
        require(passed == 1 && sent == 1, "expected one MessagePassed and one SentMessage");
    }

    /// @dev Runs `call` on L2 from `caller`, returns the withdrawal it created.
    function _sendAs(address caller, bytes memory call) internal returns (Withdrawal memory w, Sent memory s) {
        vm.recordLogs();
        vm.prank(caller);
        (bool ok, bytes memory ret) = address(l2ks).call(call);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return _decode(vm.getRecordedLogs());
    }

    /// @dev Finalizes `w` on L1 through the portal double and the genuine L1CrossDomainMessenger
    ///      with exactly the withdrawal's gas limit. Returns whether the portal's call succeeded
    ///      (the messenger returns normally for a failed relay too; see failedMessages).
    function _finalize(Withdrawal memory w) internal returns (bool) {
        return portal.finalize(w.sender, w.target, w.gasLimit, w.data);
    }
}
