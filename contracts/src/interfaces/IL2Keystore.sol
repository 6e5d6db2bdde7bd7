// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IL2Keystore
/// @notice The read side of the keystore on an L2 without L1SLOAD (seed 003 "L2Keystore", read
///         API). Values are proven from L1Keystore's storage with Merkle-Patricia proofs against
///         an L1 state root held by L1Blocks, then cached ("synced"). Syncing is permissionless:
///         a proof is its own authority. Views cannot take proofs, so `loadKey` returns the
///         cached value; `loadKeyWithBlock` also says which L1 block it is from so callers decide
///         how stale is acceptable. A value from a newer L1 block replaces an older one, never
///         the reverse.
interface IL2Keystore {
    error L2KeystoreUnsupported();
    error L2KeystoreLengthMismatch(uint256 keys, uint256 proofs);
    error L2KeystoreImplementationNotRegistered(bytes32 walletId, uint256 chainId);

    /// @notice Not supported on L2s (seed 003): accounts are registered on L1.
    function registerAccount(bytes32, bytes32, bytes32[] calldata, bytes32[] calldata, bytes calldata, address)
        external
        returns (address);

    /// @notice The cached value of `key` for `account` (zero if never synced).
    function loadKey(address account, bytes32 key) external view returns (bytes32);

    /// @notice The cached value and the L1 block number it was proven at (0 if never synced).
    function loadKeyWithBlock(address account, bytes32 key) external view returns (bytes32 value, uint256 l1BlockNumber);

    /// @notice Reads `key` of `account` at `l1BlockNumber` with a storage proof against the cached
    ///         storage root of L1Keystore at that block, writing nothing (see
    ///         `IL1Sload.l1SloadWithProof`: never behind a newer cached value; the caller bounds
    ///         how old `l1BlockNumber` may be).
    function loadKeyWithProof(uint256 l1BlockNumber, address account, bytes32 key, bytes calldata storageProof)
        external
        view
        returns (bytes32 value);

    /// @notice Proves `keys` of `account` in L1Keystore at L1 block `l1BlockNumber` and caches them.
    ///         `accountProof` (L1Keystore's account proof, RLP nodes concatenated) may be empty
    ///         when the storage root for that block is already cached.
    function syncKeys(
        uint256 l1BlockNumber,
        address account,
        bytes32[] calldata keys,
        bytes calldata accountProof,
        bytes[] calldata storageProofs
    ) external;

    /// @notice The storage slot of `accounts[account].keys[key]` in L1Keystore.
    function keySlot(address account, bytes32 key) external pure returns (bytes32);

    /// @notice The implementation for the account's wallet id on this chain, from synced slots.
    function getWalletImplementation(address account) external view returns (address);

    function L1_KEYSTORE() external view returns (address);
}
