// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Test code: narrowing casts here are on values already reduced to the target range.
// forge-lint: disable-start(unsafe-typecast)

import {RLPTestEncoder} from "./RLPTestEncoder.sol";

/// @notice Builds Merkle-Patricia trie nodes by hand for tests. Nibble paths are `bytes` with one
///         nibble (0..15) per byte. A "ref" is how a parent embeds a child: the RLP of its 32-byte
///         hash, or the node itself when it is shorter than 32 bytes.
library TrieBuilder {
    function nibbles(bytes32 key) internal pure returns (bytes memory out) {
        out = new bytes(64);
        for (uint256 i; i < 64; ++i) {
            out[i] = bytes1(uint8(uint256(key) >> (252 - 4 * i)) & 0x0f);
        }
    }

    function slice(bytes memory n, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) {
            out[i - from] = n[i];
        }
    }

    /// @notice Hex-prefix encoding of a nibble path.
    function hexPrefix(bytes memory n, bool isLeaf) internal pure returns (bytes memory out) {
        uint256 odd = n.length % 2;
        out = new bytes(1 + n.length / 2);
        uint8 flag = (isLeaf ? 2 : 0) + uint8(odd);
        out[0] = bytes1((flag << 4) | (odd == 1 ? uint8(n[0]) : 0));
        for (uint256 i = odd; i < n.length; i += 2) {
            out[1 + i / 2] = bytes1((uint8(n[i]) << 4) | uint8(n[i + 1]));
        }
    }

    function leaf(bytes memory path, bytes memory value) internal pure returns (bytes memory) {
        return RLPTestEncoder.encodeList2(
            RLPTestEncoder.encodeBytes(hexPrefix(path, true)), RLPTestEncoder.encodeBytes(value)
        );
    }

    function extension(bytes memory path, bytes memory childRef) internal pure returns (bytes memory) {
        return RLPTestEncoder.encodeList2(RLPTestEncoder.encodeBytes(hexPrefix(path, false)), childRef);
    }

    /// @notice A branch; empty entries of `childRefs` are empty slots.
    function branch(bytes[16] memory childRefs, bytes memory value) internal pure returns (bytes memory) {
        bytes[] memory items = new bytes[](17);
        for (uint256 i; i < 16; ++i) {
            items[i] = childRefs[i].length == 0 ? bytes(hex"80") : childRefs[i];
        }
        items[16] = RLPTestEncoder.encodeBytes(value);
        return RLPTestEncoder.encodeList(items);
    }

    function ref(bytes memory node) internal pure returns (bytes memory) {
        if (node.length < 32) return node;
        return RLPTestEncoder.encodeBytes(abi.encodePacked(keccak256(node)));
    }

    function hashRef(bytes32 h) internal pure returns (bytes memory) {
        return RLPTestEncoder.encodeBytes(abi.encodePacked(h));
    }

    function concat(bytes memory a, bytes memory b) internal pure returns (bytes memory) {
        return bytes.concat(a, b);
    }

    function concat(bytes memory a, bytes memory b, bytes memory c) internal pure returns (bytes memory) {
        return bytes.concat(a, b, c);
    }
}
// forge-lint: disable-end(unsafe-typecast)
