// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IKeystoreReader
/// @notice The read API every chain's keystore shares (L1Keystore on L1, L2Keystore on other L2s,
///         KeystoreChainL2Keystore on the keystore chain): what the account factories need.
interface IKeystoreReader {
    /// @notice The value of `key` for `account` (zero if unset or, on L2s, not synced yet).
    function loadKey(address account, bytes32 key) external view returns (bytes32);

    /// @notice The implementation registered for `account`'s wallet id on this chain.
    function getWalletImplementation(address account) external view returns (address);
}

/// @title IKeystoreBlockReader
/// @notice The L2 read API that also says which L1 block a value is from (L2Keystore:
///         the block it was proven at; KeystoreChainL2Keystore: the L1 origin of the L2 block).
interface IKeystoreBlockReader {
    /// @notice The value of `key` for `account` and the L1 block number it is from.
    function loadKeyWithBlock(address account, bytes32 key) external view returns (bytes32 value, uint256 l1BlockNumber);
}
