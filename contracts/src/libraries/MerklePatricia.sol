// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {RLPReader} from "./RLPReader.sol";

/// @title MerklePatricia
/// @notice Verifies Merkle-Patricia trie proofs (EIP-1186 `eth_getProof` nodes) in calldata,
///         without copying nodes to memory except for hashing and without allocating.
///
///         Proof format: the RLP-encoded nodes on the path from the root, root first, concatenated
///         (each node is self-delimiting RLP). Nodes shorter than 32 bytes are embedded in their
///         parent and are read from there; a prover may also repeat them as separate proof nodes
///         (as the ethereumjs trie's `createMerkleProof` does): a repeated node must be byte-identical
///         to the embedded one and is skipped.
///
///         Security properties:
///         - every node reached by hash is hashed and compared, the first one against `root`
///           (even when it is shorter than 32 bytes);
///         - a key is absent only when the proof shows it: an empty branch slot on its path, or a
///           leaf/extension whose path diverges from it. A proof that stops at a non-empty
///           reference reverts with `MerklePatriciaProofTooShort`;
///         - nodes after the one where the lookup ends revert (`MerklePatriciaTrailingNodes`);
///         - every item read from a node is strict RLP within the node's bounds.
///
///         Node indices in errors count the nodes on the path, root = 0, embedded nodes included.
///
///         Trusted-root assumption: a node whose hash matched is a node of the trie the caller
///         trusts, so a full branch (532 bytes, 16 hash children) is read by offset after checking
///         only the items it depends on (see `_FULL_BRANCH_PAYLOAD`).
library MerklePatricia {
    /// @notice keccak256(rlp("")): the root of the empty trie.
    bytes32 internal constant EMPTY_TRIE_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;

    /// @notice Node `index` is malformed; `reason` is one of the `REASON_*` codes.
    error MerklePatriciaInvalidNode(uint256 index, uint256 reason);
    /// @notice Node `index` does not hash to the reference its parent (or the root) holds.
    error MerklePatriciaHashMismatch(uint256 index);
    /// @notice The proof ends where the path continues to a non-empty node.
    error MerklePatriciaProofTooShort();
    /// @notice The proof has more bytes after the node where the lookup ended; `index` is the index the
    ///         first surplus node would have.
    error MerklePatriciaTrailingNodes(uint256 index);

    /// @notice The node, or an item read from it, is not canonical RLP or runs past the node's end.
    uint256 internal constant REASON_MALFORMED_RLP = 1;
    /// @notice A node is a byte string, not a list.
    uint256 internal constant REASON_NOT_A_LIST = 2;
    /// @notice A node has neither 2 items (leaf, extension) nor 17 (branch).
    uint256 internal constant REASON_BAD_ITEM_COUNT = 3;
    /// @notice A leaf or extension path is not hex-prefix encoded: a list or empty string, a flag
    ///         nibble above 3, or an even-length path whose padding nibble is not zero.
    uint256 internal constant REASON_BAD_HEX_PREFIX = 4;
    /// @notice An extension node with an empty path.
    uint256 internal constant REASON_EMPTY_EXTENSION = 5;
    /// @notice A child reference that is neither empty (branch slots only), a 32-byte hash, nor an
    ///         embedded node shorter than 32 bytes.
    uint256 internal constant REASON_BAD_CHILD = 6;
    /// @notice A value that is a list, or an empty leaf value.
    uint256 internal constant REASON_BAD_VALUE = 7;

    /// @dev Payload length of a branch with 16 hash children (16 * 33 bytes) and a 1-byte value
    ///      (0x80 = empty): 529, so the node is `f9 02 11 ‖ payload`, 532 bytes. Conversely, a
    ///      well-formed 17-item list with this payload has exactly that shape: each child item is at
    ///      most 33 bytes (a hash; embedded nodes are < 32) and the value at least 1, so all 16
    ///      children are 33-byte items and child i sits at payload offset 33 * i. A 2-item node with
    ///      this payload whose first item is 33 bytes (prefix 0xa0 at offset 0) has a 496-byte second
    ///      item, whose prefix at offset 33 is 0xb9, not 0xa0. So the fast path requires 0xa0 at
    ///      offsets 0 and 33, and checks the followed child's own prefix.
    uint256 private constant _FULL_BRANCH_PAYLOAD = 529;

    // Outcomes of one node.
    uint256 private constant _FOLLOW = 0; // continue with a child
    uint256 private constant _FOUND = 1; // the key's value is here
    uint256 private constant _ABSENT = 2; // the node proves the key absent

    /// @notice Looks `path` up in the trie with root `root`.
    /// @param root The trie root (a state root, a storage root, ...).
    /// @param path The 32-byte trie key (already hashed for secure tries).
    /// @param proof The RLP-encoded trie nodes concatenated, root first.
    /// @return exists Whether the key is in the trie.
    /// @return value The value stored at the key (a slice of `proof`), empty when absent.
    function get(bytes32 root, bytes32 path, bytes calldata proof)
        internal
        pure
        returns (bool exists, bytes calldata value)
    {
        uint256 ptr;
        uint256 end;
        // The proof's calldata bounds (end cannot overflow: calldata is far below 2^64 bytes).
        assembly ("memory-safe") {
            ptr := proof.offset
            end := add(ptr, proof.length)
        }
        uint256 valuePtr;
        uint256 valueLen;
        (exists, valuePtr, valueLen) = _walk(root, path, ptr, end);
        // The value slice [valuePtr, valuePtr + valueLen) lies inside a bounds-checked node.
        assembly ("memory-safe") {
            value.offset := valuePtr
            value.length := valueLen
        }
    }

    /// @dev The lookup over the proof bytes [ptr, end); returns the value's offset and length.
    function _walk(bytes32 expected, bytes32 path, uint256 ptr, uint256 end)
        private
        pure
        returns (bool exists, uint256 at, uint256 len)
    {
        // The empty trie: an empty proof, or its root node rlp("") = 0x80. Any other proof for the
        // empty root fails the root's hash check below.
        if (expected == EMPTY_TRIE_ROOT && (ptr == end || (end - ptr == 1 && _byteAt(ptr) == 0x80))) {
            return (false, ptr, 0);
        }

        // `expected`: hash of the next node when it is reached by hash (the root first).
        bool embedded; // the current node is embedded in its parent
        uint256 payload; // current node's payload start
        uint256 nodeEnd; // current node's end
        uint256 depth; // nibbles of `path` consumed

        for (uint256 index;; ++index) {
            if (!embedded) {
                (payload, nodeEnd) = _readHashedNode(ptr, end, expected, index);
                ptr = nodeEnd;
            }

            uint256 outcome;
            // `at`: the child reference to follow, or the value.
            (outcome, depth, at, len) = _step(path, depth, payload, nodeEnd, index);
            if (outcome != _FOLLOW) return _end(ptr, end, index, outcome == _FOUND, at, len);

            // Follow the child reference at `at`.
            uint256 c = _byteAt(at);
            if (c == 0xa0) {
                expected = _word(at + 1);
                embedded = false;
            } else if (c == 0x80) {
                // Empty branch slot on the path: the key is absent.
                return _end(ptr, end, index, false, at, 0);
            } else if (c > 0xc0 && c < 0xdf) {
                // Embedded node (a list of at most 31 bytes): continue inside the parent.
                payload = at + 1;
                nodeEnd = payload + (c - 0xc0);
                embedded = true;
                ptr = _skipRepeatedNode(ptr, end, at, nodeEnd - at);
            } else {
                revert MerklePatriciaInvalidNode(index, REASON_BAD_CHILD);
            }
        }
    }

    /// @dev Reads the proof node at `ptr` (a list within [ptr, end)) and checks its hash.
    function _readHashedNode(uint256 ptr, uint256 end, bytes32 expected, uint256 index)
        private
        pure
        returns (uint256 payload, uint256 nodeEnd)
    {
        if (ptr == end) revert MerklePatriciaProofTooShort();
        (uint256 err, bool isList, uint256 p, uint256 len) = RLPReader.tryReadHeader(ptr, end);
        if (err != 0) revert MerklePatriciaInvalidNode(index, REASON_MALFORMED_RLP);
        if (!isList) revert MerklePatriciaInvalidNode(index, REASON_NOT_A_LIST);
        payload = p;
        nodeEnd = p + len;
        if (_hash(ptr, nodeEnd - ptr) != expected) revert MerklePatriciaHashMismatch(index);
    }

    /// @dev Processes the node with payload [payload, nodeEnd) at `depth`. Returns `_FOLLOW` with the
    ///      offset of the child reference to follow and the new depth, or `_FOUND` / `_ABSENT` with
    ///      the value's offset and length.
    function _step(bytes32 path, uint256 depth, uint256 payload, uint256 nodeEnd, uint256 index)
        private
        pure
        returns (uint256 outcome, uint256 newDepth, uint256 at, uint256 len)
    {
        if (nodeEnd - payload == _FULL_BRANCH_PAYLOAD && _byteAt(payload) == 0xa0 && _byteAt(payload + 33) == 0xa0) {
            // Full branch: children at fixed offsets (see _FULL_BRANCH_PAYLOAD).
            if (depth == 64) {
                // The key ends here: the value slot, one byte (0x80 empty, < 0x80 itself).
                at = payload + 528;
                uint256 b = _byteAt(at);
                if (b == 0x80) return (_ABSENT, depth, at, 0);
                if (b > 0x80) revert MerklePatriciaInvalidNode(index, REASON_BAD_VALUE);
                return (_FOUND, depth, at, 1);
            }
            at = payload + 33 * _nibble(path, depth);
            if (_byteAt(at) != 0xa0) revert MerklePatriciaInvalidNode(index, REASON_BAD_CHILD);
            return (_FOLLOW, depth + 1, at, 0);
        }

        // The first two items decide: exactly 2 = leaf/extension, more = branch.
        (uint256 err, bool isList, uint256 p, uint256 l) = RLPReader.tryReadHeader(payload, nodeEnd);
        if (err != 0) revert MerklePatriciaInvalidNode(index, _shapeReason(err));
        // (`at`, `len` are scratch here: the second item's payload)
        (err,, at, len) = RLPReader.tryReadHeader(p + l, nodeEnd);
        if (err != 0) revert MerklePatriciaInvalidNode(index, _shapeReason(err));
        if (at + len == nodeEnd) {
            if (isList || l == 0) revert MerklePatriciaInvalidNode(index, REASON_BAD_HEX_PREFIX);
            return _shortNode(path, depth, p, l, nodeEnd, index);
        }
        return _branch(path, depth, payload, nodeEnd, index);
    }

    /// @dev A leaf or extension node: [hex-prefix path at [p, p + l), value or child], ending at `nodeEnd`.
    function _shortNode(bytes32 path, uint256 depth, uint256 p, uint256 l, uint256 nodeEnd, uint256 index)
        private
        pure
        returns (uint256 outcome, uint256 newDepth, uint256 at, uint256 len)
    {
        (bool matches, uint256 nibbles, bool leaf) = _matchPath(path, depth, p, l, index);
        uint256 item1 = p + l;
        bool isList;
        (, isList, at, len) = RLPReader.tryReadHeader(item1, nodeEnd);
        if (leaf) {
            if (isList || len == 0) revert MerklePatriciaInvalidNode(index, REASON_BAD_VALUE);
            if (matches && depth + nibbles == 64) return (_FOUND, 64, at, len);
            // A leaf for another key: the key is absent.
            return (_ABSENT, depth, at, 0);
        }
        if (nibbles == 0) revert MerklePatriciaInvalidNode(index, REASON_EMPTY_EXTENSION);
        // An extension whose path diverges from the key: the key is absent.
        if (!matches) return (_ABSENT, depth, at, 0);
        // An extension's child is a hash or an embedded node, never empty.
        if (_byteAt(item1) == 0x80) revert MerklePatriciaInvalidNode(index, REASON_BAD_CHILD);
        return (_FOLLOW, depth + nibbles, item1, 0);
    }

    /// @dev A branch node (16 child slots and a value slot) with payload [payload, nodeEnd).
    function _branch(bytes32 path, uint256 depth, uint256 payload, uint256 nodeEnd, uint256 index)
        private
        pure
        returns (uint256 outcome, uint256 newDepth, uint256 at, uint256 len)
    {
        uint256 valuePtr;
        (at, valuePtr) = _scanBranch(payload, depth == 64 ? 16 : _nibble(path, depth), index);
        (uint256 err, bool isList, uint256 pv, uint256 lv) = RLPReader.tryReadHeader(valuePtr, nodeEnd);
        if (err != 0) revert MerklePatriciaInvalidNode(index, _shapeReason(err));
        if (pv + lv != nodeEnd) revert MerklePatriciaInvalidNode(index, REASON_BAD_ITEM_COUNT);
        if (isList) revert MerklePatriciaInvalidNode(index, REASON_BAD_VALUE);
        if (depth == 64) return (lv != 0 ? _FOUND : _ABSENT, depth, pv, lv);
        return (_FOLLOW, depth + 1, at, 0);
    }

    /// @dev Ends the lookup at node `index`: no proof bytes may follow.
    function _end(uint256 ptr, uint256 end, uint256 index, bool exists, uint256 at, uint256 len)
        private
        pure
        returns (bool, uint256, uint256)
    {
        if (ptr != end) revert MerklePatriciaTrailingNodes(index + 1);
        return (exists, at, len);
    }

    /// @dev Checks the hex-prefix path at [p, p + len) (len >= 1) and compares it with `path` from
    ///      nibble `depth` on. Returns whether the node's path is a prefix of the rest of `path`,
    ///      its length in nibbles, and whether the node is a leaf.
    function _matchPath(bytes32 path, uint256 depth, uint256 p, uint256 len, uint256 index)
        private
        pure
        returns (bool matches, uint256 nibbles, bool leaf)
    {
        uint256 first = _byteAt(p);
        uint256 flag = first >> 4;
        if (flag > 3) revert MerklePatriciaInvalidNode(index, REASON_BAD_HEX_PREFIX);
        uint256 odd = flag & 1;
        if (odd == 0 && first & 0x0f != 0) revert MerklePatriciaInvalidNode(index, REASON_BAD_HEX_PREFIX);
        leaf = flag > 1;
        unchecked {
            nibbles = 2 * len - 2 + odd;
            // A node path longer than what is left of the key cannot lie on it.
            if (depth + nibbles > 64) return (false, nibbles, leaf);
        }
        // Compares the node's `nibbles` nibbles with `path` after `depth` nibbles, both left-aligned
        // in a word: odd paths start in the low nibble of the flag byte, even ones at the next byte.
        // Bytes past the path (read by the 32-byte load) are shifted out. Safe: pure calldata reads
        // and shifts (a shift by 256 yields 0, which is the right answer for an empty path).
        assembly ("memory-safe") {
            let nodePath := calldataload(add(p, iszero(odd)))
            if odd { nodePath := shl(4, nodePath) }
            let rest := shl(shl(2, depth), path)
            matches := iszero(shr(sub(256, shl(2, nibbles)), xor(nodePath, rest)))
        }
    }

    /// @dev Walks the 16 child slots of a branch whose payload starts at `p`; returns the offset of
    ///      slot `target` (16 = the value slot) and of the value slot. Each child must be empty
    ///      (0x80), a hash (0xa0 + 32 bytes) or an embedded list of at most 31 bytes.
    function _scanBranch(uint256 p, uint256 target, uint256 index)
        private
        pure
        returns (uint256 targetPtr, uint256 valuePtr)
    {
        bool bad;
        // Advances over 16 child items by their one-byte prefixes, recording slot `target`. Safe: pure
        // calldata reads; the caller checks that the value item read at the returned offset ends
        // exactly at the node's end, so every child lies inside the node.
        assembly ("memory-safe") {
            for { let i := 0 } lt(i, 16) { i := add(i, 1) } {
                if eq(i, target) { targetPtr := p }
                let b := byte(0, calldataload(p))
                switch b
                case 0x80 { p := add(p, 1) }
                case 0xa0 { p := add(p, 33) }
                default {
                    // embedded node: short list 0xc1..0xde (1..30 payload bytes, < 32 in all)
                    if or(lt(b, 0xc1), gt(b, 0xde)) {
                        bad := 1
                        break
                    }
                    p := add(p, sub(b, 0xbf))
                }
            }
            valuePtr := p
        }
        if (bad) revert MerklePatriciaInvalidNode(index, REASON_BAD_CHILD);
        if (target == 16) targetPtr = valuePtr;
    }

    /// @dev If the proof continues with a byte-identical copy of the embedded node [node, node + len)
    ///      (len < 32), skips it.
    function _skipRepeatedNode(uint256 ptr, uint256 end, uint256 node, uint256 len) private pure returns (uint256) {
        if (end - ptr < len) return ptr;
        bool same;
        // Compares the first `len` (< 32) bytes at both offsets. Safe: pure calldata reads.
        assembly ("memory-safe") {
            let drop := sub(256, shl(3, len))
            same := eq(shr(drop, calldataload(ptr)), shr(drop, calldataload(node)))
        }
        return same ? ptr + len : ptr;
    }

    /// @dev Maps a tryReadHeader error for an item inside a node to a reason.
    function _shapeReason(uint256 err) private pure returns (uint256) {
        return err == RLPReader.ERR_EMPTY ? REASON_BAD_ITEM_COUNT : REASON_MALFORMED_RLP;
    }

    /// @dev Nibble `i` (0 = most significant) of `path`.
    function _nibble(bytes32 path, uint256 i) private pure returns (uint256) {
        return (uint256(path) >> (252 - 4 * i)) & 0x0f;
    }

    /// @dev keccak256 of calldata[p, p + len).
    function _hash(uint256 p, uint256 len) private pure returns (bytes32 h) {
        // Copies the node to free memory (scratch: the free memory pointer is not moved, the bytes
        // are dead after hashing) and hashes it. Safe: writes only at and after the free pointer.
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, p, len)
            h := keccak256(m, len)
        }
    }

    /// @dev The byte at calldata offset `p`.
    function _byteAt(uint256 p) private pure returns (uint256 b) {
        // Pure calldata read (past the end of calldata reads as zero).
        assembly ("memory-safe") {
            b := byte(0, calldataload(p))
        }
    }

    /// @dev The 32 bytes at calldata offset `p`.
    function _word(uint256 p) private pure returns (bytes32 w) {
        // Pure calldata read (past the end of calldata reads as zero).
        assembly ("memory-safe") {
            w := calldataload(p)
        }
    }
}
