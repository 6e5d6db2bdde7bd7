// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IL1Sload
/// @notice The l1Sload emulator for L2s without an L1SLOAD precompile (DESIGN §5): anyone proves
///         L1 storage slots with Merkle-Patricia proofs against a state root held by L1Blocks,
///         and the values are cached for views to read.
///         - The account's storage root is proven once per (L1 block, address) and cached, so
///           further slots at the same block need only a storage proof.
///         - A slot's cached value carries the L1 block it was proven at. A proof at a newer
///           block replaces it; an older one is rejected (`L1SloadStale`); the same block is a
///           no-op.
///         - Absence is provable: a missing account or slot caches as zero.
interface IL1Sload {
    error L1SloadLengthMismatch(uint256 slots, uint256 proofs);
    error L1SloadStale(address account, bytes32 slot, uint256 cachedBlock, uint256 provenBlock);
    error L1SloadNoStorageRoot(uint256 l1BlockNumber, address account);
    /// @notice Block numbers are cached in 63 bits; L1 will not reach 2^63 blocks.
    error L1SloadBlockNumberTooLarge(uint256 l1BlockNumber);

    event StorageRootProven(uint256 indexed l1BlockNumber, address indexed account, bytes32 storageRoot);
    event SlotSynced(address indexed account, bytes32 indexed slot, uint256 indexed l1BlockNumber, bytes32 value);

    /// @notice Proves `account`'s storage root at `l1BlockNumber` (state root from L1Blocks) and caches it.
    function proveAccount(uint256 l1BlockNumber, address account, bytes calldata accountProof)
        external
        returns (bytes32 storageRoot);

    /// @notice Proves and caches `slots` of `account` at `l1BlockNumber`. `accountProof` may be
    ///         empty when the storage root for (l1BlockNumber, account) is already cached.
    ///         Proofs are RLP-encoded trie nodes concatenated, root first.
    function syncSlots(
        uint256 l1BlockNumber,
        address account,
        bytes32[] calldata slots,
        bytes calldata accountProof,
        bytes[] calldata storageProofs
    ) external;

    /// @notice Reads an L1 slot at `l1BlockNumber` with a storage proof against the cached storage
    ///         root, without writing anything: the cheap in-transaction read once the account's
    ///         root at that block is cached. Reverts `L1SloadNoStorageRoot` when it is not, and
    ///         `L1SloadStale` when the cache already holds this slot from a newer L1 block, so an
    ///         old proof can never read behind what this chain already knows. The caller still
    ///         decides how old `l1BlockNumber` may be (compare with L1Blocks' latest).
    function l1SloadWithProof(uint256 l1BlockNumber, address account, bytes32 slot, bytes calldata storageProof)
        external
        view
        returns (bytes32 value);

    /// @notice The cached value of an L1 slot and the L1 block it is from (0, 0 if never synced).
    function l1Sload(address account, bytes32 slot) external view returns (bytes32 value, uint256 l1BlockNumber);

    /// @notice The cached storage root of `account` at `l1BlockNumber`, zero if not proven.
    function storageRootAt(uint256 l1BlockNumber, address account) external view returns (bytes32);

    function L1_BLOCKS() external view returns (address);
}
