// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {L1Blocks} from "../../src/L2/L1Blocks.sol";
import {IL1Blocks} from "../../src/interfaces/IL1Blocks.sol";
import {Test} from "../lib/Test.sol";
import {L1BlocksTestLib as T} from "./L1BlocksTestBase.sol";

/// @notice Drives L1Blocks through an L1 that grows, reorgs and rewinds, with an untrusted feeder
///         that also submits stale, forked and forged headers. Keeps every header it ever made.
contract L1BlocksHandler {
    struct Info {
        bytes32 parentHash;
        uint256 number;
        bytes32 stateRoot;
        bool known;
    }

    L1Blocks public immutable blocks;
    uint256 internal constant START = 19_000_000;

    mapping(bytes32 hash => Info) public info;
    mapping(bytes32 hash => bytes) internal _rlp;
    /// the L1 chain the L2 currently follows, from START on
    bytes32[] public canonical;
    uint256 internal _salt;

    /// hash of the last header the contract accepted as anchored (it must be the latest)
    bytes32 public lastAnchored;
    /// set if a header that is neither anchored nor a parent of the window was accepted
    bool public forgedAccepted;
    uint256 public accepted;

    constructor(L1Blocks blocks_) {
        blocks = blocks_;
        _extendCanonical(1);
    }

    function _make(bytes32 parent, uint256 number) internal returns (bytes32 hash) {
        uint256 salt = ++_salt;
        bytes memory rlp = T.header(parent, number, salt);
        hash = keccak256(rlp);
        _rlp[hash] = rlp;
        info[hash] = Info(parent, number, T.stateRootOf(number, salt), true);
    }

    function _extendCanonical(uint256 n) internal {
        for (uint256 i; i < n; ++i) {
            uint256 len = canonical.length;
            bytes32 parent = len == 0 ? keccak256("pre-start") : canonical[len - 1];
            canonical.push(_make(parent, START + len));
        }
    }

    function _anchorAndSubmit(bytes32 hash) internal {
        T.setAnchor(hash, uint64(info[hash].number), 0);
        try blocks.setL1BlockHeader(_rlp[hash]) {
            lastAnchored = hash;
            ++accepted;
        } catch (bytes memory err) {
            // the only anchored submission that may fail is the current latest, again
            require(bytes4(err) == IL1Blocks.L1BlocksAlreadyStored.selector, "anchored header rejected");
            require(blocks.latestL1Blockhash() == hash, "AlreadyStored for a header that is not the latest");
        }
    }

    /// L1 grows by 1..3 blocks; the L2 origin moves to the new tip.
    function advance(uint8 count) external {
        _extendCanonical(1 + count % 3);
        _anchorAndSubmit(canonical[canonical.length - 1]);
    }

    /// The L2 origin moves to the next canonical block only (the feeder keeps up block by block).
    function step() external {
        _extendCanonical(1);
        _anchorAndSubmit(canonical[canonical.length - 1]);
    }

    /// L1 reorgs: the last `depth` blocks are replaced by `len` new ones; the origin moves to the new tip.
    function reorg(uint8 depth, uint8 len) external {
        uint256 d = 1 + depth % 4;
        if (d >= canonical.length) d = canonical.length - 1;
        for (uint256 i; i < d; ++i) {
            canonical.pop();
        }
        uint256 n = 1 + len % 4;
        for (uint256 i; i < n; ++i) {
            uint256 l = canonical.length;
            canonical.push(_make(canonical[l - 1], START + l));
        }
        _anchorAndSubmit(canonical[canonical.length - 1]);
    }

    /// The origin moves back to an older canonical block (the chain is cut there).
    function rewind(uint8 back) external {
        uint256 b = back % 6;
        if (b >= canonical.length) b = canonical.length - 1;
        for (uint256 i; i < b; ++i) {
            canonical.pop();
        }
        _anchorAndSubmit(canonical[canonical.length - 1]);
    }

    /// The feeder backfills the parent of the oldest stored header, when it knows it.
    function backfill() external {
        bytes32 oldest;
        try blocks.oldestBlockNumber() returns (uint256 n) {
            oldest = blocks.l1Blockhash(n);
        } catch {
            return;
        }
        bytes32 parent = info[oldest].parentHash;
        if (!info[parent].known) return;
        try blocks.setL1BlockHeader(_rlp[parent]) {
            ++accepted;
        } catch (bytes memory err) {
            require(bytes4(err) == IL1Blocks.L1BlocksWindowFull.selector, "backfill rejected");
        }
    }

    /// The feeder submits some header it knows that is not the anchor: it must only be accepted
    /// as a backfill (the oldest's parent).
    function submitKnown(uint256 seed) external {
        bytes32 hash = canonical[seed % canonical.length];
        if (seed % 3 == 0) hash = _make(info[hash].parentHash, info[hash].number); // a fresh sibling
        bytes32 oldestParent = _oldestParent();
        try blocks.setL1BlockHeader(_rlp[hash]) {
            ++accepted;
            if (hash != oldestParent && !_isAnchor(hash)) forgedAccepted = true;
        } catch {}
    }

    /// The feeder submits an arbitrary forged header.
    function submitForged(bytes32 parent, uint64 number, uint256 salt) external {
        bytes memory rlp = T.header(parent, number, salt);
        bytes32 hash = keccak256(rlp);
        try blocks.setL1BlockHeader(rlp) {
            if (hash != _oldestParent() && !_isAnchor(hash)) forgedAccepted = true;
        } catch {}
    }

    function _isAnchor(bytes32 hash) internal view returns (bool) {
        (bool ok, bytes memory ret) = T.L1_BLOCK.staticcall(abi.encodeWithSignature("hash()"));
        return ok && abi.decode(ret, (bytes32)) == hash;
    }

    function _oldestParent() internal view returns (bytes32) {
        try blocks.oldestBlockNumber() returns (uint256 n) {
            return info[blocks.l1Blockhash(n)].parentHash;
        } catch {
            return bytes32(0);
        }
    }
}

