// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "../lib/Test.sol";
import {L1Keystore} from "../../src/L1/L1Keystore.sol";
import {IL1Keystore} from "../../src/interfaces/IL1Keystore.sol";
import {Create3} from "../../src/libraries/Create3.sol";
import {MockCrossDomainMessenger} from "../mocks/MockCrossDomainMessenger.sol";
import {Create3Deployer, Create3Target} from "../mocks/Create3Deployer.sol";

/// @notice Shared fixture: a keystore with a (test double) messenger, one registered wallet id
///         with an implementation on this chain, and helpers to register accounts.
abstract contract L1KeystoreFixture is Test {
    L1Keystore internal ks;
    MockCrossDomainMessenger internal messenger;
    Create3Deployer internal factory;

    address internal constant WALLET_OWNER = address(0xA11CE);
    address internal constant IMPL = address(0x1111);
    address internal constant L2_UPDATER = address(0x4200000000000000000000000000000000000aBc);
    address internal constant STRANGER = address(0xBAD);
    bytes32 internal constant WALLET_ID = bytes32(uint256(7));
    bytes32 internal constant SALT = bytes32(uint256(0x5a17));
    bytes32 internal constant KEY_A = keccak256("owner.0");
    bytes32 internal constant KEY_B = keccak256("owner.1");
    bytes internal constant INITDATA = hex"c0ffee";

    bytes32 internal salt_;
    bytes32 internal walletId_;
    bytes32 internal initdataHash_;
    bytes32 internal l2UpdateKey_;

    function setUp() public virtual {
        messenger = new MockCrossDomainMessenger();
        factory = new Create3Deployer();
        ks = new L1Keystore(address(factory), address(messenger));
        salt_ = ks.SALT_KEY();
        walletId_ = ks.WALLET_ID_KEY();
        initdataHash_ = ks.INITDATA_HASH_KEY();
        l2UpdateKey_ = ks.L2_UPDATE_ADDRESS_KEY();
        vm.prank(WALLET_OWNER);
        ks.registerWallet(WALLET_ID, WALLET_OWNER);
        vm.prank(WALLET_OWNER);
        ks.setWalletImplementation(WALLET_ID, uint64(block.chainid), IMPL);
    }

    function _one(bytes32 x) internal pure returns (bytes32[] memory a) {
        a = new bytes32[](1);
        a[0] = x;
    }

    function _none() internal pure returns (bytes32[] memory) {
        return new bytes32[](0);
    }

    /// @dev Registers `salt` with KEY_A = 0xaa and the given L2 update address.
    function _register(bytes32 salt, address l2) internal returns (address) {
        return ks.registerAccount(salt, WALLET_ID, _one(KEY_A), _one(bytes32(uint256(0xaa))), INITDATA, l2);
    }

    function _relay(address sender, bytes memory call) internal {
        messenger.relay(sender, address(ks), call);
    }
}

