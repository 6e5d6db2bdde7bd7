// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Stands in for OP Stack's L1Block predeploy (0x4200…0015) in tests: only `hash()`, the
///         L2's current L1 origin, which the test sets. Tests etch its code at the predeploy address.
contract L1BlockStandIn {
    bytes32 public hash;

    function setHash(bytes32 h) external {
        hash = h;
    }
}
