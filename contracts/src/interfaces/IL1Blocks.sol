// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IL1Blocks
/// @notice L1 block headers on an L2, in a ring buffer (seed 003 "L1Blocks system contract";
///         getters also in the shape of Scroll's IL1Blocks). Anyone may submit a header; it is
///         accepted only when it chains to the L2's own view of L1:
///         - anchored: keccak256(header) == L1Block(0x4200…0015).hash(), the L2's current L1
///           origin. An anchored header always becomes the latest (that is also how an L1 reorg
///           that the L2 followed is taken in);
///         - backfilled: keccak256(header) == parentHash of the oldest header of the current
///           window. It extends the window downwards and never becomes the latest.
///         The contract keeps a contiguous window [oldest, latest] of headers that hash-chain to
///         the latest anchored header; numbers outside it are unavailable (reverts), so a stale
///         header from an abandoned fork can never be read.
interface IL1Blocks {
    error L1BlocksInvalidHeader(uint256 reason);
    error L1BlocksUnanchored(bytes32 blockHash);
    error L1BlocksAlreadyStored(bytes32 blockHash);
    error L1BlocksBlockUnavailable(uint256 blockNumber);
    error L1BlocksNoHeaders();
    /// @notice A backfill would make the window longer than RING_SIZE.
    error L1BlocksWindowFull();

    event L1HeaderStored(uint256 indexed blockNumber, bytes32 indexed blockHash, bytes32 stateRoot, bool anchored);
    /// @notice The window was cut back or restarted by an anchored header (an L1 reorg, or a gap):
    ///         headers outside [oldestBlockNumber, latestBlockNumber] are no longer readable.
    event L1WindowReset(uint256 oldestBlockNumber, uint256 latestBlockNumber);

    // seed 003
    function latestBlockNumber() external view returns (uint256);
    function l1Blockhash(uint256 number) external view returns (bytes32);
    function latestL1Blockhash() external view returns (bytes32);
    function l1Stateroot(uint256 number) external view returns (bytes32);
    function latestL1Stateroot() external view returns (bytes32);

    // Scroll-style extras
    function oldestBlockNumber() external view returns (uint256);
    function getBlockTimestamp(uint256 number) external view returns (uint256);
    function getParentBeaconRoot(uint256 number) external view returns (bytes32);
    function latestBlockTimestamp() external view returns (uint256);

    /// @notice Submits an RLP-encoded L1 header (London through Prague; trailing fields accepted).
    function setL1BlockHeader(bytes calldata blockHeaderRlp) external returns (bytes32 blockHash);

    function RING_SIZE() external view returns (uint256);
}
