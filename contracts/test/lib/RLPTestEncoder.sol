// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Test code: narrowing casts here are on values already reduced to the target range.
// forge-lint: disable-start(unsafe-typecast)

/// @notice A plain (unoptimized) canonical RLP encoder for building test inputs.
library RLPTestEncoder {
    function encodeBytes(bytes memory b) internal pure returns (bytes memory) {
        if (b.length == 1 && uint8(b[0]) < 0x80) return b;
        return bytes.concat(_prefix(0x80, b.length), b);
    }

    function encodeUint(uint256 v) internal pure returns (bytes memory) {
        return encodeBytes(minimal(v));
    }

    function encodeBytes32(bytes32 v) internal pure returns (bytes memory) {
        return encodeBytes(abi.encodePacked(v));
    }

    function encodeAddress(address v) internal pure returns (bytes memory) {
        return encodeBytes(abi.encodePacked(v));
    }

    /// @notice Encodes a list of already-encoded items.
    function encodeList(bytes[] memory items) internal pure returns (bytes memory) {
        bytes memory payload = concat(items);
        return bytes.concat(_prefix(0xc0, payload.length), payload);
    }

    function encodeList2(bytes memory a, bytes memory b) internal pure returns (bytes memory) {
        bytes memory payload = bytes.concat(a, b);
        return bytes.concat(_prefix(0xc0, payload.length), payload);
    }

    function concat(bytes[] memory items) internal pure returns (bytes memory out) {
        for (uint256 i; i < items.length; ++i) {
            out = bytes.concat(out, items[i]);
        }
    }

    /// @notice Big-endian bytes of `v` without leading zeros (empty for 0).
    function minimal(uint256 v) internal pure returns (bytes memory out) {
        uint256 n;
        for (uint256 x = v; x != 0; x >>= 8) {
            ++n;
        }
        out = new bytes(n);
        for (uint256 i; i < n; ++i) {
            out[n - 1 - i] = bytes1(uint8(v >> (8 * i)));
        }
    }

    function _prefix(uint8 base, uint256 len) private pure returns (bytes memory) {
        if (len < 56) return abi.encodePacked(uint8(base + len));
        bytes memory l = minimal(len);
        return bytes.concat(abi.encodePacked(uint8(base + 55 + l.length)), l);
    }
}
// forge-lint: disable-end(unsafe-typecast)
