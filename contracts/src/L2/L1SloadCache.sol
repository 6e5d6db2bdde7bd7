// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IL1Sload} from "../interfaces/IL1Sload.sol";
import {IL1Blocks} from "../interfaces/IL1Blocks.sol";
import {StorageProof} from "../libraries/StorageProof.sol";

/// @title L1SloadCache
/// @notice The l1Sload emulator's logic (DESIGN §5, IL1Sload): L1 storage slots proven with
///         Merkle-Patricia proofs against the state roots L1Blocks holds, cached for views.
///         Proving is permissionless: a proof is its own authority, whoever sends it.
///
/// @dev TRUST. The only trusted input is `IL1Blocks(L1_BLOCKS).l1Stateroot(n)`, which reverts for
///      blocks outside its window. Every header in L1Blocks chains to an L1 origin of this L2, so
///      within one L2 history block number n has one state root: if L1 reorgs block n away, the
///      L2 blocks derived from it (and the cache writes they made) are reorged away too. That is
///      why the cache may key state by L1 block number.
///
/// @dev STORAGE LAYOUT (designed for the fewest cold slots per sync; `‖` = 32-byte words).
///        slot 0  mapping(uint256 l1BlockNumber => mapping(address account => bytes32)) _storageRoots
///                The account's storage root proven at that block; EMPTY_TRIE_ROOT (non-zero) for a
///                proven-absent account, so zero always means "not proven". One word per
///                (block, account), written once.
///        slot 1  mapping(address account => mapping(bytes32 slot => SlotRecord)) _slots
///                SlotRecord.head  at keccak256(slot ‖ keccak256(account ‖ 1))
///                  bit  255      LARGE: the value needs more than 192 bits
///                  bits 192..254 the L1 block number the value was proven at
///                  bits   0..191 the value itself when !LARGE (zero, addresses, small integers)
///                SlotRecord.value at head + 1: the value when LARGE (stale and ignored otherwise)
///      A value that fits in 192 bits (every address, every absent slot) costs one word, read and
///      written together with its block number; a full-width value (hashes, P-256 coordinates)
///      costs two. The staleness check reads `head`, which the write then finds warm.
///      Cold first sync of a full-width slot: storage root (1) + head (1) + value (1) words.
abstract contract L1SloadCache is IL1Sload {
    /// @dev A cached slot (see the layout above).
    struct SlotRecord {
        uint256 head;
        bytes32 value;
    }

    /// @dev `head` bit 255: the value lives in `SlotRecord.value`.
    uint256 private constant _LARGE = 1 << 255;
    /// @dev Position and mask of the block number in `head`.
    uint256 private constant _BLOCK_SHIFT = 192;
    uint256 private constant _BLOCK_MASK = (1 << 63) - 1;
    /// @dev Values up to this fit in `head`.
    uint256 private constant _SMALL_MAX = (1 << 192) - 1;

    /// @inheritdoc IL1Sload
    address public immutable L1_BLOCKS;

    /// @dev slot 0 — see the layout above.
    mapping(uint256 => mapping(address => bytes32)) private _storageRoots;
    /// @dev slot 1 — see the layout above.
    mapping(address => mapping(bytes32 => SlotRecord)) private _slots;

    /// @param l1Blocks The L1Blocks contract holding L1 state roots.
    constructor(address l1Blocks) {
        L1_BLOCKS = l1Blocks;
    }

    /// @inheritdoc IL1Sload
    /// @dev Returns the cached root without looking at `accountProof` when it is already proven.
    function proveAccount(uint256 l1BlockNumber, address account, bytes calldata accountProof)
        external
        returns (bytes32 storageRoot)
    {
        return _storageRoot(l1BlockNumber, account, accountProof);
    }

    /// @inheritdoc IL1Sload
    function syncSlots(
        uint256 l1BlockNumber,
        address account,
        bytes32[] calldata slots,
        bytes calldata accountProof,
        bytes[] calldata storageProofs
    ) external {
        if (slots.length != storageProofs.length) {
            revert L1SloadLengthMismatch(slots.length, storageProofs.length);
        }
        bytes32 storageRoot = _storageRoot(l1BlockNumber, account, accountProof);
        for (uint256 i; i < slots.length; ++i) {
            _syncSlot(l1BlockNumber, account, storageRoot, slots[i], storageProofs[i]);
        }
    }

    /// @inheritdoc IL1Sload
    function l1Sload(address account, bytes32 slot) public view returns (bytes32 value, uint256 l1BlockNumber) {
        SlotRecord storage record = _slots[account][slot];
        uint256 head = record.head;
        l1BlockNumber = (head >> _BLOCK_SHIFT) & _BLOCK_MASK;
        value = (head & _LARGE) != 0 ? record.value : bytes32(head & _SMALL_MAX);
    }

    /// @inheritdoc IL1Sload
    function l1SloadWithProof(uint256 l1BlockNumber, address account, bytes32 slot, bytes calldata storageProof)
        public
        view
        returns (bytes32 value)
    {
        bytes32 storageRoot = _storageRoots[l1BlockNumber][account];
        if (storageRoot == 0) revert L1SloadNoStorageRoot(l1BlockNumber, account);
        uint256 cachedBlock = (_slots[account][slot].head >> _BLOCK_SHIFT) & _BLOCK_MASK;
        if (cachedBlock > l1BlockNumber) revert L1SloadStale(account, slot, cachedBlock, l1BlockNumber);
        value = StorageProof.verifyStorage(storageRoot, slot, storageProof);
    }

    /// @inheritdoc IL1Sload
    function storageRootAt(uint256 l1BlockNumber, address account) external view returns (bytes32) {
        return _storageRoots[l1BlockNumber][account];
    }

    /// @dev The storage root of `account` at `l1BlockNumber`: cached, or proven with `accountProof`
    ///      against L1Blocks' state root (which reverts for an unavailable block) and cached.
    function _storageRoot(uint256 l1BlockNumber, address account, bytes calldata accountProof)
        internal
        returns (bytes32 storageRoot)
    {
        mapping(address => bytes32) storage roots = _storageRoots[l1BlockNumber];
        storageRoot = roots[account];
        if (storageRoot != 0) return storageRoot;
        if (accountProof.length == 0) revert L1SloadNoStorageRoot(l1BlockNumber, account);
        // Only proven roots enter the cache, so this bounds every block number stored in a head.
        if (l1BlockNumber > _BLOCK_MASK) revert L1SloadBlockNumberTooLarge(l1BlockNumber);
        bytes32 stateRoot = IL1Blocks(L1_BLOCKS).l1Stateroot(l1BlockNumber);
        // A missing account proves EMPTY_TRIE_ROOT: non-zero, so cached as "proven".
        storageRoot = StorageProof.verifyAccount(stateRoot, account, accountProof).storageRoot;
        roots[account] = storageRoot;
        emit StorageRootProven(l1BlockNumber, account, storageRoot);
    }

    /// @dev Proves `slot` against `storageRoot` (of `account` at `l1BlockNumber`) and caches it,
    ///      unless it is already cached at this block (no-op) or a newer one (L1SloadStale).
    function _syncSlot(
        uint256 l1BlockNumber,
        address account,
        bytes32 storageRoot,
        bytes32 slot,
        bytes calldata storageProof
    ) internal {
        SlotRecord storage record = _slots[account][slot];
        uint256 head = record.head;
        uint256 cachedBlock = (head >> _BLOCK_SHIFT) & _BLOCK_MASK;
        if (cachedBlock > l1BlockNumber) revert L1SloadStale(account, slot, cachedBlock, l1BlockNumber);
        // Same block: the proof could only show the cached value again.
        if (cachedBlock == l1BlockNumber && head != 0) return;

        bytes32 value = StorageProof.verifyStorage(storageRoot, slot, storageProof);
        uint256 v = uint256(value);
        if (v <= _SMALL_MAX) {
            record.head = (l1BlockNumber << _BLOCK_SHIFT) | v;
        } else {
            record.head = _LARGE | (l1BlockNumber << _BLOCK_SHIFT);
            record.value = value;
        }
        emit SlotSynced(account, slot, l1BlockNumber, value);
    }
}