contract L1KeystoreTest is L1KeystoreFixture {
    // ================================================================ constructor, constants

    function test_constructor_zeroFactory_reverts() public {
        vm.expectRevert(IL1Keystore.KeystoreZeroAddress.selector);
        new L1Keystore(address(0), address(messenger));
    }

    function test_constructor_zeroMessenger_succeeds() public {
        L1Keystore k = new L1Keystore(address(factory), address(0));
        vm.assertEq(k.MESSENGER(), address(0));
        vm.assertEq(k.ACCOUNT_FACTORY(), address(factory));
    }

    function test_constructor_immutables_succeeds() public view {
        vm.assertEq(ks.ACCOUNT_FACTORY(), address(factory));
        vm.assertEq(ks.MESSENGER(), address(messenger));
    }

    function test_reservedKeys_values_succeeds() public view {
        vm.assertEq(salt_, bytes32(uint256(keccak256("keystore.reserved.salt")) - 1));
        vm.assertEq(walletId_, bytes32(uint256(keccak256("keystore.reserved.walletId")) - 1));
        vm.assertEq(initdataHash_, bytes32(uint256(keccak256("keystore.reserved.initdataHash")) - 1));
        vm.assertEq(l2UpdateKey_, bytes32(uint256(keccak256("keystore.reserved.l2UpdateAddress")) - 1));
        vm.assertEq(salt_, 0x415fba7a3d0cc68729f8a5e6d15e56ab06259f82f811e53300bff610a12b8961);
        vm.assertEq(walletId_, 0xba2abc0c457d49241481bba48666833d02dc02206f1b34b44e5bedcb961f6800);
        vm.assertEq(initdataHash_, 0xffb23ad3efde36eb87f2758cc81a7f036b9852e7c3c5f7448ee25020757e6cce);
        vm.assertEq(l2UpdateKey_, 0x2c050ce82bc53344b1df802ed95b32f1484555dc00f6ccc4f5ca49bdcfb1d8f4);
    }

    /// @dev Slot 0 / slot 1 layout, checked against raw storage (L2s depend on it).
    function test_storageLayout_matchesSeed_succeeds() public {
        address account = _register(SALT, L2_UPDATER);
        bytes32 accountBase = keccak256(abi.encode(account, uint256(0)));
        vm.assertEq(vm.load(address(ks), keccak256(abi.encode(KEY_A, accountBase))), bytes32(uint256(0xaa)));
        vm.assertEq(vm.load(address(ks), keccak256(abi.encode(salt_, accountBase))), SALT);
        vm.assertEq(
            vm.load(address(ks), keccak256(abi.encode(l2UpdateKey_, accountBase))),
            bytes32(uint256(uint160(L2_UPDATER)))
        );
        vm.prank(account);
        ks.bindAddress(account, 99, bytes32(uint256(0xb1)));
        bytes32 bindingsBase = bytes32(uint256(accountBase) + 1);
        vm.assertEq(vm.load(address(ks), keccak256(abi.encode(uint64(99), bindingsBase))), bytes32(uint256(0xb1)));

        bytes32 walletBase = keccak256(abi.encode(WALLET_ID, uint256(1)));
        vm.assertEq(vm.load(address(ks), walletBase), bytes32(uint256(uint160(WALLET_OWNER))));
        bytes32 implSlot = keccak256(abi.encode(uint64(block.chainid), bytes32(uint256(walletBase) + 1)));
        vm.assertEq(vm.load(address(ks), implSlot), bytes32(uint256(uint160(IMPL))));
    }

    // ================================================================ computeAccountAddress, Create3

    function test_computeAccountAddress_matchesCreate3Deployment_succeeds() public {
        bytes32 salt = keccak256("some salt");
        address predicted = ks.computeAccountAddress(salt);
        address deployed =
            factory.deploy{value: 3}(salt, abi.encodePacked(type(Create3Target).creationCode, uint256(42)));
        vm.assertEq(deployed, predicted);
        vm.assertEq(Create3Target(deployed).TAG(), 42);
        vm.assertEq(deployed.balance, 3);
    }

    function test_computeAccountAddress_formula_succeeds(bytes32 salt) public view {
        address proxy = address(
            uint160(
                uint256(
                    keccak256(
                        abi.encodePacked(
                            hex"ff", address(factory), salt, keccak256(hex"67363d3d37363d34f03d5260086018f3")
                        )
                    )
                )
            )
        );
        address expected = address(uint160(uint256(keccak256(abi.encodePacked(hex"d694", proxy, hex"01")))));
        vm.assertEq(ks.computeAccountAddress(salt), expected);
    }

    function test_create3_proxyInitcodeHash_succeeds() public pure {
        vm.assertEq(keccak256(Create3.PROXY_INITCODE), Create3.PROXY_INITCODE_HASH);
        vm.assertEq(Create3.PROXY_INITCODE_HASH, 0x21c35dbe1b344a2488cf3321d6ce542f8e9f305544ff09e4993a62319a497c1f);
    }

    function test_create3_deploySameSaltTwice_reverts() public {
        bytes memory code = abi.encodePacked(type(Create3Target).creationCode, uint256(1));
        factory.deploy(SALT, code);
        vm.expectRevert(abi.encodeWithSelector(Create3.Create3ProxyDeployFailed.selector, SALT));
        factory.deploy(SALT, code);
    }

    function test_create3_revertingCreationCode_reverts() public {
        // init code `PUSH0 PUSH0 REVERT`
        vm.expectRevert(
            abi.encodeWithSelector(Create3.Create3DeployFailed.selector, SALT, ks.computeAccountAddress(SALT))
        );
        factory.deploy(SALT, hex"5f5ffd");
    }

    // ================================================================ registerAccount

    function test_registerAccount_valid_succeeds() public {
        address expected = ks.computeAccountAddress(SALT);
        bytes32 ih = keccak256(INITDATA);
        vm.expectEmit(address(ks));
        emit IL1Keystore.KeyChanged(expected, salt_, 0, SALT);
        vm.expectEmit(address(ks));
        emit IL1Keystore.KeyChanged(expected, walletId_, 0, WALLET_ID);
        vm.expectEmit(address(ks));
        emit IL1Keystore.KeyChanged(expected, initdataHash_, 0, ih);
        vm.expectEmit(address(ks));
        emit IL1Keystore.KeyChanged(expected, l2UpdateKey_, 0, bytes32(uint256(uint160(L2_UPDATER))));
        vm.expectEmit(address(ks));
        emit IL1Keystore.AccountRegistered(expected, SALT, WALLET_ID, ih, L2_UPDATER);
        vm.expectEmit(address(ks));
        emit IL1Keystore.KeyChanged(expected, KEY_A, 0, bytes32(uint256(0xaa)));
        address account = _register(SALT, L2_UPDATER);

        vm.assertEq(account, expected);
        vm.assertEq(ks.loadKey(account, salt_), SALT);
        vm.assertEq(ks.loadKey(account, walletId_), WALLET_ID);
        vm.assertEq(ks.loadKey(account, initdataHash_), ih);
        vm.assertEq(ks.loadKey(account, l2UpdateKey_), bytes32(uint256(uint160(L2_UPDATER))));
        vm.assertEq(ks.loadKey(account, KEY_A), bytes32(uint256(0xaa)));
    }

    function test_registerAccount_manyInitKeys_succeeds() public {
        bytes32[] memory keys = new bytes32[](3);
        bytes32[] memory values = new bytes32[](3);
        for (uint256 i; i < 3; ++i) {
            keys[i] = keccak256(abi.encode("k", i));
            values[i] = bytes32(i + 1);
        }
        address account = ks.registerAccount(SALT, WALLET_ID, keys, values, "", address(0));
        for (uint256 i; i < 3; ++i) {
            vm.assertEq(ks.loadKey(account, keys[i]), values[i]);
        }
        vm.assertEq(ks.loadKey(account, initdataHash_), keccak256(""));
    }

    function test_registerAccount_noL2Rollup_succeeds() public {
        address account = _register(SALT, address(0));
        vm.assertEq(ks.loadKey(account, l2UpdateKey_), bytes32(0));
    }

    function test_registerAccount_zeroSalt_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreInvalidSalt.selector, bytes32(0)));
        _register(0, address(0));
    }

    function test_registerAccount_saltBoundToOther_reverts() public {
        bytes32 salt = bytes32(abi.encodePacked(address(0xB0B), uint96(1)));
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreSaltBoundToOther.selector, salt, STRANGER));
        _register(salt, address(0));
    }

    function test_registerAccount_saltBoundToSender_succeeds() public {
        bytes32 salt = bytes32(abi.encodePacked(address(0xB0B), uint96(1)));
        vm.prank(address(0xB0B));
        address account = _register(salt, address(0));
        vm.assertEq(ks.loadKey(account, salt_), salt);
    }

    function test_registerAccount_lengthMismatch_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreLengthMismatch.selector, 1, 0));
        ks.registerAccount(SALT, WALLET_ID, _one(KEY_A), _none(), INITDATA, address(0));
    }

    function test_registerAccount_walletNotRegistered_reverts() public {
        bytes32 wid = bytes32(uint256(8));
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreWalletNotRegistered.selector, wid));
        ks.registerAccount(SALT, wid, _none(), _none(), INITDATA, address(0));
    }

    function test_registerAccount_zeroWalletId_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreWalletNotRegistered.selector, bytes32(0)));
        ks.registerAccount(SALT, 0, _none(), _none(), INITDATA, address(0));
    }

    function test_registerAccount_accountExists_reverts() public {
        address account = _register(SALT, address(0));
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreAccountExists.selector, account));
        _register(SALT, L2_UPDATER);
    }

    function test_registerAccount_reservedInitKey_reverts() public {
        bytes32[4] memory reserved = [salt_, walletId_, initdataHash_, l2UpdateKey_];
        for (uint256 i; i < 4; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreReservedKey.selector, reserved[i]));
            ks.registerAccount(SALT, WALLET_ID, _one(reserved[i]), _one(bytes32(uint256(1))), INITDATA, address(0));
        }
    }

    function test_registerAccount_zeroInitValue_reverts() public {
        address account = ks.computeAccountAddress(SALT);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreZeroValue.selector, account, KEY_A));
        ks.registerAccount(SALT, WALLET_ID, _one(KEY_A), _one(0), INITDATA, address(0));
    }

    function test_registerAccount_duplicateInitKey_reverts() public {
        bytes32[] memory keys = new bytes32[](2);
        bytes32[] memory values = new bytes32[](2);
        keys[0] = KEY_A;
        keys[1] = KEY_A;
        values[0] = bytes32(uint256(1));
        values[1] = bytes32(uint256(2));
        address account = ks.computeAccountAddress(SALT);
        vm.expectRevert(
            abi.encodeWithSelector(IL1Keystore.KeystoreKeyNotEmpty.selector, account, KEY_A, bytes32(uint256(1)))
        );
        ks.registerAccount(SALT, WALLET_ID, keys, values, INITDATA, address(0));
    }

    function test_registerAccount_boundSaltFuzz_succeeds(address sender, uint96 tail) public {
        vm.assume(sender != address(0));
        bytes32 salt = bytes32(abi.encodePacked(sender, tail));
        vm.prank(sender);
        address account = ks.registerAccount(salt, WALLET_ID, _none(), _none(), "", address(0));
        vm.assertEq(account, ks.computeAccountAddress(salt));
    }

    function test_registerAccount_boundSaltFuzz_reverts(address owner, address sender, uint96 tail) public {
        vm.assume(owner != address(0) && owner != sender);
        bytes32 salt = bytes32(abi.encodePacked(owner, tail));
        vm.prank(sender);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreSaltBoundToOther.selector, salt, sender));
        ks.registerAccount(salt, WALLET_ID, _none(), _none(), "", address(0));
    }

    // ================================================================ loadKey

    function test_loadKey_unset_succeeds() public {
        address account = _register(SALT, address(0));
        vm.assertEq(ks.loadKey(account, KEY_B), bytes32(0));
        vm.assertEq(ks.loadKey(STRANGER, KEY_A), bytes32(0));
    }

    // ================================================================ writeKey

    function test_writeKey_byAccount_succeeds() public {
        address account = _register(SALT, address(0));
        vm.expectEmit(address(ks));
        emit IL1Keystore.KeyChanged(account, KEY_B, 0, bytes32(uint256(0xbb)));
        vm.prank(account);
        ks.writeKey(account, KEY_B, bytes32(uint256(0xbb)));
        vm.assertEq(ks.loadKey(account, KEY_B), bytes32(uint256(0xbb)));
    }

    function test_writeKey_byMessengerFromUpdater_succeeds() public {
        address account = _register(SALT, L2_UPDATER);
        _relay(L2_UPDATER, abi.encodeCall(ks.writeKey, (account, KEY_B, bytes32(uint256(0xbb)))));
        vm.assertEq(ks.loadKey(account, KEY_B), bytes32(uint256(0xbb)));
    }

    function test_writeKey_byMessengerFromOtherSender_reverts() public {
        address account = _register(SALT, L2_UPDATER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, messenger));
        _relay(STRANGER, abi.encodeCall(ks.writeKey, (account, KEY_B, bytes32(uint256(0xbb)))));
    }

    function test_writeKey_byMessengerNotOptedIn_reverts() public {
        address account = _register(SALT, address(0));
        // Not even the zero address as L2 sender matches an account that did not opt in.
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, messenger));
        _relay(address(0), abi.encodeCall(ks.writeKey, (account, KEY_B, bytes32(uint256(0xbb)))));
    }

    function test_writeKey_updaterDirectlyOnL1_reverts() public {
        address account = _register(SALT, L2_UPDATER);
        vm.prank(L2_UPDATER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, L2_UPDATER));
        ks.writeKey(account, KEY_B, bytes32(uint256(0xbb)));
    }

    function test_writeKey_noMessengerConfigured_reverts() public {
        L1Keystore k = new L1Keystore(address(factory), address(0));
        vm.prank(WALLET_OWNER);
        k.registerWallet(WALLET_ID, WALLET_OWNER);
        address account = k.registerAccount(SALT, WALLET_ID, _none(), _none(), "", L2_UPDATER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, messenger));
        messenger.relay(L2_UPDATER, address(k), abi.encodeCall(k.writeKey, (account, KEY_B, bytes32(uint256(1)))));
        vm.prank(address(0));
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, address(0)));
        k.writeKey(account, KEY_B, bytes32(uint256(1)));
    }

    function test_writeKey_stranger_reverts(address caller) public {
        address account = _register(SALT, L2_UPDATER);
        vm.assume(caller != account && caller != address(messenger));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, caller));
        ks.writeKey(account, KEY_B, bytes32(uint256(0xbb)));
    }

    function test_writeKey_unregisteredAccount_reverts() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreAccountNotRegistered.selector, STRANGER));
        ks.writeKey(STRANGER, KEY_B, bytes32(uint256(1)));
    }

    function test_writeKey_keyNotEmpty_reverts() public {
        address account = _register(SALT, address(0));
        vm.prank(account);
        vm.expectRevert(
            abi.encodeWithSelector(IL1Keystore.KeystoreKeyNotEmpty.selector, account, KEY_A, bytes32(uint256(0xaa)))
        );
        ks.writeKey(account, KEY_A, bytes32(uint256(1)));
    }

    function test_writeKey_zeroValue_reverts() public {
        address account = _register(SALT, address(0));
        vm.prank(account);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreZeroValue.selector, account, KEY_B));
        ks.writeKey(account, KEY_B, 0);
    }

    function test_writeKey_protectedKey_reverts() public {
        address account = _register(SALT, address(0));
        bytes32[3] memory protectedKeys = [salt_, walletId_, l2UpdateKey_];
        for (uint256 i; i < 3; ++i) {
            vm.prank(account);
            vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreReservedKey.selector, protectedKeys[i]));
            ks.writeKey(account, protectedKeys[i], bytes32(uint256(1)));
        }
    }

    function test_writeKey_initdataHashAfterClear_succeeds() public {
        address account = _register(SALT, address(0));
        vm.startPrank(account);
        ks.updateKey(account, initdataHash_, keccak256(INITDATA), 0);
        ks.writeKey(account, initdataHash_, keccak256("new init data"));
        vm.stopPrank();
        vm.assertEq(ks.loadKey(account, initdataHash_), keccak256("new init data"));
    }

    function test_writeKey_anyKeyFuzz_succeeds(bytes32 key, bytes32 value) public {
        address account = _register(SALT, address(0));
        vm.assume(key != KEY_A && key != salt_ && key != walletId_ && key != initdataHash_ && key != l2UpdateKey_);
        vm.assume(value != 0);
        vm.prank(account);
        ks.writeKey(account, key, value);
        vm.assertEq(ks.loadKey(account, key), value);
    }

    // ================================================================ updateKey

    function test_updateKey_matchingOldValue_succeeds() public {
        address account = _register(SALT, address(0));
        vm.expectEmit(address(ks));
        emit IL1Keystore.KeyChanged(account, KEY_A, bytes32(uint256(0xaa)), bytes32(uint256(0xab)));
        vm.prank(account);
        ks.updateKey(account, KEY_A, bytes32(uint256(0xaa)), bytes32(uint256(0xab)));
        vm.assertEq(ks.loadKey(account, KEY_A), bytes32(uint256(0xab)));
    }

    function test_updateKey_wrongOldValue_reverts() public {
        address account = _register(SALT, address(0));
        vm.prank(account);
        vm.expectRevert(
            abi.encodeWithSelector(
                IL1Keystore.KeystoreValueMismatch.selector,
                account,
                KEY_A,
                bytes32(uint256(0xa0)),
                bytes32(uint256(0xaa))
            )
        );
        ks.updateKey(account, KEY_A, bytes32(uint256(0xa0)), bytes32(uint256(0xab)));
        vm.assertEq(ks.loadKey(account, KEY_A), bytes32(uint256(0xaa)));
    }

    function test_updateKey_wrongOldValueFuzz_reverts(bytes32 key, bytes32 current, bytes32 wrongOld, bytes32 next)
        public
    {
        address account = _register(SALT, address(0));
        vm.assume(key != KEY_A && key != salt_ && key != walletId_ && key != initdataHash_ && key != l2UpdateKey_);
        vm.assume(wrongOld != current);
        vm.startPrank(account);
        if (current != 0) ks.writeKey(account, key, current);
        vm.expectRevert(
            abi.encodeWithSelector(IL1Keystore.KeystoreValueMismatch.selector, account, key, wrongOld, current)
        );
        ks.updateKey(account, key, wrongOld, next);
        vm.stopPrank();
        vm.assertEq(ks.loadKey(account, key), current);
    }

    function test_updateKey_clearThenWrite_succeeds() public {
        address account = _register(SALT, address(0));
        vm.startPrank(account);
        vm.expectEmit(address(ks));
        emit IL1Keystore.KeyChanged(account, KEY_A, bytes32(uint256(0xaa)), 0);
        ks.updateKey(account, KEY_A, bytes32(uint256(0xaa)), 0);
        vm.assertEq(ks.loadKey(account, KEY_A), bytes32(0));
        ks.writeKey(account, KEY_A, bytes32(uint256(0xcc)));
        vm.stopPrank();
        vm.assertEq(ks.loadKey(account, KEY_A), bytes32(uint256(0xcc)));
    }

    function test_updateKey_fromZero_succeeds() public {
        address account = _register(SALT, address(0));
        vm.prank(account);
        ks.updateKey(account, KEY_B, 0, bytes32(uint256(0xbb)));
        vm.assertEq(ks.loadKey(account, KEY_B), bytes32(uint256(0xbb)));
    }

    function test_updateKey_protectedKey_reverts() public {
        address account = _register(SALT, L2_UPDATER);
        vm.startPrank(account);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreReservedKey.selector, salt_));
        ks.updateKey(account, salt_, SALT, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreReservedKey.selector, walletId_));
        ks.updateKey(account, walletId_, WALLET_ID, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreReservedKey.selector, l2UpdateKey_));
        ks.updateKey(account, l2UpdateKey_, bytes32(uint256(uint160(L2_UPDATER))), bytes32(uint256(1)));
        vm.stopPrank();
    }

    function test_updateKey_initdataHash_succeeds() public {
        address account = _register(SALT, address(0));
        vm.prank(account);
        ks.updateKey(account, initdataHash_, keccak256(INITDATA), keccak256("v2"));
        vm.assertEq(ks.loadKey(account, initdataHash_), keccak256("v2"));
    }

    function test_updateKey_byMessengerFromUpdater_succeeds() public {
        address account = _register(SALT, L2_UPDATER);
        _relay(L2_UPDATER, abi.encodeCall(ks.updateKey, (account, KEY_A, bytes32(uint256(0xaa)), bytes32(uint256(2)))));
        vm.assertEq(ks.loadKey(account, KEY_A), bytes32(uint256(2)));
    }

    function test_updateKey_byMessengerFromOtherSender_reverts() public {
        address account = _register(SALT, L2_UPDATER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, messenger));
        _relay(STRANGER, abi.encodeCall(ks.updateKey, (account, KEY_A, bytes32(uint256(0xaa)), bytes32(uint256(2)))));
    }

    function test_updateKey_stranger_reverts() public {
        address account = _register(SALT, address(0));
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, STRANGER));
        ks.updateKey(account, KEY_A, bytes32(uint256(0xaa)), 0);
    }

    function test_updateKey_unregisteredAccount_reverts() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreAccountNotRegistered.selector, STRANGER));
        ks.updateKey(STRANGER, KEY_A, 0, bytes32(uint256(1)));
    }

    /// @dev A relayed write that failed stays replayable in the genuine messenger; CAS makes a
    ///      late replay fail again once the key moved on.
    function test_updateKey_replayAfterKeyMoved_reverts() public {
        address account = _register(SALT, L2_UPDATER);
        bytes memory m = abi.encodeCall(ks.updateKey, (account, KEY_A, bytes32(uint256(0xaa)), bytes32(uint256(1))));
        _relay(L2_UPDATER, m);
        vm.expectRevert(
            abi.encodeWithSelector(
                IL1Keystore.KeystoreValueMismatch.selector, account, KEY_A, bytes32(uint256(0xaa)), bytes32(uint256(1))
            )
        );
        _relay(L2_UPDATER, m);
    }

    // ================================================================ updateAccess

    function test_updateAccess_byAccount_succeeds() public {
        address account = _register(SALT, address(0));
        vm.expectEmit(address(ks));
        emit IL1Keystore.KeyChanged(account, l2UpdateKey_, 0, bytes32(uint256(uint160(L2_UPDATER))));
        vm.expectEmit(address(ks));
        emit IL1Keystore.AccessUpdated(account, address(0), L2_UPDATER);
        vm.prank(account);
        ks.updateAccess(account, address(0), L2_UPDATER);
        _relay(L2_UPDATER, abi.encodeCall(ks.writeKey, (account, KEY_B, bytes32(uint256(1)))));
        vm.assertEq(ks.loadKey(account, KEY_B), bytes32(uint256(1)));
    }

    function test_updateAccess_byUpdaterMovesAccess_succeeds() public {
        address account = _register(SALT, L2_UPDATER);
        address next = address(0xBEEF);
        _relay(L2_UPDATER, abi.encodeCall(ks.updateAccess, (account, L2_UPDATER, next)));
        vm.assertEq(ks.loadKey(account, l2UpdateKey_), bytes32(uint256(uint160(next))));
        // the old updater lost access, the new one has it
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, messenger));
        _relay(L2_UPDATER, abi.encodeCall(ks.writeKey, (account, KEY_B, bytes32(uint256(1)))));
        _relay(next, abi.encodeCall(ks.writeKey, (account, KEY_B, bytes32(uint256(1)))));
    }

    function test_updateAccess_revoke_succeeds() public {
        address account = _register(SALT, L2_UPDATER);
        vm.prank(account);
        ks.updateAccess(account, L2_UPDATER, address(0));
        vm.assertEq(ks.loadKey(account, l2UpdateKey_), bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, messenger));
        _relay(L2_UPDATER, abi.encodeCall(ks.writeKey, (account, KEY_B, bytes32(uint256(1)))));
    }

    function test_updateAccess_wrongOldAddress_reverts() public {
        address account = _register(SALT, L2_UPDATER);
        vm.prank(account);
        vm.expectRevert(
            abi.encodeWithSelector(
                IL1Keystore.KeystoreValueMismatch.selector,
                account,
                l2UpdateKey_,
                bytes32(0),
                bytes32(uint256(uint160(L2_UPDATER)))
            )
        );
        ks.updateAccess(account, address(0), address(0xBEEF));
    }

    function test_updateAccess_stranger_reverts() public {
        address account = _register(SALT, L2_UPDATER);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, STRANGER));
        ks.updateAccess(account, L2_UPDATER, STRANGER);
    }

    function test_updateAccess_unregisteredAccount_reverts() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreAccountNotRegistered.selector, STRANGER));
        ks.updateAccess(STRANGER, address(0), L2_UPDATER);
    }

    // ================================================================ bindAddress

    function test_bindAddress_byAccount_succeeds() public {
        address account = _register(SALT, address(0));
        vm.expectEmit(address(ks));
        emit IL1Keystore.AddressBound(account, 501, bytes32(uint256(0x501)));
        vm.prank(account);
        ks.bindAddress(account, 501, bytes32(uint256(0x501)));
        vm.assertEq(ks.boundAddress(account, 501), bytes32(uint256(0x501)));
        vm.prank(account);
        ks.bindAddress(account, 501, 0);
        vm.assertEq(ks.boundAddress(account, 501), bytes32(0));
    }

    function test_bindAddress_byMessengerFromUpdater_succeeds() public {
        address account = _register(SALT, L2_UPDATER);
        _relay(L2_UPDATER, abi.encodeCall(ks.bindAddress, (account, 501, bytes32(uint256(0x501)))));
        vm.assertEq(ks.boundAddress(account, 501), bytes32(uint256(0x501)));
    }

    function test_bindAddress_stranger_reverts() public {
        address account = _register(SALT, address(0));
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreUnauthorized.selector, account, STRANGER));
        ks.bindAddress(account, 501, bytes32(uint256(1)));
    }

    function test_bindAddress_unregisteredAccount_reverts() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreAccountNotRegistered.selector, STRANGER));
        ks.bindAddress(STRANGER, 501, bytes32(uint256(1)));
    }

    // ================================================================ getWalletImplementation

    function test_getWalletImplementation_currentChain_succeeds() public {
        address account = _register(SALT, address(0));
        vm.assertEq(ks.getWalletImplementation(account), IMPL);
        vm.prank(WALLET_OWNER);
        ks.setWalletImplementation(WALLET_ID, 902, address(0x902));
        vm.chainId(902);
        vm.assertEq(ks.getWalletImplementation(account), address(0x902));
    }

    function test_getWalletImplementation_noImplementationOnChain_reverts() public {
        address account = _register(SALT, address(0));
        vm.chainId(903);
        vm.expectRevert(
            abi.encodeWithSelector(IL1Keystore.KeystoreImplementationNotRegistered.selector, WALLET_ID, 903)
        );
        ks.getWalletImplementation(account);
    }

    function test_getWalletImplementation_unregisteredAccount_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreAccountNotRegistered.selector, STRANGER));
        ks.getWalletImplementation(STRANGER);
    }

    // ================================================================ wallet registry

    function test_registerWallet_valid_succeeds() public {
        bytes32 wid = bytes32(uint256(8));
        vm.expectEmit(address(ks));
        emit IL1Keystore.WalletRegistered(wid, address(0xC0));
        vm.prank(STRANGER);
        ks.registerWallet(wid, address(0xC0));
        vm.assertEq(ks.walletOwner(wid), address(0xC0));
    }

    function test_registerWallet_zeroId_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreInvalidWalletId.selector, bytes32(0)));
        ks.registerWallet(0, WALLET_OWNER);
    }

    function test_registerWallet_zeroOwner_reverts() public {
        vm.expectRevert(IL1Keystore.KeystoreZeroAddress.selector);
        ks.registerWallet(bytes32(uint256(8)), address(0));
    }

    function test_registerWallet_alreadyRegistered_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreWalletAlreadyRegistered.selector, WALLET_ID));
        ks.registerWallet(WALLET_ID, STRANGER);
    }

    function test_registerWallet_idBoundToOther_reverts() public {
        bytes32 wid = bytes32(abi.encodePacked(WALLET_OWNER, uint96(1)));
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreWalletIdBoundToOther.selector, wid, STRANGER));
        ks.registerWallet(wid, STRANGER);
    }

    function test_registerWallet_idBoundToSender_succeeds() public {
        bytes32 wid = bytes32(abi.encodePacked(WALLET_OWNER, uint96(1)));
        vm.prank(WALLET_OWNER);
        ks.registerWallet(wid, address(0xC0));
        vm.assertEq(ks.walletOwner(wid), address(0xC0));
    }

    function test_setWalletImplementation_byOwner_succeeds() public {
        vm.expectEmit(address(ks));
        emit IL1Keystore.WalletImplementationSet(WALLET_ID, 902, address(0x902));
        vm.prank(WALLET_OWNER);
        ks.setWalletImplementation(WALLET_ID, 902, address(0x902));
        vm.assertEq(ks.walletImplementation(WALLET_ID, 902), address(0x902));
        vm.prank(WALLET_OWNER);
        ks.setWalletImplementation(WALLET_ID, 902, address(0));
        vm.assertEq(ks.walletImplementation(WALLET_ID, 902), address(0));
    }

    function test_setWalletImplementation_notOwner_reverts() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreNotWalletOwner.selector, WALLET_ID, STRANGER));
        ks.setWalletImplementation(WALLET_ID, 902, address(0x902));
    }

    function test_setWalletImplementation_notRegistered_reverts() public {
        bytes32 wid = bytes32(uint256(8));
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreWalletNotRegistered.selector, wid));
        ks.setWalletImplementation(wid, 902, address(0x902));
    }

    function test_transferWalletOwnership_byOwner_succeeds() public {
        vm.expectEmit(address(ks));
        emit IL1Keystore.WalletOwnershipTransferred(WALLET_ID, WALLET_OWNER, address(0xC0));
        vm.prank(WALLET_OWNER);
        ks.transferWalletOwnership(WALLET_ID, address(0xC0));
        vm.assertEq(ks.walletOwner(WALLET_ID), address(0xC0));
        vm.prank(WALLET_OWNER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreNotWalletOwner.selector, WALLET_ID, WALLET_OWNER));
        ks.setWalletImplementation(WALLET_ID, 902, address(0x902));
        vm.prank(address(0xC0));
        ks.setWalletImplementation(WALLET_ID, 902, address(0x902));
    }

    function test_transferWalletOwnership_zeroOwner_reverts() public {
        vm.prank(WALLET_OWNER);
        vm.expectRevert(IL1Keystore.KeystoreZeroAddress.selector);
        ks.transferWalletOwnership(WALLET_ID, address(0));
    }

    function test_transferWalletOwnership_notOwner_reverts() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreNotWalletOwner.selector, WALLET_ID, STRANGER));
        ks.transferWalletOwnership(WALLET_ID, STRANGER);
    }

    function test_transferWalletOwnership_notRegistered_reverts() public {
        bytes32 wid = bytes32(uint256(8));
        vm.expectRevert(abi.encodeWithSelector(IL1Keystore.KeystoreWalletNotRegistered.selector, wid));
        ks.transferWalletOwnership(wid, STRANGER);
    }
}
