// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IL1Blocks} from "../../src/interfaces/IL1Blocks.sol";

/// @notice Test double of L1Blocks: only `l1Stateroot`, serving state roots the test sets and
///         reverting like L1Blocks (L1BlocksBlockUnavailable) for any other block. The cache tests
///         target L1SloadCache's logic, not header verification (tested with the real L1Blocks),
///         and the mainnet-shaped fixtures have synthetic state roots that no header commits to.
contract L1BlocksDouble {
    mapping(uint256 => bytes32) private _roots;

    function setStateRoot(uint256 blockNumber, bytes32 stateRoot) external {
        _roots[blockNumber] = stateRoot;
    }

    function l1Stateroot(uint256 blockNumber) external view returns (bytes32 stateRoot) {
        stateRoot = _roots[blockNumber];
        if (stateRoot == 0) revert IL1Blocks.L1BlocksBlockUnavailable(blockNumber);
    }
}
