// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Test code: narrowing casts here are on values already reduced to the target range.
// forge-lint: disable-start(unsafe-typecast)

import {RLPTestEncoder} from "./RLPTestEncoder.sol";

/// @notice Builds RLP block headers for tests: London (16 fields), Shanghai (17), Cancun (20),
///         Prague (21) and "future" headers with extra trailing fields (some of them lists).
library HeaderBuilder {
    struct Fields {
        bytes32 parentHash;
        bytes32 stateRoot;
        uint256 number;
        uint256 timestamp;
        bytes32 parentBeaconRoot;
        bytes extraData;
        uint256 fieldCount;
    }

    function items(Fields memory f) internal pure returns (bytes[] memory it) {
        it = new bytes[](f.fieldCount);
        it[0] = RLPTestEncoder.encodeBytes32(f.parentHash);
        it[1] = RLPTestEncoder.encodeBytes32(keccak256("ommers"));
        it[2] = RLPTestEncoder.encodeAddress(address(0xC0FFEE));
        it[3] = RLPTestEncoder.encodeBytes32(f.stateRoot);
        it[4] = RLPTestEncoder.encodeBytes32(keccak256(abi.encode("transactions", f.number)));
        it[5] = RLPTestEncoder.encodeBytes32(keccak256(abi.encode("receipts", f.number)));
        it[6] = RLPTestEncoder.encodeBytes(new bytes(256));
        it[7] = RLPTestEncoder.encodeUint(0);
        it[8] = RLPTestEncoder.encodeUint(f.number);
        it[9] = RLPTestEncoder.encodeUint(30_000_000);
        it[10] = RLPTestEncoder.encodeUint(12_345_678);
        it[11] = RLPTestEncoder.encodeUint(f.timestamp);
        it[12] = RLPTestEncoder.encodeBytes(f.extraData);
        it[13] = RLPTestEncoder.encodeBytes32(keccak256(abi.encode("prevRandao", f.number)));
        it[14] = RLPTestEncoder.encodeBytes(new bytes(8));
        if (f.fieldCount > 15) it[15] = RLPTestEncoder.encodeUint(7 gwei);
        if (f.fieldCount > 16) it[16] = RLPTestEncoder.encodeBytes32(keccak256("withdrawals"));
        if (f.fieldCount > 17) it[17] = RLPTestEncoder.encodeUint(131_072);
        if (f.fieldCount > 18) it[18] = RLPTestEncoder.encodeUint(0);
        if (f.fieldCount > 19) it[19] = RLPTestEncoder.encodeBytes32(f.parentBeaconRoot);
        if (f.fieldCount > 20) it[20] = RLPTestEncoder.encodeBytes32(keccak256("requests"));
        for (uint256 i = 21; i < f.fieldCount; ++i) {
            // future fields: integers, hashes and lists
            if (i % 3 == 0) it[i] = RLPTestEncoder.encodeUint(i);
            else if (i % 3 == 1) it[i] = RLPTestEncoder.encodeBytes32(keccak256(abi.encode(i)));
            else it[i] = RLPTestEncoder.encodeList2(RLPTestEncoder.encodeUint(i), hex"c0");
        }
    }

    function encode(Fields memory f) internal pure returns (bytes memory) {
        return RLPTestEncoder.encodeList(items(f));
    }

    /// A Prague header with the given chain fields.
    function prague(bytes32 parentHash, uint256 number, bytes32 stateRoot) internal pure returns (Fields memory f) {
        f.parentHash = parentHash;
        f.stateRoot = stateRoot;
        f.number = number;
        f.timestamp = 1_700_000_000 + 12 * number;
        f.parentBeaconRoot = keccak256(abi.encode("beacon", number, stateRoot));
        f.extraData = "";
        f.fieldCount = 21;
    }
}
// forge-lint: disable-end(unsafe-typecast)
