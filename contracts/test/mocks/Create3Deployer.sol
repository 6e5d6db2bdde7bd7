// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Create3} from "../../src/libraries/Create3.sol";

/// @notice Stands in for the AccountFactory's deployment step: deploys with Create3 so tests
///         can check that L1Keystore.computeAccountAddress predicts real CREATE3 deployments.
contract Create3Deployer {
    function deploy(bytes32 salt, bytes calldata creationCode) external payable returns (address) {
        return Create3.deploy(salt, creationCode, msg.value);
    }
}

/// @notice A contract to deploy; records its constructor argument and value.
contract Create3Target {
    uint256 public immutable TAG;

    constructor(uint256 tag) payable {
        TAG = tag;
    }
}
