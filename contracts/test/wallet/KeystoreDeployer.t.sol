// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "../lib/Test.sol";
import {AccountFactory} from "../../src/wallet/AccountFactory.sol";
import {KeystoreDeployer} from "../../src/wallet/KeystoreDeployer.sol";
import {Create3} from "../../src/libraries/Create3.sol";

/// @notice The bootstrapping of KeystoreDeployer's NatSpec, step by step: the deterministic-
///         deployment proxy (its runtime etched at its canonical address, as on every chain that
///         has it) CREATE2s KeystoreDeployer, then the operator's factory lands at the same
///         address whatever keystore its constructor gets.
contract KeystoreDeployerTest is Test {
    /// @dev Arachnid's deterministic-deployment-proxy: calldata = salt ‖ initcode, returns the
    ///      20-byte address of CREATE2(value, initcode, salt).
    address internal constant DETERMINISTIC_DEPLOYER = 0x4e59b44847b379578588920cA78FbF26c0B4956C;
    bytes internal constant DETERMINISTIC_DEPLOYER_CODE =
        hex"7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3";
    bytes32 internal constant DEPLOYER_SALT = keccak256("keystore.KeystoreDeployer");
    bytes32 internal constant FACTORY_SALT = keccak256("keystore.accountFactory");
    address internal constant OPERATOR = address(0x0FE2A7012);

    function setUp() public {
        vm.etch(DETERMINISTIC_DEPLOYER, DETERMINISTIC_DEPLOYER_CODE);
    }

    function _deployDeployer() internal returns (KeystoreDeployer) {
        (bool ok, bytes memory ret) =
            DETERMINISTIC_DEPLOYER.call(abi.encodePacked(DEPLOYER_SALT, type(KeystoreDeployer).creationCode));
        vm.assertTrue(ok, "deterministic deployment failed");
        address deployed = address(bytes20(ret));
        bytes32 initcodeHash = keccak256(type(KeystoreDeployer).creationCode);
        address expected = address(
            uint160(
                uint256(keccak256(abi.encodePacked(bytes1(0xff), DETERMINISTIC_DEPLOYER, DEPLOYER_SALT, initcodeHash)))
            )
        );
        vm.assertEq(deployed, expected);
        return KeystoreDeployer(deployed);
    }

    function test_deploy_factoryOnTwoChains_succeeds() public {
        uint256 fresh = vm.snapshotState();
        KeystoreDeployer d1 = _deployDeployer();
        address predicted = d1.addressOf(OPERATOR, FACTORY_SALT);
        vm.prank(OPERATOR);
        address f1 =
            d1.deploy(FACTORY_SALT, abi.encodePacked(type(AccountFactory).creationCode, abi.encode(address(0x1111))));
        vm.assertEq(f1, predicted);

        // "another chain": nothing deployed yet, another keystore address
        vm.revertToState(fresh);
        vm.chainId(901);
        KeystoreDeployer d2 = _deployDeployer();
        vm.assertEq(address(d2), address(d1));
        vm.prank(OPERATOR);
        address f2 = d2.deploy(
            FACTORY_SALT,
            abi.encodePacked(type(AccountFactory).creationCode, abi.encode(0x4B00000000000000000000000000000000000002))
        );
        vm.assertEq(f2, predicted);
        vm.assertEq(AccountFactory(f2).KEYSTORE(), 0x4B00000000000000000000000000000000000002);
    }

    function test_deploy_sameSaltOtherCaller_succeeds() public {
        KeystoreDeployer d = _deployDeployer();
        address taken = d.addressOf(OPERATOR, FACTORY_SALT);
        // a stranger using the operator's salt lands elsewhere
        address other =
            d.deploy(FACTORY_SALT, abi.encodePacked(type(AccountFactory).creationCode, abi.encode(address(0xbad))));
        vm.assertTrue(other != taken);
        vm.assertEq(taken.code.length, 0);
    }

    function test_deploy_saltReused_reverts() public {
        KeystoreDeployer d = _deployDeployer();
        bytes memory code = abi.encodePacked(type(AccountFactory).creationCode, abi.encode(address(0x1111)));
        vm.startPrank(OPERATOR);
        d.deploy(FACTORY_SALT, code);
        bytes32 namespaced = keccak256(abi.encode(OPERATOR, FACTORY_SALT));
        vm.expectRevert(abi.encodeWithSelector(Create3.Create3ProxyDeployFailed.selector, namespaced));
        d.deploy(FACTORY_SALT, code);
        vm.stopPrank();
    }
}
