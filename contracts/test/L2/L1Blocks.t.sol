// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Test code: narrowing casts here are on values already reduced to the target range.
// forge-lint: disable-start(unsafe-typecast)

import {L1Blocks} from "../../src/L2/L1Blocks.sol";
import {IL1Blocks} from "../../src/interfaces/IL1Blocks.sol";
import {BlockHeader} from "../../src/libraries/BlockHeader.sol";
import {HeaderBuilder} from "../lib/HeaderBuilder.sol";
import {Test} from "../lib/Test.sol";
import {L1BlocksTestLib as T} from "./L1BlocksTestBase.sol";

contract L1BlocksTest is Test {
    L1Blocks internal blocks;

    uint256 internal constant START = 21_000_000;

    event L1HeaderStored(uint256 indexed blockNumber, bytes32 indexed blockHash, bytes32 stateRoot, bool anchored);
    event L1WindowReset(uint256 oldestBlockNumber, uint256 latestBlockNumber);

    function setUp() public {
        T.etchL1Block();
        blocks = new L1Blocks(8);
    }

    /// A canonical chain of `n` headers from START (salt 0), parent of the first = keccak("genesis").
    function _chain(uint256 n, uint256 salt) internal pure returns (bytes[] memory hs, bytes32[] memory hashes) {
        hs = new bytes[](n);
        hashes = new bytes32[](n);
        bytes32 parent = keccak256("genesis");
        for (uint256 i; i < n; ++i) {
            hs[i] = T.header(parent, START + i, salt);
            hashes[i] = keccak256(hs[i]);
            parent = hashes[i];
        }
    }

    /// Anchors and submits `rlp` as the L2's current L1 origin.
    function _submitAnchored(bytes memory rlp) internal returns (bytes32) {
        T.setAnchor(keccak256(rlp), 0, 0);
        return blocks.setL1BlockHeader(rlp);
    }

    function _assertWindow(uint256 oldest, uint256 latest) internal {
        vm.assertEq(blocks.oldestBlockNumber(), oldest);
        vm.assertEq(blocks.latestBlockNumber(), latest);
        if (oldest > 0) {
            vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksBlockUnavailable.selector, oldest - 1));
            blocks.l1Blockhash(oldest - 1);
        }
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksBlockUnavailable.selector, latest + 1));
        blocks.l1Blockhash(latest + 1);
    }

    // ------------------------------------------------------------------ construction, empty state

    function test_constructor_ringSize_succeeds() public {
        vm.assertEq(blocks.RING_SIZE(), 8);
        vm.assertEq(new L1Blocks(1).RING_SIZE(), 1);
    }

    function test_constructor_zeroRingSize_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(L1Blocks.L1BlocksInvalidRingSize.selector, 0));
        new L1Blocks(0);
    }

    function test_getters_noHeaders_reverts() public {
        vm.expectRevert(IL1Blocks.L1BlocksNoHeaders.selector);
        blocks.latestBlockNumber();
        vm.expectRevert(IL1Blocks.L1BlocksNoHeaders.selector);
        blocks.oldestBlockNumber();
        vm.expectRevert(IL1Blocks.L1BlocksNoHeaders.selector);
        blocks.latestL1Blockhash();
        vm.expectRevert(IL1Blocks.L1BlocksNoHeaders.selector);
        blocks.latestL1Stateroot();
        vm.expectRevert(IL1Blocks.L1BlocksNoHeaders.selector);
        blocks.latestBlockTimestamp();
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksBlockUnavailable.selector, 0));
        blocks.l1Blockhash(0);
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksBlockUnavailable.selector, START));
        blocks.l1Stateroot(START);
    }

    // ------------------------------------------------------------------ anchored headers

    function test_setL1BlockHeader_anchored_succeeds() public {
        bytes memory rlp = T.header(keccak256("parent"), START, 0);
        bytes32 hash = keccak256(rlp);
        T.setAnchor(hash, uint64(START), 1_700_000_000);
        vm.expectEmit(address(blocks));
        emit L1HeaderStored(START, hash, T.stateRootOf(START, 0), true);
        vm.assertEq(blocks.setL1BlockHeader(rlp), hash);

        _assertWindow(START, START);
        vm.assertEq(blocks.latestL1Blockhash(), hash);
        vm.assertEq(blocks.l1Blockhash(START), hash);
        vm.assertEq(blocks.latestL1Stateroot(), T.stateRootOf(START, 0));
        vm.assertEq(blocks.l1Stateroot(START), T.stateRootOf(START, 0));
        vm.assertEq(blocks.latestBlockTimestamp(), 1_700_000_000 + 12 * START);
        vm.assertEq(blocks.getBlockTimestamp(START), 1_700_000_000 + 12 * START);
        vm.assertEq(blocks.getParentBeaconRoot(START), keccak256(abi.encode("beacon", START, T.stateRootOf(START, 0))));
    }

    function test_setL1BlockHeader_forgedHeader_reverts() public {
        bytes memory real = T.header(keccak256("parent"), START, 0);
        T.setAnchor(keccak256(real), 0, 0);
        // same number and parent, another state root: another hash
        bytes memory forged = T.header(keccak256("parent"), START, 1);
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksUnanchored.selector, keccak256(forged)));
        blocks.setL1BlockHeader(forged);
    }

    function test_setL1BlockHeader_forgedHeaderWithWindow_reverts() public {
        (bytes[] memory hs,) = _chain(3, 0);
        _submitAnchored(hs[1]);
        // neither anchored, nor the oldest's parent, nor stored
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksUnanchored.selector, keccak256(hs[2])));
        blocks.setL1BlockHeader(hs[2]);
        bytes memory sibling = T.header(keccak256("genesis"), START, 7);
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksUnanchored.selector, keccak256(sibling)));
        blocks.setL1BlockHeader(sibling);
    }

    function test_setL1BlockHeader_extendsWindow_succeeds() public {
        (bytes[] memory hs, bytes32[] memory hashes) = _chain(5, 0);
        for (uint256 i; i < 5; ++i) {
            _submitAnchored(hs[i]);
        }
        _assertWindow(START, START + 4);
        for (uint256 i; i < 5; ++i) {
            vm.assertEq(blocks.l1Blockhash(START + i), hashes[i]);
            vm.assertEq(blocks.l1Stateroot(START + i), T.stateRootOf(START + i, 0));
        }
    }

    function test_setL1BlockHeader_wrongParentRestarts_succeeds() public {
        (bytes[] memory hs,) = _chain(3, 0);
        _submitAnchored(hs[0]);
        _submitAnchored(hs[1]);
        // next number, but its parent is not our latest
        bytes memory stranger = T.header(keccak256("elsewhere"), START + 2, 0);
        T.setAnchor(keccak256(stranger), 0, 0);
        vm.expectEmit(address(blocks));
        emit L1WindowReset(START + 2, START + 2);
        blocks.setL1BlockHeader(stranger);
        _assertWindow(START + 2, START + 2);
        vm.assertEq(blocks.latestL1Blockhash(), keccak256(stranger));
    }

    function test_setL1BlockHeader_gapRestarts_succeeds() public {
        (bytes[] memory hs,) = _chain(6, 0);
        _submitAnchored(hs[0]);
        _submitAnchored(hs[5]);
        _assertWindow(START + 5, START + 5);
    }

    function test_setL1BlockHeader_olderAnchorOutsideWindowRestarts_succeeds() public {
        (bytes[] memory hs,) = _chain(6, 0);
        _submitAnchored(hs[4]);
        _submitAnchored(hs[5]);
        _submitAnchored(hs[1]);
        _assertWindow(START + 1, START + 1);
    }

    // ------------------------------------------------------------------ reorgs

    /// The L2 followed an L1 reorg back to a header it already holds: the window is cut back to it.
    function test_setL1BlockHeader_reorgTruncates_succeeds() public {
        (bytes[] memory hs, bytes32[] memory hashes) = _chain(5, 0);
        for (uint256 i; i < 5; ++i) {
            _submitAnchored(hs[i]);
        }
        T.setAnchor(hashes[2], 0, 0);
        vm.expectEmit(address(blocks));
        emit L1WindowReset(START, START + 2);
        blocks.setL1BlockHeader(hs[2]);
        _assertWindow(START, START + 2);
        vm.assertEq(blocks.latestL1Blockhash(), hashes[2]);

        // the new fork continues from there
        bytes memory fork3 = T.header(hashes[2], START + 3, 1);
        _submitAnchored(fork3);
        _assertWindow(START, START + 3);
        vm.assertEq(blocks.l1Blockhash(START + 3), keccak256(fork3));
        vm.assertEq(blocks.l1Stateroot(START + 3), T.stateRootOf(START + 3, 1));
    }

    /// The L2 followed an L1 reorg to a sibling of the latest: the stale fork is not readable.
    function test_setL1BlockHeader_reorgToSiblingRestarts_succeeds() public {
        (bytes[] memory hs, bytes32[] memory hashes) = _chain(4, 0);
        for (uint256 i; i < 4; ++i) {
            _submitAnchored(hs[i]);
        }
        bytes memory sibling = T.header(hashes[2], START + 3, 9);
        _submitAnchored(sibling);
        _assertWindow(START + 3, START + 3);
        vm.assertEq(blocks.l1Blockhash(START + 3), keccak256(sibling));
        // the fork's ancestors can be backfilled again
        blocks.setL1BlockHeader(hs[2]);
        _assertWindow(START + 2, START + 3);
    }

    function test_setL1BlockHeader_sameHeaderTwice_reverts() public {
        (bytes[] memory hs, bytes32[] memory hashes) = _chain(2, 0);
        _submitAnchored(hs[1]);
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksAlreadyStored.selector, hashes[1]));
        blocks.setL1BlockHeader(hs[1]);
        // a backfilled header, submitted again once it is no longer the oldest's parent
        blocks.setL1BlockHeader(hs[0]);
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksAlreadyStored.selector, hashes[0]));
        blocks.setL1BlockHeader(hs[0]);
    }

    // ------------------------------------------------------------------ backfill

    function test_setL1BlockHeader_backfill_succeeds() public {
        (bytes[] memory hs, bytes32[] memory hashes) = _chain(6, 0);
        _submitAnchored(hs[5]);
        vm.expectEmit(address(blocks));
        emit L1HeaderStored(START + 4, hashes[4], T.stateRootOf(START + 4, 0), false);
        blocks.setL1BlockHeader(hs[4]);
        blocks.setL1BlockHeader(hs[3]);
        _assertWindow(START + 3, START + 5);
        vm.assertEq(blocks.l1Blockhash(START + 3), hashes[3]);
        vm.assertEq(blocks.latestL1Blockhash(), hashes[5]);
        // backfilling never moves the latest
        vm.assertEq(blocks.latestBlockNumber(), START + 5);
    }

    function test_setL1BlockHeader_backfillWrongParent_reverts() public {
        (bytes[] memory hs,) = _chain(6, 0);
        _submitAnchored(hs[5]);
        // the grandparent, not the parent
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksUnanchored.selector, keccak256(hs[3])));
        blocks.setL1BlockHeader(hs[3]);
    }

    function test_setL1BlockHeader_backfillNumberMismatch_reverts() public {
        bytes memory odd = T.header(keccak256("x"), START + 50, 0);
        bytes memory child = T.header(keccak256(odd), START + 100, 0);
        _submitAnchored(child);
        vm.expectRevert(
            abi.encodeWithSelector(IL1Blocks.L1BlocksInvalidHeader.selector, blocks.REASON_PARENT_NUMBER_MISMATCH())
        );
        blocks.setL1BlockHeader(odd);
    }

    function test_setL1BlockHeader_backfillWhenFull_reverts() public {
        L1Blocks small = new L1Blocks(3);
        (bytes[] memory hs,) = _chain(4, 0);
        for (uint256 i = 1; i < 4; ++i) {
            T.setAnchor(keccak256(hs[i]), 0, 0);
            small.setL1BlockHeader(hs[i]);
        }
        vm.expectRevert(IL1Blocks.L1BlocksWindowFull.selector);
        small.setL1BlockHeader(hs[0]);
    }

    // ------------------------------------------------------------------ ring

    function test_setL1BlockHeader_ringWrapsDropsOldest_succeeds() public {
        L1Blocks small = new L1Blocks(4);
        (bytes[] memory hs, bytes32[] memory hashes) = _chain(11, 0);
        for (uint256 i; i < 11; ++i) {
            T.setAnchor(keccak256(hs[i]), 0, 0);
            small.setL1BlockHeader(hs[i]);
            uint256 oldest = i < 3 ? START : START + i - 3;
            vm.assertEq(small.oldestBlockNumber(), oldest);
            vm.assertEq(small.latestBlockNumber(), START + i);
        }
        for (uint256 i = 7; i < 11; ++i) {
            vm.assertEq(small.l1Blockhash(START + i), hashes[i]);
            vm.assertEq(small.l1Stateroot(START + i), T.stateRootOf(START + i, 0));
        }
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksBlockUnavailable.selector, START + 6));
        small.l1Blockhash(START + 6);
        // the dropped header is the oldest's parent, but the ring is full
        vm.expectRevert(IL1Blocks.L1BlocksWindowFull.selector);
        small.setL1BlockHeader(hs[6]);
    }

    function test_setL1BlockHeader_ringOfOne_succeeds() public {
        L1Blocks one = new L1Blocks(1);
        (bytes[] memory hs, bytes32[] memory hashes) = _chain(3, 0);
        for (uint256 i; i < 3; ++i) {
            T.setAnchor(keccak256(hs[i]), 0, 0);
            one.setL1BlockHeader(hs[i]);
            vm.assertEq(one.oldestBlockNumber(), START + i);
            vm.assertEq(one.latestL1Blockhash(), hashes[i]);
        }
    }

    // ------------------------------------------------------------------ bad input

    function test_setL1BlockHeader_malformedHeader_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(BlockHeader.BlockHeaderMalformed.selector, 2));
        blocks.setL1BlockHeader(hex"f90200");
        bytes memory rlp = T.header(keccak256("p"), START, 0);
        T.setAnchor(keccak256(rlp), 0, 0);
        vm.expectRevert(abi.encodeWithSelector(BlockHeader.BlockHeaderMalformed.selector, 8));
        blocks.setL1BlockHeader(bytes.concat(rlp, hex"00"));
    }

    function test_setL1BlockHeader_numberTooLarge_reverts() public {
        HeaderBuilder.Fields memory f = HeaderBuilder.prague(keccak256("p"), uint256(type(uint64).max) + 1, 0);
        f.timestamp = 1;
        bytes memory rlp = HeaderBuilder.encode(f);
        T.setAnchor(keccak256(rlp), 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IL1Blocks.L1BlocksInvalidHeader.selector, blocks.REASON_NUMBER_TOO_LARGE())
        );
        blocks.setL1BlockHeader(rlp);
    }

    function test_setL1BlockHeader_timestampTooLarge_reverts() public {
        HeaderBuilder.Fields memory f = HeaderBuilder.prague(keccak256("p"), START, 0);
        f.timestamp = uint256(type(uint64).max) + 1;
        bytes memory rlp = HeaderBuilder.encode(f);
        T.setAnchor(keccak256(rlp), 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IL1Blocks.L1BlocksInvalidHeader.selector, blocks.REASON_TIMESTAMP_TOO_LARGE())
        );
        blocks.setL1BlockHeader(rlp);
    }

    function test_setL1BlockHeader_londonHeader_succeeds() public {
        HeaderBuilder.Fields memory f = HeaderBuilder.prague(keccak256("p"), START, keccak256("s"));
        f.fieldCount = 16;
        bytes memory rlp = HeaderBuilder.encode(f);
        _submitAnchored(rlp);
        vm.assertEq(blocks.getParentBeaconRoot(START), bytes32(0));
        vm.assertEq(blocks.l1Stateroot(START), keccak256("s"));
    }

    // ------------------------------------------------------------------ real headers

    /// Real Prague headers from anvil: anchor the latest, backfill down to genesis.
    function test_setL1BlockHeader_anvilHeaders_succeeds() public {
        string memory json = vm.readFile("test/fixtures/anvil.json");
        uint256 latest = vm.parseJsonUint(json, ".block.number");
        bytes memory top = vm.parseJsonBytes(json, string.concat(".headers[", vm.toString(latest), "].rlp"));
        _submitAnchored(top);
        for (uint256 i = latest; i > 0; --i) {
            blocks.setL1BlockHeader(vm.parseJsonBytes(json, string.concat(".headers[", vm.toString(i - 1), "].rlp")));
        }
        _assertWindow(0, latest);
        for (uint256 i; i <= latest; ++i) {
            string memory p = string.concat(".headers[", vm.toString(i), "]");
            vm.assertEq(blocks.l1Blockhash(i), vm.parseJsonBytes32(json, string.concat(p, ".hash")));
            vm.assertEq(blocks.l1Stateroot(i), vm.parseJsonBytes32(json, string.concat(p, ".stateRoot")));
            vm.assertEq(blocks.getBlockTimestamp(i), vm.parseJsonUint(json, string.concat(p, ".timestamp")));
        }
        vm.assertEq(blocks.latestL1Stateroot(), vm.parseJsonBytes32(json, ".block.stateRoot"));
    }

    // ------------------------------------------------------------------ gas

    function test_setL1BlockHeader_gas_succeeds() public {
        L1Blocks small = new L1Blocks(2);
        (bytes[] memory hs,) = _chain(5, 0);
        uint256[5] memory used;
        for (uint256 i = 1; i < 5; ++i) {
            T.setAnchor(keccak256(hs[i]), 0, 0);
            uint256 before = gasleft();
            small.setL1BlockHeader(hs[i]);
            used[i] = before - gasleft();
        }
        vm.snapshotValue("setL1BlockHeader_firstAnchored", used[1]);
        vm.snapshotValue("setL1BlockHeader_extendFreshSlot", used[2]);
        vm.snapshotValue("setL1BlockHeader_extendRingWrapped", used[4]);
        vm.assertLt(used[4], 60_000);
    }
}
// forge-lint: disable-end(unsafe-typecast)
