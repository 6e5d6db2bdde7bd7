// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {L1SloadCache} from "./L1SloadCache.sol";

/// @title L1SloadEmulator
/// @notice A deployable l1Sload emulator for any L1 contract: prove slots with `syncSlots`, read
///         them with `l1Sload`. L2Keystore embeds the same logic for L1Keystore's slots.
contract L1SloadEmulator is L1SloadCache {
    /// @param l1Blocks The L1Blocks contract holding L1 state roots.
    constructor(address l1Blocks) L1SloadCache(l1Blocks) {}
}
