// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Stands in for an L2's keystore in wallet tests: L2Keystore's reads (`loadKey`,
///         `loadKeyWithBlock`, `getWalletImplementation`) with values and the L1 block set by the
///         test, and KeystoreChainL2Keystore's `updateKey`, which only records the request (the
///         real one sends it to L1).
contract MockWalletKeystore {
    struct Update {
        address account;
        bytes32 key;
        bytes32 oldValue;
        bytes32 newValue;
    }

    mapping(address => mapping(bytes32 => bytes32)) public values;
    uint256 public l1Block;
    address public implementation;
    Update[] internal _updates;

    function set(address account, bytes32 key, bytes32 value) external {
        values[account][key] = value;
    }

    function setL1Block(uint256 l1Block_) external {
        l1Block = l1Block_;
    }

    function setImplementation(address implementation_) external {
        implementation = implementation_;
    }

    function loadKey(address account, bytes32 key) external view returns (bytes32) {
        return values[account][key];
    }

    function loadKeyWithBlock(address account, bytes32 key) external view returns (bytes32, uint256) {
        return (values[account][key], l1Block);
    }

    function getWalletImplementation(address) external view returns (address) {
        return implementation;
    }

    function updateKey(address account, bytes32 key, bytes32 oldValue, bytes32 newValue) external {
        require(msg.sender == account, "MockWalletKeystore: not the account");
        _updates.push(Update(account, key, oldValue, newValue));
    }

    function updates() external view returns (Update[] memory) {
        return _updates;
    }
}
