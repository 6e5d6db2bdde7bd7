// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title RLPReader
/// @notice Strict, allocation-free RLP decoding over calldata.
///
///         Two layers:
///         - `tryReadHeader` / `tryReadUint` work on absolute calldata offsets and return an error
///           code instead of reverting, so hot callers (the trie verifier, the header decoder) can
///           map a failure to their own error with context;
///         - `readItem`, `readList`, `readBytes`, `readUint`, `readBytes32`, `readAddress`,
///           `unwrapList` and `requireEnd` work on `bytes calldata` slices and revert with
///           `RLPInvalidEncoding(reason)`.
///
///         "Strict" means that every byte string has exactly one accepted encoding: an item whose
///         length prefix or content runs past its buffer, a long-form length below 56, a long-form
///         length with a leading zero byte, or a single byte below 0x80 written as `0x81 xx` is
///         rejected. Integers must be big-endian without leading zeros and at most 32 bytes.
library RLPReader {
    /// @notice The input is not canonical RLP of the expected shape; `reason` is one of the `ERR_*` codes.
    error RLPInvalidEncoding(uint256 reason);

    /// @notice No byte is left where an item must start.
    uint256 internal constant ERR_EMPTY = 1;
    /// @notice The item's length bytes or content run past the end of the enclosing buffer.
    uint256 internal constant ERR_OUT_OF_BOUNDS = 2;
    /// @notice A single byte below 0x80 encoded as `0x81 xx` (it must be encoded as itself).
    uint256 internal constant ERR_NON_CANONICAL_SINGLE_BYTE = 3;
    /// @notice A long-form prefix (0xb8..0xbf, 0xf8..0xff) used for a length below 56.
    uint256 internal constant ERR_NON_CANONICAL_LONG_FORM = 4;
    /// @notice A long-form length whose first byte is zero.
    uint256 internal constant ERR_LEADING_ZERO_LENGTH = 5;
    /// @notice A list where a byte string was expected.
    uint256 internal constant ERR_UNEXPECTED_LIST = 6;
    /// @notice A byte string where a list was expected.
    uint256 internal constant ERR_UNEXPECTED_STRING = 7;
    /// @notice Bytes left over after the item(s) that should span the whole buffer.
    uint256 internal constant ERR_TRAILING_BYTES = 8;
    /// @notice An integer with a leading zero byte (zero itself is the empty string, 0x80).
    uint256 internal constant ERR_UINT_LEADING_ZERO = 9;
    /// @notice An integer longer than 32 bytes.
    uint256 internal constant ERR_UINT_TOO_LONG = 10;
    /// @notice A fixed-size byte string (bytes32, address) of another length.
    uint256 internal constant ERR_WRONG_LENGTH = 11;

    // ---------------------------------------------------------------------------------------------
    // Offset layer (non-reverting)
    // ---------------------------------------------------------------------------------------------

    /// @notice Decodes the prefix of the item that starts at calldata offset `ptr` and checks that
    ///         the whole item lies in [ptr, end).
    /// @return err 0, or an `ERR_*` code (then the other return values are meaningless).
    /// @return isList Whether the item is a list.
    /// @return contentPtr Calldata offset of the payload (for a single byte < 0x80: the byte itself).
    /// @return contentLen Payload length; the item ends at `contentPtr + contentLen`.
    function tryReadHeader(uint256 ptr, uint256 end)
        internal
        pure
        returns (uint256 err, bool isList, uint256 contentPtr, uint256 contentLen)
    {
        // Computes the RLP prefix fields of calldata[ptr..]. Safe: it only reads calldata
        // (`calldataload` past the end of calldata yields zero bytes, never a fault), the long-form
        // length has at most 8 bytes so `contentPtr + contentLen` cannot overflow, and every derived
        // offset is checked against `end` before it is returned with err == 0.
        assembly ("memory-safe") {
            switch lt(ptr, end)
            case 0 { err := ERR_EMPTY }
            default {
                let word := calldataload(ptr)
                let b := byte(0, word)
                switch lt(b, 0x80)
                case 1 {
                    // a single byte below 0x80 is its own encoding
                    contentPtr := ptr
                    contentLen := 1
                }
                default {
                    isList := gt(b, 0xbf)
                    // 0..55: short form length; 56..63: long form with (short - 55) length bytes
                    let short := sub(b, add(0x80, shl(6, isList)))
                    switch lt(short, 56)
                    case 1 {
                        contentPtr := add(ptr, 1)
                        contentLen := short
                    }
                    default {
                        let lenOfLen := sub(short, 55)
                        contentPtr := add(add(ptr, 1), lenOfLen)
                        // the lenOfLen bytes after the prefix, as a big-endian integer
                        contentLen := shr(sub(256, shl(3, lenOfLen)), shl(8, word))
                    }
                    switch gt(add(contentPtr, contentLen), end)
                    case 1 { err := ERR_OUT_OF_BOUNDS }
                    default {
                        switch lt(short, 56)
                        case 1 {
                            // 0x81 followed by a byte below 0x80: that byte must stand alone
                            if and(and(iszero(isList), eq(short, 1)), lt(byte(1, word), 0x80)) {
                                err := ERR_NON_CANONICAL_SINGLE_BYTE
                            }
                        }
                        default {
                            if lt(contentLen, 56) { err := ERR_NON_CANONICAL_LONG_FORM }
                            if iszero(byte(1, word)) { err := ERR_LEADING_ZERO_LENGTH }
                        }
                    }
                }
            }
        }
    }

    /// @notice Reads the payload [ptr, ptr + len) as a canonical big-endian unsigned integer.
    /// @return err 0, `ERR_UINT_TOO_LONG` or `ERR_UINT_LEADING_ZERO`.
    function tryReadUint(uint256 ptr, uint256 len) internal pure returns (uint256 err, uint256 value) {
        if (len > 32) return (ERR_UINT_TOO_LONG, 0);
        // Loads the `len` (<= 32) bytes at calldata[ptr] right-aligned; `shr(256, x)` is 0 for an
        // empty payload. Safe: a pure calldata read, the bytes were bounds-checked by the caller.
        uint256 first;
        assembly ("memory-safe") {
            let word := calldataload(ptr)
            value := shr(sub(256, shl(3, len)), word)
            first := byte(0, word)
        }
        if (len != 0 && first == 0) return (ERR_UINT_LEADING_ZERO, 0);
    }

    // ---------------------------------------------------------------------------------------------
    // Slice layer (reverting)
    // ---------------------------------------------------------------------------------------------

    /// @notice Reads the first item of `data`.
    /// @return isList Whether the item is a list.
    /// @return content The item's payload.
    /// @return rest The bytes of `data` after the item.
    function readItem(bytes calldata data)
        internal
        pure
        returns (bool isList, bytes calldata content, bytes calldata rest)
    {
        (uint256 start, uint256 end) = _bounds(data);
        (uint256 err, bool list, uint256 cPtr, uint256 cLen) = tryReadHeader(start, end);
        if (err != 0) revert RLPInvalidEncoding(err);
        isList = list;
        // Builds two calldata slices inside [start, end) (checked by tryReadHeader above).
        assembly ("memory-safe") {
            content.offset := cPtr
            content.length := cLen
            rest.offset := add(cPtr, cLen)
            rest.length := sub(end, add(cPtr, cLen))
        }
    }

    /// @notice Reads the first item of `data`, which must be a list; returns its payload and the rest.
    function readList(bytes calldata data) internal pure returns (bytes calldata content, bytes calldata rest) {
        bool isList;
        (isList, content, rest) = readItem(data);
        if (!isList) revert RLPInvalidEncoding(ERR_UNEXPECTED_STRING);
    }

    /// @notice Reads the first item of `data`, which must be a byte string; returns it and the rest.
    function readBytes(bytes calldata data) internal pure returns (bytes calldata content, bytes calldata rest) {
        bool isList;
        (isList, content, rest) = readItem(data);
        if (isList) revert RLPInvalidEncoding(ERR_UNEXPECTED_LIST);
    }

    /// @notice Reads the first item of `data` as a canonical unsigned integer (<= 32 bytes, no leading zeros).
    function readUint(bytes calldata data) internal pure returns (uint256 value, bytes calldata rest) {
        bytes calldata content;
        (content, rest) = readBytes(data);
        uint256 err;
        (err, value) = tryReadUint(_offset(content), content.length);
        if (err != 0) revert RLPInvalidEncoding(err);
    }

    /// @notice Reads the first item of `data` as a byte string of exactly 32 bytes.
    function readBytes32(bytes calldata data) internal pure returns (bytes32 value, bytes calldata rest) {
        bytes calldata content;
        (content, rest) = readBytes(data);
        if (content.length != 32) revert RLPInvalidEncoding(ERR_WRONG_LENGTH);
        // casting to 'bytes32' is safe because the length was checked to be exactly 32
        // forge-lint: disable-next-line(unsafe-typecast)
        value = bytes32(content);
    }

    /// @notice Reads the first item of `data` as a byte string of exactly 20 bytes.
    function readAddress(bytes calldata data) internal pure returns (address value, bytes calldata rest) {
        bytes calldata content;
        (content, rest) = readBytes(data);
        if (content.length != 20) revert RLPInvalidEncoding(ERR_WRONG_LENGTH);
        // casting to 'bytes20' is safe because the length was checked to be exactly 20
        // forge-lint: disable-next-line(unsafe-typecast)
        value = address(bytes20(content));
    }

    /// @notice Skips the first item of `data`; returns the bytes after it.
    function skip(bytes calldata data) internal pure returns (bytes calldata rest) {
        (,, rest) = readItem(data);
    }

    /// @notice `data` must be exactly one list item; returns its payload.
    function unwrapList(bytes calldata data) internal pure returns (bytes calldata content) {
        bytes calldata rest;
        (content, rest) = readList(data);
        requireEnd(rest);
    }

    /// @notice Reverts unless `rest` is empty (nothing after the last expected item).
    function requireEnd(bytes calldata rest) internal pure {
        if (rest.length != 0) revert RLPInvalidEncoding(ERR_TRAILING_BYTES);
    }

    function _bounds(bytes calldata data) private pure returns (uint256 start, uint256 end) {
        // Reads the slice's calldata offset; the end cannot overflow (calldata is < 2^64 bytes).
        assembly ("memory-safe") {
            start := data.offset
            end := add(start, data.length)
        }
    }

    function _offset(bytes calldata data) private pure returns (uint256 start) {
        // Reads the slice's calldata offset.
        assembly ("memory-safe") {
            start := data.offset
        }
    }
}
