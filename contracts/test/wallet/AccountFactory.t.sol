// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {WalletFixture} from "./WalletFixture.sol";
import {MockWalletKeystore} from "../mocks/MockWalletKeystore.sol";
import {AccountFactory} from "../../src/wallet/AccountFactory.sol";
import {AccountFactoryNonEvm} from "../../src/wallet/AccountFactoryNonEvm.sol";
import {KeystoreAccount} from "../../src/wallet/KeystoreAccount.sol";
import {IAccountFactory} from "../../src/interfaces/IAccountFactory.sol";
import {IKeystoreAccount} from "../../src/interfaces/IKeystoreAccount.sol";
import {KeystoreLayout} from "../../src/libraries/KeystoreLayout.sol";

/// @notice Records what the non-EVM factory passes to `initialize`.
contract InitRecorder {
    bytes public initArg;

    function initialize(bytes calldata initdata) external payable {
        initArg = initdata;
    }
}

contract AccountFactoryTest is WalletFixture {
    function test_createAccount_registered_succeeds() public {
        address deployed = factory.createAccount(account, initdata);
        vm.assertEq(deployed, account);
        vm.assertEq(deployed, l1ks.computeAccountAddress(SALT));
        vm.assertGt(account.code.length, 0);
        bytes[] memory owners = KeystoreAccount(payable(account)).owners();
        vm.assertEq(owners.length, 2);
        vm.assertEq(owners[0], initialOwners[0]);
        vm.assertEq(owners[1], initialOwners[1]);
        // ERC-1967 implementation slot
        bytes32 implSlot = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
        vm.assertEq(address(uint160(uint256(vm.load(account, implSlot)))), address(implementation));
    }

    function test_createAccount_withValue_succeeds() public {
        factory.createAccount{value: 1 ether}(account, initdata);
        vm.assertEq(account.balance, 1 ether);
    }

    function test_createAccount_factoryAddressIndependentOfKeystore_succeeds() public {
        address factoryOnL1 = address(factory);
        vm.assertEq(l1ks.ACCOUNT_FACTORY(), factoryOnL1);
        // the test contract's storage is reverted too: keep what is needed in memory
        address account_ = account;
        bytes memory initdata_ = initdata;
        // another chain: same deployer, same operator and salt, another keystore and implementation
        vm.revertToState(beforeFactory);
        MockWalletKeystore l2ks = new MockWalletKeystore();
        vm.prank(OPERATOR);
        address factoryOnL2 =
            deployer.deploy(FACTORY_SALT, abi.encodePacked(type(AccountFactory).creationCode, abi.encode(l2ks)));
        vm.assertEq(factoryOnL2, factoryOnL1, "factory address depends on the keystore");
        vm.assertEq(AccountFactory(factoryOnL2).KEYSTORE(), address(l2ks));

        KeystoreAccount l2Impl = new KeystoreAccount(entryPoint, address(l2ks), IKeystoreAccount.Flavour.SyncOnly);
        l2ks.setImplementation(address(l2Impl));
        l2ks.setL1Block(100);
        l2ks.set(account_, KeystoreLayout.SALT_KEY, SALT);
        l2ks.set(account_, KeystoreLayout.INITDATA_HASH_KEY, keccak256(initdata_));
        l2ks.set(account_, OWNERS_KEY, keccak256(initdata_));
        address deployed = AccountFactory(factoryOnL2).createAccount(account_, initdata_);
        vm.assertEq(deployed, account_, "account address depends on keystore or implementation");
        (, uint256 l1Block) = KeystoreAccount(payable(account_)).ownersCommitment();
        vm.assertEq(l1Block, 100);
    }

    function test_addressOf_otherOperator_succeeds() public view {
        // a stranger cannot occupy the operator's factory address: its salts are namespaced
        vm.assertTrue(deployer.addressOf(address(this), FACTORY_SALT) != address(factory));
    }

    function test_createAccount_unregistered_reverts() public {
        address stranger = address(0xdead);
        vm.expectRevert(abi.encodeWithSelector(IAccountFactory.AccountFactoryNotRegistered.selector, stranger));
        factory.createAccount(stranger, initdata);
    }

    function test_createAccount_wrongInitdata_reverts() public {
        bytes[] memory other = new bytes[](1);
        other[0] = abi.encode(vm.addr(OTHER_PK));
        bytes memory wrong = abi.encode(other);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccountFactory.AccountFactoryInitdataMismatch.selector, account, keccak256(initdata), keccak256(wrong)
            )
        );
        factory.createAccount(account, wrong);
    }

    function test_createAccount_secondCall_succeeds() public {
        factory.createAccount(account, initdata);
        vm.recordLogs();
        address again = factory.createAccount{value: 1}(account, initdata);
        vm.assertEq(again, account);
        vm.assertEq(vm.getRecordedLogs().length, 0, "second call deployed or emitted");
        vm.assertEq(account.balance, 1, "value not forwarded to the existing wallet");
    }

    function test_createAccount_secondCallValueRefused_reverts() public {
        factory.createAccount(account, initdata);
        vm.etch(account, hex"5f5ffd"); // an account that refuses ETH: revert(0, 0)
        vm.expectRevert(abi.encodeWithSelector(IAccountFactory.AccountFactoryValueNotForwarded.selector, account, 1));
        factory.createAccount{value: 1}(account, initdata);
        vm.assertEq(address(factory).balance, 0);
    }

    function test_createAccount_nonEvm_succeeds() public {
        MockWalletKeystore ks = new MockWalletKeystore();
        InitRecorder recorder = new InitRecorder();
        ks.setImplementation(address(recorder));
        ks.set(account, KeystoreLayout.SALT_KEY, SALT);
        ks.set(account, KeystoreLayout.INITDATA_HASH_KEY, keccak256(initdata));
        AccountFactoryNonEvm nonEvm = new AccountFactoryNonEvm(address(ks));
        address deployed = nonEvm.createAccount(account, initdata);
        vm.assertGt(deployed.code.length, 0);
        vm.assertEq(InitRecorder(deployed).initArg(), abi.encode(account, initdata));
    }

    function test_createAccount_nonEvmWrongInitdata_reverts() public {
        MockWalletKeystore ks = new MockWalletKeystore();
        ks.set(account, KeystoreLayout.SALT_KEY, SALT);
        AccountFactoryNonEvm nonEvm = new AccountFactoryNonEvm(address(ks));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccountFactory.AccountFactoryInitdataMismatch.selector, account, bytes32(0), keccak256(initdata)
            )
        );
        nonEvm.createAccount(account, initdata);
    }
}
