// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

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
///         trusts (and embedded nodes lie inside such nodes), so parsing checks what the lookup
///         depends on rather than re-validating every byte: a full branch (532 bytes, 16 hash
///         children) is read by offset after checking the items that identify its shape, and a
///         branch's child slots after the one on the key's path are not re-validated (they are
///         when the key ends at the branch and its value slot is read).
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

    // Full branches. A branch with 16 hash children (16 * 33 bytes) and a 1-byte value slot (0x80
    // = empty) has a 529-byte payload, so the node is `f9 02 11 ‖ payload`, 532 bytes: most nodes
    // of mainnet account proofs and the upper nodes of storage proofs. Conversely, a well-formed
    // 17-item list with this payload has exactly that shape: each child item is at most 33 bytes (a
    // hash; embedded nodes are < 32) and the value at least 1, so all 16 children are 33-byte items
    // and child i sits at payload offset 33 * i. A 2-item node with this payload whose first item
    // is 33 bytes (prefix 0xa0 at offset 0) has a 496-byte second item, whose prefix at offset 33
    // is 0xb9, not 0xa0. So the fast path requires the header f9 02 11 and 0xa0 at payload offsets
    // 0 and 33, and checks the followed child's own prefix.

    // Outcome of one node (`node`): continue at a child, or stop with the key found / proven absent.
    uint256 private constant _FOLLOW = 0;
    uint256 private constant _FOUND = 1;
    uint256 private constant _ABSENT = 2;
    // Failures (`node` and `walk`): _INVALID + reason is MerklePatriciaInvalidNode(index, reason).
    uint256 private constant _INVALID = 0x10;
    uint256 private constant _HASH_MISMATCH = 0x20;
    uint256 private constant _TOO_SHORT = 0x21;
    uint256 private constant _TRAILING = 0x22;

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

    /// @dev The lookup over the proof bytes [ptr, end); returns the value's calldata offset and length.
    function _walk(bytes32 root, bytes32 path, uint256 ptr, uint256 end)
        private
        pure
        returns (bool exists, uint256 valuePtr, uint256 valueLen)
    {
        // The empty trie: an empty proof, or its root node rlp("") = 0x80. Any other proof for the
        // empty root fails the root's hash check.
        if (root == EMPTY_TRIE_ROOT && (ptr == end || (end - ptr == 1 && uint8(bytes1(_word(ptr))) == 0x80))) {
            return (false, ptr, 0);
        }

        uint256 status;
        uint256 index;
        // The trie walk, one node per iteration (`walk`): a node reached by hash is read from the
        // proof at `ptr` and hashed against the reference (the root first); an embedded node is
        // read in place inside its parent. The node then decides (`node`): descend into a child
        // (branch slot, matching extension) or stop (value found; empty slot, diverging
        // leaf/extension: absent). `status` says how it stopped; errors are raised after the block.
        //
        // Safety: calldata is only read (`calldataload` past the end of calldata yields zeros, never
        // a fault). Every node reached by hash is bounds-checked against the proof's end, and every
        // item the lookup uses (leaf/extension items, the branch slot followed, a value, an
        // embedded node) against its enclosing node, before an offset derived from it delimits a
        // value or a child node. Arithmetic is on calldata offsets and lengths below 2^64 and
        // nibble counts <= 64, so nothing overflows. Memory: nodes are copied to the free memory
        // area for hashing without moving the free memory pointer (scratch use, dead afterwards).
        assembly ("memory-safe") {
            // Decodes the RLP item header at `p` (p <= e); the item must end by `e`. Returns its
            // payload offset and length, and `info`: 0 string, 1 list, 2 malformed (out of bounds,
            // a 0x81-wrapped byte below 0x80, a long form for a length below 56 or with a leading
            // zero byte: the rules of RLPReader.tryReadHeader). At p == e the item is out of bounds.
            function item(p, e) -> cp, cl, info {
                let w := calldataload(p)
                let b := byte(0, w)
                switch lt(b, 0x80)
                case 1 {
                    cp := p
                    cl := 1
                }
                default {
                    info := gt(b, 0xbf)
                    // short form: the length; long form: 55 + the number of length bytes
                    cl := sub(b, add(0x80, shl(6, info)))
                    cp := add(p, 1)
                    if gt(cl, 55) {
                        let n := sub(cl, 55)
                        cp := add(cp, n)
                        cl := shr(sub(256, shl(3, n)), shl(8, w))
                        if or(lt(cl, 56), iszero(byte(1, w))) { info := 2 }
                    }
                    if eq(b, 0x81) { if lt(byte(1, w), 0x80) { info := 2 } }
                }
                if gt(add(cp, cl), e) { info := 2 }
            }

            // Nibble `depth` of `path` (0 = most significant).
            function nibble(path_, depth) -> n {
                n := and(shr(sub(252, shl(2, depth)), path_), 0x0f)
            }

            // Length of the branch child item at `q` (0x80 empty: 1, 0xa0 hash: 33, 0xc1..0xde
            // embedded list: 2..31), or 0 for any other prefix.
            function childLength(q) -> len {
                let b := byte(0, calldataload(q))
                len := add(add(eq(b, 0x80), mul(eq(b, 0xa0), 33)), mul(and(gt(b, 0xc0), lt(b, 0xdf)), sub(b, 0xbf)))
            }

            // Processes a node other than a full branch, with payload [payload, nodeEnd), at `depth`
            // nibbles into the key. Returns _FOLLOW with the child reference's offset `at` and the
            // new depth, _FOUND / _ABSENT with the value's offset and length, or _INVALID + reason.
            function node(payload, nodeEnd, depth, path_) -> kind, at, len, newDepth {
                // A first item that is empty (0x80) or a list can only be a branch's first child:
                // a hex-prefix path is a non-empty string.
                let b0 := byte(0, calldataload(payload))
                if or(eq(b0, 0x80), gt(b0, 0xc0)) {
                    kind, at, len, newDepth := branch(payload, nodeEnd, depth, path_)
                    leave
                }
                // Otherwise the first two items decide: exactly 2 = leaf/extension, more = branch.
                let p0, l0, info0 := item(payload, nodeEnd)
                if or(gt(info0, 1), eq(add(p0, l0), nodeEnd)) {
                    kind := add(_INVALID, REASON_MALFORMED_RLP)
                    if lt(info0, 2) { kind := add(_INVALID, REASON_BAD_ITEM_COUNT) }
                    leave
                }
                let info1
                at, len, info1 := item(add(p0, l0), nodeEnd)
                if gt(info1, 1) {
                    kind := add(_INVALID, REASON_MALFORMED_RLP)
                    leave
                }
                if iszero(eq(add(at, len), nodeEnd)) {
                    kind, at, len, newDepth := branch(payload, nodeEnd, depth, path_)
                    leave
                }

                // Leaf or extension: [hex-prefix path, value or child]; the second item is [at, at + len).
                newDepth := depth
                let nibbles, flags := hexPath(p0, l0, info0, depth, path_)
                if and(flags, 4) {
                    kind := add(_INVALID, REASON_BAD_HEX_PREFIX)
                    leave
                }
                if and(flags, 2) {
                    // Leaf: the value, if its path is exactly the rest of the key.
                    if or(info1, iszero(len)) {
                        kind := add(_INVALID, REASON_BAD_VALUE)
                        leave
                    }
                    let found := and(and(flags, 1), eq(add(depth, nibbles), 64))
                    kind := sub(_ABSENT, found)
                    len := mul(len, found)
                    leave
                }
                // Extension.
                if iszero(nibbles) {
                    kind := add(_INVALID, REASON_EMPTY_EXTENSION)
                    leave
                }
                if iszero(and(flags, 1)) {
                    // Diverges from the key: the key is absent.
                    kind := _ABSENT
                    len := 0
                    leave
                }
                // Its child (a hash or an embedded node, never empty) is the second item.
                at := add(p0, l0)
                if eq(byte(0, calldataload(at)), 0x80) { kind := add(_INVALID, REASON_BAD_CHILD) }
                newDepth := add(depth, nibbles)
            }

            // Decodes the hex-prefix path at [p0, p0 + l0) (info0: 0 string, 1 list) and compares it
            // with `path_` after `depth` nibbles. Returns its length in nibbles and flags: 1 = the
            // node's path is a prefix of the rest of the key, 2 = leaf, 4 = not hex-prefix encoded
            // (a list or empty string, a flag nibble above 3, an even path with a non-zero pad).
            function hexPath(p0, l0, info0, depth, path_) -> nibbles, flags {
                let first := byte(0, calldataload(p0))
                let flag := shr(4, first)
                let odd := and(flag, 1)
                if or(or(info0, iszero(l0)), or(gt(flag, 3), and(iszero(odd), and(first, 0x0f)))) {
                    flags := 4
                    leave
                }
                nibbles := add(sub(shl(1, l0), 2), odd)
                flags := and(flag, 2)
                // Both paths left-aligned in a word (odd paths start in the flag byte's low nibble,
                // even ones at the next byte); bytes past the path are shifted out (a shift by 256
                // yields 0, right for an empty path). A node path longer than the rest of the key
                // cannot match.
                if iszero(gt(add(depth, nibbles), 64)) {
                    let nodePath := calldataload(add(p0, iszero(odd)))
                    if odd { nodePath := shl(4, nodePath) }
                    flags := or(flags, iszero(shr(sub(256, shl(2, nibbles)), xor(nodePath, shl(shl(2, depth), path_)))))
                }
            }

            // Branch with payload [payload, nodeEnd): finds the child slot on the path. Child items
            // (empty 0x80, hash 0xa0 + 32 bytes, embedded list 0xc1..0xde) are checked up to that
            // slot; the node is authenticated, so the rest is not re-validated, except where the key
            // ends at this branch (depth 64): then all 16 are, and the value slot must end the node.
            function branch(payload, nodeEnd, depth, path_) -> kind, at, len, newDepth {
                newDepth := add(depth, 1)
                let target := 16
                if lt(depth, 64) { target := nibble(path_, depth) }
                at := payload
                for {} target { target := sub(target, 1) } {
                    switch byte(0, calldataload(at))
                    case 0x80 { at := add(at, 1) }
                    case 0xa0 { at := add(at, 33) }
                    default {
                        let l := childLength(at)
                        if iszero(l) {
                            kind := add(_INVALID, REASON_BAD_CHILD)
                            leave
                        }
                        at := add(at, l)
                    }
                }
                if lt(depth, 64) {
                    // the child on the path must be a child item inside the node
                    let l := childLength(at)
                    if or(iszero(l), gt(add(at, l), nodeEnd)) { kind := add(_INVALID, REASON_BAD_CHILD) }
                    leave
                }
                // depth 64: the value slot (item 16) must end the node
                let pv, lv, infoV := item(at, nodeEnd)
                if gt(infoV, 1) {
                    kind := add(_INVALID, REASON_MALFORMED_RLP)
                    leave
                }
                if iszero(eq(add(pv, lv), nodeEnd)) {
                    kind := add(_INVALID, REASON_BAD_ITEM_COUNT)
                    leave
                }
                if infoV {
                    kind := add(_INVALID, REASON_BAD_VALUE)
                    leave
                }
                newDepth := depth
                at := pv
                len := lv
                kind := sub(_ABSENT, iszero(iszero(lv)))
            }

            // The walk from the root `expected` over the proof [p, e). Returns how it stopped, the
            // index of the node it stopped at, the value's offset and length, and the proof offset
            // after the last node consumed.
            function walk(expected, path_, p, e) -> fail, idx, vp, vl, pOut {
                let payload, nodeEnd, depth
                let embedded := 0
                for {} 1 { idx := add(idx, 1) } {
                    if iszero(embedded) {
                        // A node reached by hash: read it from the proof and check its hash.
                        if eq(p, e) {
                            fail := _TOO_SHORT
                            leave
                        }
                        let w := calldataload(p)
                        // Fast path: a full branch (header f9 02 11, children 0 and 1 hashes: see
                        // "Full branches" above) that the key continues below. Child i is at
                        // payload offset 33 * i.
                        if and(
                            and(eq(shr(232, w), 0xf90211), lt(depth, 64)),
                            and(eq(byte(3, w), 0xa0), eq(byte(0, calldataload(add(p, 36))), 0xa0))
                        ) {
                            nodeEnd := add(p, 532)
                            if gt(nodeEnd, e) {
                                fail := add(_INVALID, REASON_MALFORMED_RLP)
                                leave
                            }
                            let m := mload(0x40)
                            calldatacopy(m, p, 532)
                            if iszero(eq(keccak256(m, 532), expected)) {
                                fail := _HASH_MISMATCH
                                leave
                            }
                            vp := add(add(p, 3), mul(33, nibble(path_, depth)))
                            if iszero(eq(byte(0, calldataload(vp)), 0xa0)) {
                                fail := add(_INVALID, REASON_BAD_CHILD)
                                break
                            }
                            expected := calldataload(add(vp, 1))
                            depth := add(depth, 1)
                            p := nodeEnd
                            continue
                        }
                        let info
                        payload, nodeEnd, info := item(p, e)
                        if iszero(eq(info, 1)) {
                            fail := add(_INVALID, REASON_MALFORMED_RLP)
                            if iszero(info) { fail := add(_INVALID, REASON_NOT_A_LIST) }
                            leave
                        }
                        nodeEnd := add(payload, nodeEnd)
                        let m := mload(0x40)
                        let len := sub(nodeEnd, p)
                        calldatacopy(m, p, len)
                        if iszero(eq(keccak256(m, len), expected)) {
                            fail := _HASH_MISMATCH
                            leave
                        }
                        p := nodeEnd
                    }

                    let kind
                    kind, vp, vl, depth := node(payload, nodeEnd, depth, path_)
                    if kind {
                        // found or absent: the lookup ends here; or invalid
                        if gt(kind, _ABSENT) { fail := kind }
                        break
                    }

                    // Follow the child reference at `vp`.
                    let c := byte(0, calldataload(vp))
                    if eq(c, 0xa0) {
                        expected := calldataload(add(vp, 1))
                        embedded := 0
                        continue
                    }
                    if eq(c, 0x80) {
                        // Empty branch slot on the path: the key is absent.
                        vl := 0
                        break
                    }
                    if or(lt(c, 0xc1), gt(c, 0xde)) {
                        fail := add(_INVALID, REASON_BAD_CHILD)
                        break
                    }
                    // Embedded node (a list of 2..31 bytes): continue inside the parent. If the
                    // proof repeats it as the next node (byte-identical), skip the copy.
                    payload := add(vp, 1)
                    nodeEnd := add(payload, sub(c, 0xc0))
                    embedded := 1
                    let len := sub(nodeEnd, vp)
                    if iszero(lt(sub(e, p), len)) {
                        let drop := sub(256, shl(3, len))
                        if eq(shr(drop, calldataload(p)), shr(drop, calldataload(vp))) { p := add(p, len) }
                    }
                }
                if iszero(fail) { if iszero(eq(p, e)) { fail := _TRAILING } }
                pOut := p
            }

            status, index, valuePtr, valueLen, ptr := walk(root, path, ptr, end)
            exists := iszero(iszero(valueLen))
        }
        if (status != 0) {
            if (status == _HASH_MISMATCH) revert MerklePatriciaHashMismatch(index);
            if (status == _TOO_SHORT) revert MerklePatriciaProofTooShort();
            if (status == _TRAILING) revert MerklePatriciaTrailingNodes(index + 1);
            revert MerklePatriciaInvalidNode(index, status - _INVALID);
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
