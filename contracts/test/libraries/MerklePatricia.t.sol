// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {MerklePatricia} from "../../src/libraries/MerklePatricia.sol";
import {ProofHarness} from "../harness/ProofHarness.sol";
import {RLPTestEncoder} from "../lib/RLPTestEncoder.sol";
import {Test} from "../lib/Test.sol";
import {TrieBuilder} from "../lib/TrieBuilder.sol";

/// @notice Hand-built tries, one test per Merkle-Patricia pitfall (DESIGN §5) and per node shape.
contract MerklePatriciaTest is Test {
    using TrieBuilder for bytes;

    ProofHarness internal h;

    bytes internal constant VAL_A = "value A: forty bytes long, so hashed....";
    bytes internal constant VAL_B = "value B: forty bytes long, so hashed....";

    function setUp() public {
        h = new ProofHarness();
    }

    /// A key whose first nibble is `first`, the rest random.
    function _key(uint256 first, uint256 salt) internal pure returns (bytes32) {
        uint256 k = uint256(keccak256(abi.encode(salt)));
        return bytes32((k & ~(uint256(0xf) << 252)) | (first << 252));
    }

    /// `key` with nibble `i` replaced by `n`.
    function _setNibble(bytes32 key, uint256 i, uint256 n) internal pure returns (bytes32) {
        uint256 shift = 252 - 4 * i;
        return bytes32((uint256(key) & ~(uint256(0xf) << shift)) | (n << shift));
    }

    function _expectInvalid(uint256 index, uint256 reason) internal {
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaInvalidNode.selector, index, reason));
    }

    function _assertAbsent(bytes32 root, bytes32 key, bytes memory proof) internal view {
        (bool exists, bytes memory value) = h.get(root, key, proof);
        vm.assertFalse(exists);
        vm.assertEq(value.length, 0);
    }

    function _assertPresent(bytes32 root, bytes32 key, bytes memory proof, bytes memory expected) internal view {
        (bool exists, bytes memory value) = h.get(root, key, proof);
        vm.assertTrue(exists);
        vm.assertEq(value, expected);
    }

    // ------------------------------------------------------------------ a root branch with 2 leaves

    struct BranchTrie {
        bytes32 root;
        bytes32 keyA;
        bytes32 keyB;
        bytes branch;
        bytes leafA;
        bytes leafB;
    }

    function _branchTrie() internal pure returns (BranchTrie memory t) {
        t.keyA = _key(0xa, 1);
        t.keyB = _key(0xb, 2);
        t.leafA = TrieBuilder.leaf(TrieBuilder.nibbles(t.keyA).slice(1, 64), VAL_A);
        t.leafB = TrieBuilder.leaf(TrieBuilder.nibbles(t.keyB).slice(1, 64), VAL_B);
        bytes[16] memory children;
        children[0xa] = TrieBuilder.ref(t.leafA);
        children[0xb] = TrieBuilder.ref(t.leafB);
        t.branch = TrieBuilder.branch(children, "");
        t.root = keccak256(t.branch);
    }

    function test_get_presentKeyUnderBranch_succeeds() public view {
        BranchTrie memory t = _branchTrie();
        _assertPresent(t.root, t.keyA, bytes.concat(t.branch, t.leafA), VAL_A);
        _assertPresent(t.root, t.keyB, bytes.concat(t.branch, t.leafB), VAL_B);
    }

    /// Absence: the key's slot in a branch is empty.
    function test_get_missingKeyEmptyBranchSlot_succeeds() public view {
        BranchTrie memory t = _branchTrie();
        _assertAbsent(t.root, _key(0xc, 3), t.branch);
    }

    /// Absence: the key shares the branch slot with a leaf for another key.
    function test_get_missingKeyDivergingLeaf_succeeds() public view {
        BranchTrie memory t = _branchTrie();
        _assertAbsent(t.root, _key(0xa, 4), bytes.concat(t.branch, t.leafA));
    }

    /// A proof that stops at a branch whose slot on the path is non-empty is not an absence proof.
    function test_get_proofCutShortAtBranch_reverts() public {
        BranchTrie memory t = _branchTrie();
        vm.expectRevert(MerklePatricia.MerklePatriciaProofTooShort.selector);
        h.get(t.root, t.keyA, t.branch);
        // also for a key that is absent further down
        vm.expectRevert(MerklePatricia.MerklePatriciaProofTooShort.selector);
        h.get(t.root, _key(0xa, 4), t.branch);
    }

    function test_get_proofCutShortAtFullBranch_reverts() public {
        bytes32 key = _key(0x7, 9);
        bytes[16] memory children;
        for (uint256 i; i < 16; ++i) {
            children[i] = TrieBuilder.hashRef(keccak256(abi.encode(i)));
        }
        bytes memory node = TrieBuilder.branch(children, "");
        vm.assertEq(node.length, 532);
        vm.expectRevert(MerklePatricia.MerklePatriciaProofTooShort.selector);
        h.get(keccak256(node), key, node);
    }

    function test_get_emptyProofForNonEmptyRoot_reverts() public {
        BranchTrie memory t = _branchTrie();
        vm.expectRevert(MerklePatricia.MerklePatriciaProofTooShort.selector);
        h.get(t.root, t.keyA, "");
    }

    /// The root is always checked, the first node included.
    function test_get_wrongRoot_reverts() public {
        BranchTrie memory t = _branchTrie();
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaHashMismatch.selector, 0));
        h.get(keccak256("another root"), t.keyA, bytes.concat(t.branch, t.leafA));
    }

    function test_get_forgedLeaf_reverts() public {
        BranchTrie memory t = _branchTrie();
        bytes memory forged = TrieBuilder.leaf(TrieBuilder.nibbles(t.keyA).slice(1, 64), "forged value");
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaHashMismatch.selector, 1));
        h.get(t.root, t.keyA, bytes.concat(t.branch, forged));
    }

    function test_get_nodesOutOfOrder_reverts() public {
        BranchTrie memory t = _branchTrie();
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaHashMismatch.selector, 0));
        h.get(t.root, t.keyA, bytes.concat(t.leafA, t.branch));
    }

    /// Extra nodes after the node where the lookup ends are rejected.
    function test_get_trailingNodeAfterLeaf_reverts() public {
        BranchTrie memory t = _branchTrie();
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaTrailingNodes.selector, 2));
        h.get(t.root, t.keyA, bytes.concat(t.branch, t.leafA, t.leafB));
    }

    function test_get_trailingNodeAfterEmptySlot_reverts() public {
        BranchTrie memory t = _branchTrie();
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaTrailingNodes.selector, 1));
        h.get(t.root, _key(0xc, 3), bytes.concat(t.branch, t.leafA));
    }

    function test_get_trailingByteAfterDivergingLeaf_reverts() public {
        BranchTrie memory t = _branchTrie();
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaTrailingNodes.selector, 2));
        h.get(t.root, _key(0xa, 4), bytes.concat(t.branch, t.leafA, hex"80"));
    }

    // ------------------------------------------------------------------ the empty trie

    function test_get_emptyTrieEmptyProof_succeeds() public view {
        _assertAbsent(MerklePatricia.EMPTY_TRIE_ROOT, _key(1, 1), "");
    }

    function test_get_emptyTrieRootNodeProof_succeeds() public view {
        _assertAbsent(MerklePatricia.EMPTY_TRIE_ROOT, _key(1, 1), hex"80");
    }

    function test_get_emptyTrieWithNodes_reverts() public {
        BranchTrie memory t = _branchTrie();
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaHashMismatch.selector, 0));
        h.get(MerklePatricia.EMPTY_TRIE_ROOT, t.keyA, bytes.concat(t.branch, t.leafA));
        vm.expectRevert();
        h.get(MerklePatricia.EMPTY_TRIE_ROOT, t.keyA, hex"8080");
    }

    // ------------------------------------------------------------------ extensions, hex prefix

    /// An extension of `shared` nibbles over a branch with two leaves.
    function _extensionTrie(uint256 shared)
        internal
        pure
        returns (bytes32 root, bytes32 keyA, bytes32 keyB, bytes memory ext, bytes memory br, bytes memory leafA)
    {
        keyA = _key(0x3, 5);
        keyB = _setNibble(keyA, shared, (uint256(keyA) >> (252 - 4 * shared) & 0xf) ^ 0x8);
        bytes memory nA = TrieBuilder.nibbles(keyA);
        leafA = TrieBuilder.leaf(nA.slice(shared + 1, 64), VAL_A);
        bytes memory leafB = TrieBuilder.leaf(TrieBuilder.nibbles(keyB).slice(shared + 1, 64), VAL_B);
        bytes[16] memory children;
        children[uint8(nA[shared])] = TrieBuilder.ref(leafA);
        children[uint8(TrieBuilder.nibbles(keyB)[shared])] = TrieBuilder.ref(leafB);
        br = TrieBuilder.branch(children, "");
        ext = TrieBuilder.extension(nA.slice(0, shared), TrieBuilder.ref(br));
        root = keccak256(ext);
    }

    function test_get_extensionOddNibbles_succeeds() public view {
        (bytes32 root, bytes32 keyA,, bytes memory ext, bytes memory br, bytes memory leafA) = _extensionTrie(5);
        _assertPresent(root, keyA, bytes.concat(ext, br, leafA), VAL_A);
    }

    function test_get_extensionEvenNibbles_succeeds() public view {
        (bytes32 root, bytes32 keyA,, bytes memory ext, bytes memory br, bytes memory leafA) = _extensionTrie(6);
        _assertPresent(root, keyA, bytes.concat(ext, br, leafA), VAL_A);
    }

    /// Leaves after a branch at depth 5 / 6 have odd (58) / even (57 → odd) remaining paths; a
    /// leaf at the root has all 64 nibbles (even).
    function test_get_leafEvenNibblesAtRoot_succeeds() public view {
        bytes32 key = _key(0xe, 77);
        bytes memory leaf = TrieBuilder.leaf(TrieBuilder.nibbles(key), VAL_A);
        _assertPresent(keccak256(leaf), key, leaf, VAL_A);
        _assertAbsent(keccak256(leaf), _setNibble(key, 63, (uint256(key) & 0xf) ^ 1), leaf);
    }

    function test_get_leafOddNibbles_succeeds() public view {
        BranchTrie memory t = _branchTrie(); // leaves below the root branch have 63 nibbles
        _assertPresent(t.root, t.keyA, bytes.concat(t.branch, t.leafA), VAL_A);
    }

    /// Absence: the key leaves the extension's path.
    function test_get_missingKeyDivergingExtension_succeeds() public view {
        (bytes32 root, bytes32 keyA,, bytes memory ext,,) = _extensionTrie(5);
        bytes32 other = _setNibble(keyA, 2, (uint256(keyA) >> (252 - 8) & 0xf) ^ 0x1);
        _assertAbsent(root, other, ext);
        other = _setNibble(keyA, 4, (uint256(keyA) >> (252 - 16) & 0xf) ^ 0x1);
        _assertAbsent(root, other, ext);
    }

    function test_get_proofCutShortAtExtension_reverts() public {
        (bytes32 root, bytes32 keyA,, bytes memory ext,,) = _extensionTrie(6);
        vm.expectRevert(MerklePatricia.MerklePatriciaProofTooShort.selector);
        h.get(root, keyA, ext);
    }

    /// A leaf whose remaining path is empty (hex prefix 0x20): keys that differ in the last nibble.
    function test_get_leafEmptyRemainingPath_succeeds() public view {
        bytes32 keyA = _key(0x9, 11);
        bytes32 keyB = _setNibble(keyA, 63, (uint256(keyA) & 0xf) ^ 0x4);
        bytes memory value = abi.encodePacked(keccak256("a 32-byte value"));
        bytes memory empty = new bytes(0);
        bytes memory leafA = TrieBuilder.leaf(empty, value);
        bytes memory leafB = TrieBuilder.leaf(empty, abi.encodePacked(keccak256("another")));
        vm.assertEq(leafA[1], bytes1(0x20));
        bytes[16] memory children;
        children[uint256(keyA) & 0xf] = TrieBuilder.ref(leafA);
        children[uint256(keyB) & 0xf] = TrieBuilder.ref(leafB);
        bytes memory br = TrieBuilder.branch(children, "");
        bytes memory ext = TrieBuilder.extension(TrieBuilder.nibbles(keyA).slice(0, 63), TrieBuilder.ref(br));
        _assertPresent(keccak256(ext), keyA, bytes.concat(ext, br, leafA), value);
        _assertAbsent(keccak256(ext), _setNibble(keyA, 63, (uint256(keyA) & 0xf) ^ 0x1), bytes.concat(ext, br));
    }

    // ------------------------------------------------------------------ embedded (< 32-byte) nodes

    struct InlineTrie {
        bytes32 root;
        bytes32 keyC;
        bytes32 keyD;
        bytes ext;
        bytes br;
        bytes leafC;
    }

    /// Keys sharing 62 nibbles with 1-byte values: the leaves (3 bytes) and the branch holding them
    /// (22 bytes) are embedded in the root extension.
    function _inlineTrie() internal pure returns (InlineTrie memory t) {
        t.keyC = _key(0x5, 21);
        t.keyD = _setNibble(t.keyC, 62, (uint256(t.keyC) >> 4 & 0xf) ^ 0x3);
        bytes memory nC = TrieBuilder.nibbles(t.keyC);
        t.leafC = TrieBuilder.leaf(nC.slice(63, 64), hex"01");
        bytes memory leafD = TrieBuilder.leaf(TrieBuilder.nibbles(t.keyD).slice(63, 64), hex"02");
        bytes[16] memory children;
        children[uint8(nC[62])] = TrieBuilder.ref(t.leafC);
        children[uint8(TrieBuilder.nibbles(t.keyD)[62])] = TrieBuilder.ref(leafD);
        t.br = TrieBuilder.branch(children, "");
        t.ext = TrieBuilder.extension(nC.slice(0, 62), TrieBuilder.ref(t.br));
        t.root = keccak256(t.ext);
    }

    function test_get_inlineNodes_succeeds() public view {
        InlineTrie memory t = _inlineTrie();
        vm.assertEq(t.leafC.length, 3);
        vm.assertLt(t.br.length, 32);
        // geth's form: the embedded nodes only inside their parent
        _assertPresent(t.root, t.keyC, t.ext, hex"01");
        _assertPresent(t.root, t.keyD, t.ext, hex"02");
    }

    /// The ethereumjs form repeats embedded nodes as proof nodes: accepted when byte-identical.
    function test_get_inlineNodesRepeated_succeeds() public view {
        InlineTrie memory t = _inlineTrie();
        _assertPresent(t.root, t.keyC, bytes.concat(t.ext, t.br, t.leafC), hex"01");
        _assertPresent(t.root, t.keyC, bytes.concat(t.ext, t.br), hex"01");
    }

    function test_get_inlineNodeRepeatedWithChange_reverts() public {
        InlineTrie memory t = _inlineTrie();
        bytes memory altered = TrieBuilder.leaf(TrieBuilder.nibbles(t.keyC).slice(63, 64), hex"07");
        vm.expectRevert(abi.encodeWithSelector(MerklePatricia.MerklePatriciaTrailingNodes.selector, 3));
        h.get(t.root, t.keyC, bytes.concat(t.ext, t.br, altered));
    }

    function test_get_inlineNodeMissingKey_succeeds() public view {
        InlineTrie memory t = _inlineTrie();
        // empty slot in the embedded branch
        _assertAbsent(t.root, _setNibble(t.keyC, 62, (uint256(t.keyC) >> 4 & 0xf) ^ 0x5), t.ext);
        // diverging at the embedded leaf
        _assertAbsent(t.root, _setNibble(t.keyC, 63, (uint256(t.keyC) & 0xf) ^ 0x5), t.ext);
    }

    function test_get_embeddedNodeNotHashed_succeeds() public view {
        InlineTrie memory t = _inlineTrie();
        // a proof that supplies the embedded branch as if it were hashed is not needed, and the
        // root extension does not hold its hash: the value is read from inside the extension.
        (bool exists,) = h.get(t.root, t.keyC, t.ext);
        vm.assertTrue(exists);
        vm.assertEq(t.ext.length, 56);
    }

    // ------------------------------------------------------------------ branch value slot (key ends at a branch)

    function _valueBranchTrie(bytes memory value, bool full)
        internal
        pure
        returns (bytes32 root, bytes32 key, bytes memory proof)
    {
        key = _key(0x2, 31);
        bytes[16] memory children;
        for (uint256 i; i < 16; ++i) {
            if (full || i % 5 == 0) children[i] = TrieBuilder.hashRef(keccak256(abi.encode("longer key", i)));
        }
        bytes memory br = TrieBuilder.branch(children, value);
        bytes memory ext = TrieBuilder.extension(TrieBuilder.nibbles(key), TrieBuilder.ref(br));
        root = keccak256(ext);
        proof = bytes.concat(ext, br);
    }

    function test_get_branchValueSlot_succeeds() public view {
        (bytes32 root, bytes32 key, bytes memory proof) = _valueBranchTrie("a value in the branch", false);
        _assertPresent(root, key, proof, "a value in the branch");
    }

    function test_get_branchValueSlotEmpty_succeeds() public view {
        (bytes32 root, bytes32 key, bytes memory proof) = _valueBranchTrie("", false);
        _assertAbsent(root, key, proof);
    }

    function test_get_fullBranchValueSlot_succeeds() public view {
        (bytes32 root, bytes32 key, bytes memory proof) = _valueBranchTrie(hex"05", true);
        _assertPresent(root, key, proof, hex"05");
        (root, key, proof) = _valueBranchTrie("", true);
        _assertAbsent(root, key, proof);
    }

    // ------------------------------------------------------------------ malformed nodes (trusted roots)

    function test_get_nodeNotAList_reverts() public {
        bytes memory node = RLPTestEncoder.encodeBytes("a string, not a node, but long enough");
        _expectInvalid(0, MerklePatricia.REASON_NOT_A_LIST);
        h.get(keccak256(node), _key(1, 1), node);
    }

    function test_get_nodeRunsPastProof_reverts() public {
        bytes memory node = hex"c50102";
        _expectInvalid(0, MerklePatricia.REASON_MALFORMED_RLP);
        h.get(keccak256(node), _key(1, 1), node);
    }

    function test_get_nodeNonCanonicalLength_reverts() public {
        // a 4-byte payload written with a long-form length
        bytes memory node = hex"f8042001c0c0";
        _expectInvalid(0, MerklePatricia.REASON_MALFORMED_RLP);
        h.get(keccak256(node), _key(1, 1), node);
    }

    function test_get_oneItemNode_reverts() public {
        bytes memory node = RLPTestEncoder.encodeList2(RLPTestEncoder.encodeBytes(hex"20"), "");
        _expectInvalid(0, MerklePatricia.REASON_BAD_ITEM_COUNT);
        h.get(keccak256(node), _key(1, 1), node);
    }

    function test_get_hexPrefixBadFlag_reverts() public {
        bytes memory node =
            RLPTestEncoder.encodeList2(RLPTestEncoder.encodeBytes(hex"4012"), RLPTestEncoder.encodeBytes(VAL_A));
        _expectInvalid(0, MerklePatricia.REASON_BAD_HEX_PREFIX);
        h.get(keccak256(node), _key(1, 1), node);
    }

    function test_get_hexPrefixEvenWithPad_reverts() public {
        bytes memory node =
            RLPTestEncoder.encodeList2(RLPTestEncoder.encodeBytes(hex"2112"), RLPTestEncoder.encodeBytes(VAL_A));
        _expectInvalid(0, MerklePatricia.REASON_BAD_HEX_PREFIX);
        h.get(keccak256(node), _key(1, 1), node);
    }

    function test_get_emptyExtension_reverts() public {
        bytes memory node = TrieBuilder.extension(new bytes(0), TrieBuilder.hashRef(keccak256("child")));
        _expectInvalid(0, MerklePatricia.REASON_EMPTY_EXTENSION);
        h.get(keccak256(node), _key(1, 1), node);
    }

    function test_get_extensionEmptyChild_reverts() public {
        bytes32 key = _key(1, 1);
        bytes memory node = TrieBuilder.extension(TrieBuilder.nibbles(key).slice(0, 3), hex"80");
        node = bytes.concat(node, new bytes(0));
        // pad to >= 32 bytes is not needed: the root is hashed whatever its size
        _expectInvalid(0, MerklePatricia.REASON_BAD_CHILD);
        h.get(keccak256(node), key, node);
    }

    function test_get_branchChildNotAReference_reverts() public {
        bytes32 key = _key(0x4, 1);
        bytes[16] memory children;
        children[4] = RLPTestEncoder.encodeBytes(hex"0102030405");
        children[9] = TrieBuilder.hashRef(keccak256("x"));
        bytes memory node = TrieBuilder.branch(children, "");
        _expectInvalid(0, MerklePatricia.REASON_BAD_CHILD);
        h.get(keccak256(node), key, node);
    }

    function test_get_branchChildEmbeddedTooLong_reverts() public {
        bytes32 key = _key(0x4, 1);
        bytes[16] memory children;
        // a 32-byte list: nodes of 32 bytes or more must be referenced by hash
        children[4] = bytes.concat(hex"df", new bytes(31));
        children[9] = TrieBuilder.hashRef(keccak256("x"));
        bytes memory node = TrieBuilder.branch(children, "");
        _expectInvalid(0, MerklePatricia.REASON_BAD_CHILD);
        h.get(keccak256(node), key, node);
    }

    function test_get_leafValueList_reverts() public {
        bytes32 key = _key(1, 1);
        bytes memory node = RLPTestEncoder.encodeList2(
            RLPTestEncoder.encodeBytes(TrieBuilder.hexPrefix(TrieBuilder.nibbles(key), true)), hex"c20102"
        );
        _expectInvalid(0, MerklePatricia.REASON_BAD_VALUE);
        h.get(keccak256(node), key, node);
    }

    function test_get_leafValueEmpty_reverts() public {
        bytes32 key = _key(1, 1);
        bytes memory node = TrieBuilder.leaf(TrieBuilder.nibbles(key), "");
        _expectInvalid(0, MerklePatricia.REASON_BAD_VALUE);
        h.get(keccak256(node), key, node);
    }

    function test_get_leafValueNonCanonical_reverts() public {
        bytes32 key = _key(1, 1);
        bytes memory node = RLPTestEncoder.encodeList2(
            RLPTestEncoder.encodeBytes(TrieBuilder.hexPrefix(TrieBuilder.nibbles(key), true)), hex"8105"
        );
        _expectInvalid(0, MerklePatricia.REASON_MALFORMED_RLP);
        h.get(keccak256(node), key, node);
    }

    function test_get_branchValueSlotList_reverts() public {
        bytes32 key = _key(0x2, 31);
        bytes[16] memory children;
        children[1] = TrieBuilder.hashRef(keccak256("c"));
        bytes[] memory items = new bytes[](17);
        for (uint256 i; i < 16; ++i) {
            items[i] = children[i].length == 0 ? bytes(hex"80") : children[i];
        }
        items[16] = hex"c0";
        bytes memory br = RLPTestEncoder.encodeList(items);
        bytes memory ext = TrieBuilder.extension(TrieBuilder.nibbles(key), TrieBuilder.ref(br));
        _expectInvalid(1, MerklePatricia.REASON_BAD_VALUE);
        h.get(keccak256(ext), key, bytes.concat(ext, br));
    }

    function test_get_branchExtraItem_reverts() public {
        bytes32 key = _key(0x2, 31);
        bytes[] memory items = new bytes[](18);
        for (uint256 i; i < 18; ++i) {
            items[i] = hex"80";
        }
        items[1] = TrieBuilder.hashRef(keccak256("c"));
        bytes memory br = RLPTestEncoder.encodeList(items);
        bytes memory ext = TrieBuilder.extension(TrieBuilder.nibbles(key), TrieBuilder.ref(br));
        _expectInvalid(1, MerklePatricia.REASON_BAD_ITEM_COUNT);
        h.get(keccak256(ext), key, bytes.concat(ext, br));
    }

    // ------------------------------------------------------------------ fuzz

    struct TwoKeyTrie {
        bytes32 root;
        bytes top;
        bytes br;
        bytes leaf1;
        bytes leaf2;
    }

    function _twoKeyTrie(bytes32 k1, bytes32 k2, uint256 shared, bytes memory v1, bytes memory v2)
        internal
        pure
        returns (TwoKeyTrie memory t)
    {
        bytes memory nib1 = TrieBuilder.nibbles(k1);
        bytes memory nib2 = TrieBuilder.nibbles(k2);
        t.leaf1 = TrieBuilder.leaf(nib1.slice(shared + 1, 64), v1);
        t.leaf2 = TrieBuilder.leaf(nib2.slice(shared + 1, 64), v2);
        bytes[16] memory children;
        children[uint8(nib1[shared])] = TrieBuilder.ref(t.leaf1);
        children[uint8(nib2[shared])] = TrieBuilder.ref(t.leaf2);
        t.br = TrieBuilder.branch(children, "");
        t.top = shared == 0 ? t.br : TrieBuilder.extension(nib1.slice(0, shared), TrieBuilder.ref(t.br));
        t.root = keccak256(t.top);
    }

    /// geth-form proof for the key whose leaf is `leaf`: the root, then the nodes referenced by hash.
    function _twoKeyProof(TwoKeyTrie memory t, bytes memory leaf, bool extended)
        internal
        pure
        returns (bytes memory p)
    {
        p = t.top;
        // under an embedded branch everything stays inside the root node
        if (extended && t.br.length < 32) return p;
        if (extended) p = bytes.concat(p, t.br);
        if (leaf.length >= 32) p = bytes.concat(p, leaf);
    }

    /// Two random keys sharing a random number of nibbles, with random values: their trie
    /// (extension / branch / leaves, embedded or hashed as their sizes dictate) proves both, and a
    /// third key absent.
    function testFuzz_get_twoKeyTrie_succeeds(
        bytes32 k1,
        bytes32 k2,
        bytes calldata v1,
        bytes calldata v2,
        uint8 shareSeed
    ) public view {
        vm.assume(v1.length > 0 && v2.length > 0 && v1.length < 80 && v2.length < 80);
        uint256 shared = bound(shareSeed, 0, 63);
        // k2 shares exactly `shared` nibbles with k1
        bytes32 mask = shared == 0 ? bytes32(0) : bytes32(~(type(uint256).max >> (4 * shared)));
        k2 = (k1 & mask) | (k2 & ~mask);
        uint256 n1 = uint256(k1) >> (252 - 4 * shared) & 0xf;
        k2 = _setNibble(k2, shared, n1 ^ (1 + (uint256(k2) % 15)));

        TwoKeyTrie memory t = _twoKeyTrie(k1, k2, shared, v1, v2);
        _assertPresent(t.root, k1, _twoKeyProof(t, t.leaf1, shared != 0), v1);
        _assertPresent(t.root, k2, _twoKeyProof(t, t.leaf2, shared != 0), v2);
        _assertThirdKeyAbsent(t, k1, k2, shared);
    }

    /// A key whose slot in the two-key trie's branch is empty is proven absent.
    function _assertThirdKeyAbsent(TwoKeyTrie memory t, bytes32 k1, bytes32 k2, uint256 shared) internal view {
        uint256 n1 = uint256(k1) >> (252 - 4 * shared) & 0xf;
        uint256 n2 = uint256(k2) >> (252 - 4 * shared) & 0xf;
        uint256 n3 = (n1 + 1) % 16 == n2 ? (n1 + 2) % 16 : (n1 + 1) % 16;
        bytes memory p3 = (shared != 0 && t.br.length >= 32) ? bytes.concat(t.top, t.br) : t.top;
        _assertAbsent(t.root, _setNibble(k1, shared, n3), p3);
    }

    /// Random bytes never verify against a random root.
    function testFuzz_get_randomProof_reverts(bytes32 root, bytes32 path, bytes calldata proof) public {
        vm.assume(root != MerklePatricia.EMPTY_TRIE_ROOT);
        vm.expectRevert();
        h.get(root, path, proof);
    }
}
