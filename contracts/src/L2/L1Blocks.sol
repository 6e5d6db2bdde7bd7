// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IL1Block} from "../interfaces/IL1Block.sol";
import {IL1Blocks} from "../interfaces/IL1Blocks.sol";
import {BlockHeader} from "../libraries/BlockHeader.sol";

/// @title L1Blocks
/// @notice L1 block headers on an OP Stack L2, in a ring buffer of RING_SIZE entries. Anyone may
///         submit a header; it is accepted only when it chains to the L2's own view of L1 (the
///         `L1Block` predeploy's `hash()`), so the submitter is untrusted.
///
///         The contract keeps a contiguous window [oldest, latest] of headers that hash-chain to
///         the latest anchored header:
///         - an anchored header (hash == L1Block.hash()) always becomes the latest: it extends the
///           window when it is latest + 1 and its parent is the latest; it truncates the window
///           when it is a header already inside it; otherwise the window restarts at it;
///         - a backfilled header (hash == parentHash of the oldest) is stored at oldest - 1;
///         - when the ring is full, extending drops the oldest header; backfilling reverts.
///         Header number n lives in ring slot n % RING_SIZE.
contract L1Blocks is IL1Blocks {
    /// @notice OP Stack's L1Block predeploy, the trust anchor.
    address public constant L1_BLOCK = 0x4200000000000000000000000000000000000015;

    /// @notice `L1BlocksInvalidHeader` reason: the number does not fit in 64 bits.
    uint256 public constant REASON_NUMBER_TOO_LARGE = 1;
    /// @notice `L1BlocksInvalidHeader` reason: the timestamp does not fit in 64 bits.
    uint256 public constant REASON_TIMESTAMP_TOO_LARGE = 2;
    /// @notice `L1BlocksInvalidHeader` reason: a header whose hash is the oldest's parentHash has a
    ///         number other than oldest - 1.
    uint256 public constant REASON_PARENT_NUMBER_MISMATCH = 3;

    /// @notice The ring size must be in [1, 2^64).
    error L1BlocksInvalidRingSize(uint256 ringSize);

    /// @notice Number of headers the ring holds (the window's maximum length).
    uint256 public immutable RING_SIZE;

    /// @dev One stored header: 4 slots (number and timestamp packed).
    struct Entry {
        bytes32 hash;
        bytes32 stateRoot;
        bytes32 parentBeaconRoot;
        uint64 number;
        uint64 timestamp;
    }

    /// @dev The readable window [oldest, latest], packed in one slot.
    struct Window {
        uint64 oldest;
        uint64 latest;
        bool nonEmpty;
    }

    Window private _window;
    /// @dev parentHash of the oldest header in the window: the hash a backfilled header must have.
    bytes32 private _oldestParentHash;
    mapping(uint256 slot => Entry) private _ring;

    constructor(uint256 ringSize) {
        if (ringSize == 0 || ringSize > type(uint64).max) revert L1BlocksInvalidRingSize(ringSize);
        RING_SIZE = ringSize;
    }

    /// @notice Submits an RLP-encoded L1 header (London through Prague; trailing fields accepted).
    /// @return blockHash keccak256 of the header.
    function setL1BlockHeader(bytes calldata blockHeaderRlp) external returns (bytes32 blockHash) {
        BlockHeader.Header memory header = BlockHeader.decode(blockHeaderRlp);
        if (header.number > type(uint64).max) revert L1BlocksInvalidHeader(REASON_NUMBER_TOO_LARGE);
        if (header.timestamp > type(uint64).max) revert L1BlocksInvalidHeader(REASON_TIMESTAMP_TOO_LARGE);
        blockHash = header.hash;
        // casting to 'uint64' is safe because the number was checked to fit just above
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 number = uint64(header.number);
        Window memory w = _window;
        uint256 ringSize = RING_SIZE;

        if (blockHash == IL1Block(L1_BLOCK).hash()) {
            if (w.nonEmpty) {
                if (number == uint256(w.latest) + 1 && header.parentHash == _ring[w.latest % ringSize].hash) {
                    // Extend. When the ring is full, the slot written holds the oldest header: drop it.
                    if (w.latest - w.oldest + 1 == ringSize) {
                        _oldestParentHash = _ring[w.oldest % ringSize].hash;
                        ++w.oldest;
                    }
                    w.latest = number;
                    _window = w;
                    _store(header, true);
                    return blockHash;
                }
                if (number >= w.oldest && number <= w.latest && _ring[number % ringSize].hash == blockHash) {
                    // A header already in the window: it becomes the latest.
                    if (number == w.latest) revert L1BlocksAlreadyStored(blockHash);
                    w.latest = number;
                    _window = w;
                    emit L1WindowReset(w.oldest, number);
                    return blockHash;
                }
            }
            // Restart the window at this header.
            _window = Window({oldest: number, latest: number, nonEmpty: true});
            _oldestParentHash = header.parentHash;
            if (w.nonEmpty) emit L1WindowReset(number, number);
            _store(header, true);
            return blockHash;
        }

        if (!w.nonEmpty) revert L1BlocksUnanchored(blockHash);
        if (number >= w.oldest && number <= w.latest && _ring[number % ringSize].hash == blockHash) {
            revert L1BlocksAlreadyStored(blockHash);
        }
        if (blockHash != _oldestParentHash) revert L1BlocksUnanchored(blockHash);
        if (uint256(number) + 1 != w.oldest) revert L1BlocksInvalidHeader(REASON_PARENT_NUMBER_MISMATCH);
        if (w.latest - w.oldest + 1 == ringSize) revert L1BlocksWindowFull();
        w.oldest = number;
        _window = w;
        _oldestParentHash = header.parentHash;
        _store(header, false);
    }

    /// @notice Number of the latest header.
    function latestBlockNumber() external view returns (uint256) {
        return _latest();
    }

    /// @notice Number of the oldest header still readable.
    function oldestBlockNumber() external view returns (uint256) {
        Window memory w = _window;
        if (!w.nonEmpty) revert L1BlocksNoHeaders();
        return w.oldest;
    }

    /// @notice Hash of header `number`; reverts outside [oldest, latest].
    function l1Blockhash(uint256 number) external view returns (bytes32) {
        return _entry(number).hash;
    }

    /// @notice Hash of the latest header.
    function latestL1Blockhash() external view returns (bytes32) {
        return _ring[_latest() % RING_SIZE].hash;
    }

    /// @notice State root of header `number`; reverts outside [oldest, latest].
    function l1Stateroot(uint256 number) external view returns (bytes32) {
        return _entry(number).stateRoot;
    }

    /// @notice State root of the latest header.
    function latestL1Stateroot() external view returns (bytes32) {
        return _ring[_latest() % RING_SIZE].stateRoot;
    }

    /// @notice Timestamp of header `number`; reverts outside [oldest, latest].
    function getBlockTimestamp(uint256 number) external view returns (uint256) {
        return _entry(number).timestamp;
    }

    /// @notice Parent beacon block root of header `number` (zero before Cancun); reverts outside [oldest, latest].
    function getParentBeaconRoot(uint256 number) external view returns (bytes32) {
        return _entry(number).parentBeaconRoot;
    }

    /// @notice Timestamp of the latest header.
    function latestBlockTimestamp() external view returns (uint256) {
        return _ring[_latest() % RING_SIZE].timestamp;
    }

    function _store(BlockHeader.Header memory header, bool anchored) private {
        Entry storage e = _ring[header.number % RING_SIZE];
        e.hash = header.hash;
        e.stateRoot = header.stateRoot;
        e.parentBeaconRoot = header.parentBeaconRoot;
        // casting to 'uint64' is safe because setL1BlockHeader checked that both fit
        // forge-lint: disable-next-line(unsafe-typecast)
        (e.number, e.timestamp) = (uint64(header.number), uint64(header.timestamp));
        emit L1HeaderStored(header.number, header.hash, header.stateRoot, anchored);
    }

    function _latest() private view returns (uint256) {
        Window memory w = _window;
        if (!w.nonEmpty) revert L1BlocksNoHeaders();
        return w.latest;
    }

    function _entry(uint256 number) private view returns (Entry storage) {
        Window memory w = _window;
        if (!w.nonEmpty || number < w.oldest || number > w.latest) revert L1BlocksBlockUnavailable(number);
        return _ring[number % RING_SIZE];
    }
}
