// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "../lib/Test.sol";
import {KeystoreFixture} from "./KeystoreFixture.sol";
import {L2Keystore} from "../../src/L2/L2Keystore.sol";
import {L1BlocksDouble} from "../mocks/L1BlocksDouble.sol";

/// @notice Syncs random subsets of the fixture's keys at random blocks (in any order), with or
///         without the account proof, sometimes with one proof byte flipped, and keeps a model
///         of what the cache must then hold. State roots come from a test double of L1Blocks.
contract L2KeystoreHandler is KeystoreFixture {
    L2Keystore public l2;
    Block[3] internal _blocks;

    // model: per key, 1 + index of the block it was last synced at (0 = never)
    uint256[9] public syncedAt;
    bool[3] public rootCached;

    uint256 public unexpectedOutcomes;
    uint256 public blockNumberDecreased;
    uint256 public applied;
    uint256 public rejected;

    constructor() {
        _loadFixture();
        L1BlocksDouble l1Blocks = new L1BlocksDouble();
        l2 = new L2Keystore(l1Keystore, address(l1Blocks));
        for (uint256 i; i < N_BLOCKS; ++i) {
            _blocks[i] = _block(i);
            l1Blocks.setStateRoot(_blocks[i].number, _blocks[i].stateRoot);
        }
    }

    function sync(uint256 blockSeed, uint256 keyMask, bool withAccountProof, uint256 mutateSeed) external {
        uint256 bi = blockSeed % N_BLOCKS;
        Block memory b = _blocks[bi];
        keyMask = keyMask % (2 ** N_KEYS);
        if (keyMask == 0) keyMask = 1;
        uint256 n;
        for (uint256 i; i < N_KEYS; ++i) {
            if ((keyMask >> i) & 1 != 0) ++n;
        }
        uint256[] memory idx = new uint256[](n);
        for (uint256 i = 0; n > 0 && i < N_KEYS; ++i) {
            if ((keyMask >> i) & 1 != 0) idx[--n] = i;
        }
        bytes32[] memory k = _keysAt(idx);
        bytes[] memory proofs = _proofsAt(b, idx);
        bytes memory accountProof = withAccountProof ? b.accountProof : bytes("");

        // a quarter of the calls flip one byte: in the account proof (target 0) or a storage proof
        bool mutate = mutateSeed % 4 == 0;
        uint256 target = (mutateSeed / 4) % (idx.length + 1);
        if (mutate) {
            bytes memory p = target == 0 ? accountProof : proofs[target - 1];
            if (p.length == 0) {
                mutate = false;
            } else {
                p[(mutateSeed / 64) % p.length] ^= 0x01;
            }
        }

        // the model's verdict (a cached root makes the account proof, mutated or not, unused)
        bool ok = rootCached[bi] || (withAccountProof && !(mutate && target == 0));
        for (uint256 j; j < idx.length; ++j) {
            uint256 at = syncedAt[idx[j]];
            if (at != 0 && _blocks[at - 1].number > b.number) ok = false; // stale
            bool verified = !(at != 0 && at - 1 == bi); // same block: skipped
            if (verified && mutate && target == j + 1) ok = false;
        }

        bool success;
        try l2.syncKeys(b.number, account, k, accountProof, proofs) {
            success = true;
        } catch {}
        if (success != ok) ++unexpectedOutcomes;
        if (!success) {
            ++rejected;
            return;
        }
        ++applied;
        rootCached[bi] = true;
        for (uint256 j; j < idx.length; ++j) {
            uint256 prev = syncedAt[idx[j]];
            if (prev != 0 && _blocks[prev - 1].number > b.number) ++blockNumberDecreased;
            syncedAt[idx[j]] = bi + 1;
        }
    }

    /// @notice What the cache must return for key `i`: the fixture value at its synced block.
    function expected(uint256 i) external view returns (bytes32 value, uint256 blockNumber) {
        uint256 at = syncedAt[i];
        if (at == 0) return (0, 0);
        return (_blocks[at - 1].values[i], _blocks[at - 1].number);
    }

    function expectedRoot(uint256 bi) external view returns (uint256 blockNumber, bytes32 root) {
        return (_blocks[bi].number, rootCached[bi] ? _blocks[bi].storageRoot : bytes32(0));
    }

    function accountAndKey(uint256 i) external view returns (address, bytes32) {
        return (account, keys[i]);
    }
}

contract L2KeystoreInvariantTest is Test {
    L2KeystoreHandler internal handler;
    L2Keystore internal l2;

    function setUp() public {
        handler = new L2KeystoreHandler();
        l2 = handler.l2();
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = L2KeystoreHandler.sync.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice A sync applies exactly when every proof it needs is genuine and no key would go
    ///         back to an older block.
    function invariant_onlyGenuineFreshProofsApply() public view {
        vm.assertEq(handler.unexpectedOutcomes(), 0, "outcome differs from the model");
    }

    /// @notice Every cached key holds the L1 value at the block it says, never anything else.
    function invariant_cacheHoldsProvenValues() public view {
        for (uint256 i; i < 9; ++i) {
            (address account, bytes32 key) = handler.accountAndKey(i);
            (bytes32 v, uint256 n) = l2.loadKeyWithBlock(account, key);
            (bytes32 ev, uint256 en) = handler.expected(i);
            vm.assertEq(v, ev, "value");
            vm.assertEq(n, en, "block");
        }
        for (uint256 bi; bi < 3; ++bi) {
            (uint256 n, bytes32 root) = handler.expectedRoot(bi);
            vm.assertEq(l2.storageRootAt(n, l2.L1_KEYSTORE()), root, "storage root");
        }
    }

    /// @notice A key's block number never decreases.
    function invariant_blockNumbersNeverDecrease() public view {
        vm.assertEq(handler.blockNumberDecreased(), 0);
    }
}
