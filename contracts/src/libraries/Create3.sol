// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Create3
/// @notice The CREATE3 scheme of seed 003's appendix: a contract's address depends only on the
///         deployer and a salt, never on its creation code, so one AccountFactory deployed at the
///         same address on every EVM chain yields the same wallet address everywhere.
///
///         1. The deployer CREATE2s a fixed proxy:
///            proxy = keccak256(0xff ‖ deployer ‖ salt ‖ keccak256(PROXY_INITCODE))[12:]
///         2. It calls the proxy with the creation code; the proxy CREATEs it with its first
///            nonce (a fresh contract's nonce is 1, EIP-161):
///            deployed = keccak256(rlp([proxy, 1]))[12:] = keccak256(0xd6 ‖ 0x94 ‖ proxy ‖ 0x01)[12:]
///
///         PROXY_INITCODE is the widely used minimal proxy `0x67363d3d37363d34f03d5260086018f3`:
///         its constructor returns the 8-byte runtime `363d3d37363d34f0`, i.e.
///         `calldatacopy(0, 0, calldatasize); create(callvalue, 0, calldatasize)`. The runtime does
///         not return the new address; `deploy` checks that code landed at the computed one.
///         L1Keystore.computeAccountAddress and the AccountFactory both use this library.
library Create3 {
    /// @notice Init code of the CREATE3 proxy.
    bytes internal constant PROXY_INITCODE = hex"67363d3d37363d34f03d5260086018f3";

    /// @notice keccak256(PROXY_INITCODE).
    bytes32 internal constant PROXY_INITCODE_HASH = 0x21c35dbe1b344a2488cf3321d6ce542f8e9f305544ff09e4993a62319a497c1f;

    /// @notice The proxy could not be created: the salt was already used by this deployer.
    error Create3ProxyDeployFailed(bytes32 salt);
    /// @notice The proxy ran but no code is at the expected address (the creation code reverted).
    error Create3DeployFailed(bytes32 salt, address expected);

    /// @notice The address `deployer` creates with CREATE3 for `salt`.
    function addressOf(address deployer, bytes32 salt) internal pure returns (address) {
        address proxy =
            address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), deployer, salt, PROXY_INITCODE_HASH)))));
        // rlp([proxy, 1]) = 0xd6 (list, 22 bytes) ‖ 0x94 (string, 20 bytes) ‖ proxy ‖ 0x01
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes2(0xd694), proxy, bytes1(0x01))))));
    }

    /// @notice Deploys `creationCode` with `value` wei at `addressOf(address(this), salt)`.
    function deploy(bytes32 salt, bytes memory creationCode, uint256 value) internal returns (address deployed) {
        bytes memory proxyInitcode = PROXY_INITCODE;
        address proxy;
        // CREATE2 of the 16-byte proxy init code held in memory at proxyInitcode+32; returns
        // zero (no revert) when the address is taken, which is checked right after.
        assembly ("memory-safe") {
            proxy := create2(0, add(proxyInitcode, 0x20), mload(proxyInitcode), salt)
        }
        if (proxy == address(0)) revert Create3ProxyDeployFailed(salt);
        deployed = addressOf(address(this), salt);
        (bool ok,) = proxy.call{value: value}(creationCode);
        if (!ok || deployed.code.length == 0) revert Create3DeployFailed(salt, deployed);
    }
}
