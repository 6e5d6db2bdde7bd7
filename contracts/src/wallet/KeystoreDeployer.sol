// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Create3} from "../libraries/Create3.sol";

/// @title KeystoreDeployer
/// @notice CREATE3 with caller-namespaced salts: `deploy(salt, code)` from `sender` lands at
///         `addressOf(sender, salt)` whatever `code` is (constructor arguments included). This is
///         how the AccountFactory gets ONE address on every chain although its constructor
///         argument (the chain's keystore) differs per chain.
///
///         Bootstrapping, per chain:
///         1. Deploy this contract with CREATE2 through the deterministic-deployment proxy
///            (0x4e59b44847b379578588920ca78fbf26c0b4956c, present on most EVM chains) with a
///            fixed salt. Its creation code has no constructor arguments and is pinned (solc
///            0.8.30, bytecode_hash none, no CBOR metadata), so it lands at the same address
///            everywhere.
///         2. The operator computes F = addressOf(operator, FACTORY_SALT).
///         3. L1: deploy L1Keystore(F, messenger); other chains: the keystore exists already.
///         4. The operator calls deploy(FACTORY_SALT, AccountFactory creation code ‖ keystore):
///            the factory lands at F on every chain.
///
/// @dev Namespacing: the effective CREATE3 salt is keccak256(sender ‖ salt), so nobody but the
///      operator can deploy at the operator's addresses (no squatting F with a fake keystore on a
///      chain the operator has not reached yet).
contract KeystoreDeployer {
    /// @notice `deployer` deployed `deployed` for `salt`.
    event Deployed(address indexed deployer, bytes32 indexed salt, address deployed);

    /// @notice Deploys `creationCode` with `msg.value` at `addressOf(msg.sender, salt)`.
    function deploy(bytes32 salt, bytes calldata creationCode) external payable returns (address deployed) {
        deployed = Create3.deploy(_namespaced(msg.sender, salt), creationCode, msg.value);
        emit Deployed(msg.sender, salt, deployed);
    }

    /// @notice The address `deploy(salt, …)` from `deployer` creates.
    function addressOf(address deployer, bytes32 salt) external view returns (address) {
        return Create3.addressOf(address(this), _namespaced(deployer, salt));
    }

    function _namespaced(address deployer, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(deployer, salt));
    }
}
