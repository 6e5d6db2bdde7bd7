// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IL1Block
/// @notice The read side of OP Stack's `L1Block` predeploy (0x4200000000000000000000000000000000000015),
///         which the sequencer updates with the L2's current L1 origin.
interface IL1Block {
    /// @notice The L1 origin's block number.
    function number() external view returns (uint64);
    /// @notice The L1 origin's timestamp.
    function timestamp() external view returns (uint64);
    /// @notice The L1 origin's block hash.
    function hash() external view returns (bytes32);
}
