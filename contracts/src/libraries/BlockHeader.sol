// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {RLPReader} from "./RLPReader.sol";

/// @title BlockHeader
/// @notice Decodes RLP-encoded Ethereum block headers by field index, London (16 fields) through
///         Prague (21 fields) and any later fork that appends fields: fields past index 20 must be
///         well-formed RLP items and are otherwise ignored.
///
///         Fields read: 0 parentHash, 3 stateRoot, 8 number, 11 timestamp, 19 parentBeaconRoot
///         (Cancun and later; zero before). Every field up to index 20 is checked against its
///         type: 32-byte hashes, 20-byte coinbase, 256-byte logsBloom, 8-byte nonce, canonical
///         integers (difficulty, number, gasLimit, gasUsed, timestamp, baseFee, blobGasUsed,
///         excessBlobGas) and the extraData byte string. The outer list must span the input exactly.
library BlockHeader {
    /// @notice The fields of a header that L1 consumers need; `hash` = keccak256(rlp).
    struct Header {
        bytes32 hash;
        bytes32 parentHash;
        bytes32 stateRoot;
        uint256 number;
        uint256 timestamp;
        bytes32 parentBeaconRoot;
    }

    /// @notice The input is not exactly one RLP list; `reason` is an `RLPReader.ERR_*` code.
    error BlockHeaderMalformed(uint256 reason);
    /// @notice Field `field` is malformed RLP or has the wrong type; `reason` is an `RLPReader.ERR_*` code.
    error BlockHeaderInvalidField(uint256 field, uint256 reason);
    /// @notice The header has `count` fields, fewer than London's 16.
    error BlockHeaderTooFewFields(uint256 count);

    /// @notice London headers have 16 fields (baseFeePerGas is index 15).
    uint256 internal constant MIN_FIELDS = 16;

    // Field types, 4 bits per field index 0..20 (field i at bits [4i, 4i + 4)).
    uint256 private constant _ANY = 0; // any byte string (extraData)
    uint256 private constant _UINT = 1; // canonical integer, at most 32 bytes
    uint256 private constant _B32 = 2; // exactly 32 bytes
    uint256 private constant _B20 = 3; // exactly 20 bytes
    uint256 private constant _B256 = 4; // exactly 256 bytes
    uint256 private constant _B8 = 5; // exactly 8 bytes
    uint256 private constant _KNOWN_FIELDS = 21;
    /// @dev 0 parentHash B32, 1 ommersHash B32, 2 coinbase B20, 3 stateRoot B32, 4 txRoot B32,
    ///      5 receiptsRoot B32, 6 logsBloom B256, 7 difficulty UINT, 8 number UINT, 9 gasLimit UINT,
    ///      10 gasUsed UINT, 11 timestamp UINT, 12 extraData ANY, 13 mixHash B32, 14 nonce B8,
    ///      15 baseFee UINT, 16 withdrawalsRoot B32, 17 blobGasUsed UINT, 18 excessBlobGas UINT,
    ///      19 parentBeaconRoot B32, 20 requestsHash B32. Written most significant field first.
    uint256 private constant _FIELD_TYPES = 0x221121520111114222322;

    /// @notice Decodes `rlp`; reverts unless it is one well-formed header of at least 16 fields.
    function decode(bytes calldata rlp) internal pure returns (Header memory header) {
        uint256 ptr;
        uint256 end;
        // The input's calldata bounds.
        assembly ("memory-safe") {
            ptr := rlp.offset
            end := add(ptr, rlp.length)
        }
        (uint256 err, bool isList, uint256 p, uint256 len) = RLPReader.tryReadHeader(ptr, end);
        if (err != 0) revert BlockHeaderMalformed(err);
        if (!isList) revert BlockHeaderMalformed(RLPReader.ERR_UNEXPECTED_STRING);
        if (p + len != end) revert BlockHeaderMalformed(RLPReader.ERR_TRAILING_BYTES);

        uint256 field;
        for (; p < end; ++field) {
            uint256 fp;
            uint256 fl;
            (err, isList, fp, fl) = RLPReader.tryReadHeader(p, end);
            if (err != 0) revert BlockHeaderInvalidField(field, err);
            p = fp + fl;
            if (field >= _KNOWN_FIELDS) continue;
            if (isList) revert BlockHeaderInvalidField(field, RLPReader.ERR_UNEXPECTED_LIST);

            uint256 kind = (_FIELD_TYPES >> (4 * field)) & 0x0f;
            if (kind == _UINT) {
                uint256 value;
                (err, value) = RLPReader.tryReadUint(fp, fl);
                if (err != 0) revert BlockHeaderInvalidField(field, err);
                if (field == 8) header.number = value;
                else if (field == 11) header.timestamp = value;
            } else if (kind != _ANY) {
                uint256 size = kind == _B32 ? 32 : kind == _B20 ? 20 : kind == _B256 ? 256 : 8;
                if (fl != size) revert BlockHeaderInvalidField(field, RLPReader.ERR_WRONG_LENGTH);
                if (field == 0) header.parentHash = _word(fp);
                else if (field == 3) header.stateRoot = _word(fp);
                else if (field == 19) header.parentBeaconRoot = _word(fp);
            }
        }
        if (field < MIN_FIELDS) revert BlockHeaderTooFewFields(field);
        header.hash = keccak256(rlp);
    }

    function _word(uint256 p) private pure returns (bytes32 w) {
        // The 32 bytes at calldata offset `p` (a 32-byte field whose bounds were checked).
        assembly ("memory-safe") {
            w := calldataload(p)
        }
    }
}