contract L1BlocksInvariantTest is Test {
    L1Blocks internal blocks;
    L1BlocksHandler internal handler;

    function setUp() public {
        T.etchL1Block();
        blocks = new L1Blocks(6);
        handler = new L1BlocksHandler(blocks);
        targetContract(address(handler));
    }

    /// Every header in the window hash-chains to the latest, which is the last anchored header,
    /// and carries the state root it was built with.
    function invariant_windowHashChainsToLatest() public view {
        if (handler.accepted() == 0) return;
        uint256 oldest = blocks.oldestBlockNumber();
        uint256 latest = blocks.latestBlockNumber();
        vm.assertEq(blocks.latestL1Blockhash(), handler.lastAnchored());
        bytes32 hash = blocks.l1Blockhash(latest);
        for (uint256 n = latest; n > oldest; --n) {
            (bytes32 parent, uint256 number, bytes32 stateRoot,) = handler.info(hash);
            vm.assertEq(number, n);
            vm.assertEq(blocks.l1Stateroot(n), stateRoot);
            bytes32 below = blocks.l1Blockhash(n - 1);
            vm.assertEq(below, parent, "window does not hash-chain");
            hash = below;
        }
    }

    function invariant_windowFitsRing() public view {
        if (handler.accepted() == 0) return;
        vm.assertLe(blocks.latestBlockNumber() - blocks.oldestBlockNumber() + 1, blocks.RING_SIZE());
    }

    function invariant_outsideWindowUnavailable() public view {
        if (handler.accepted() == 0) return;
        uint256 oldest = blocks.oldestBlockNumber();
        uint256 latest = blocks.latestBlockNumber();
        try blocks.l1Blockhash(latest + 1) returns (bytes32) {
            revert("header above the window readable");
        } catch {}
        if (oldest > 0) {
            try blocks.l1Blockhash(oldest - 1) returns (bytes32) {
                revert("header below the window readable");
            } catch {}
        }
    }

    function invariant_noForgedHeaderAccepted() public view {
        vm.assertFalse(handler.forgedAccepted());
    }
}
