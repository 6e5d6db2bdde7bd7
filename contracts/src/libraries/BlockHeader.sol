// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

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

    // Field shapes for indices 0..20. Fixed-size fields have one valid prefix byte, at byte n of
    // _PREFIXES: 0xa0 (32 bytes: parentHash, ommersHash, stateRoot, txRoot, receiptsRoot, mixHash,
    // withdrawalsRoot, parentBeaconRoot, requestsHash), 0x94 (20: coinbase), 0xb9 0x01 0x00 (256:
    // logsBloom), 0x88 (8: nonce). Integer fields (difficulty 7, number 8, gasLimit 9, gasUsed 10,
    // timestamp 11, baseFee 15, blobGasUsed 17, excessBlobGas 18) are bits of _UINT_FIELDS.
    // extraData (12) is any byte string; fields from 21 on are any item.
    uint256 private constant _PREFIXES = 0xa0a094a0a0a0b9000000000000a08800a00000a0a00000000000000000000000;
    uint256 private constant _UINT_FIELDS = 0x68f80;
    uint256 private constant _KNOWN_FIELDS = 21;

    /// @notice Decodes `rlp`; reverts unless it is one well-formed header of at least 16 fields.
    function decode(bytes calldata rlp) internal pure returns (Header memory header) {
        uint256 outerErr;
        uint256 fieldErr; // field index << 8 | RLPReader.ERR_* code, plus 1 << 255 when set
        uint256 count;
        // Walks the header: the outer list must span the input; each field must be a canonical RLP
        // item inside it; fields 0..20 must have their shape (_PREFIXES, _UINT_FIELDS); fields 0, 3,
        // 8, 11 and 19 are stored into `header`. Safe: calldata is only read (past the end reads zeros), every
        // item is bounds-checked against the list's end before its payload is used, lengths are
        // below 2^64 (8 length bytes at most) so offsets cannot overflow, and memory is written
        // only inside `header` (allocated by Solidity, 6 words).
        assembly ("memory-safe") {
            // The RLP item header at `p` inside [p, e): payload offset and length, whether it is a
            // list, and err = 0 or an RLPReader.ERR_* code (the rules of RLPReader.tryReadHeader).
            function item(p, e) -> cp, cl, isList, err {
                if iszero(lt(p, e)) {
                    err := 1 // ERR_EMPTY
                    leave
                }
                let w := calldataload(p)
                let b := byte(0, w)
                switch lt(b, 0x80)
                case 1 {
                    cp := p
                    cl := 1
                }
                default {
                    isList := gt(b, 0xbf)
                    cl := sub(b, add(0x80, shl(6, isList)))
                    cp := add(p, 1)
                    switch gt(cl, 55)
                    case 1 {
                        let n := sub(cl, 55)
                        cp := add(cp, n)
                        cl := shr(sub(256, shl(3, n)), shl(8, w))
                        if lt(cl, 56) { err := 4 } // ERR_NON_CANONICAL_LONG_FORM
                        if iszero(byte(1, w)) { err := 5 } // ERR_LEADING_ZERO_LENGTH
                    }
                    default {
                        if and(eq(b, 0x81), lt(byte(1, w), 0x80)) { err := 3 } // ERR_NON_CANONICAL_SINGLE_BYTE
                    }
                }
                if gt(add(cp, cl), e) { err := 2 } // ERR_OUT_OF_BOUNDS
            }

            // Walks the fields in [p, e), the first being field n0, writing the ones `header` holds
            // into `hp`: parentHash (0),
            // stateRoot (3), number (8), timestamp (11), parentBeaconRoot (19) at words 1, 2, 3, 4,
            // 5. Returns the number of fields and the error, if any (field << 8 | code, bit 255 set).
            function fields(p, n0, e, hp) -> n, fail {
                n := n0
                for {} lt(p, e) { n := add(n, 1) } {
                    let cp, cl, isList, err
                    let want := byte(n, _PREFIXES)
                    switch want
                    case 0 {
                        cp, cl, isList, err := item(p, e)
                        if and(lt(n, _KNOWN_FIELDS), isList) { err := 6 } // ERR_UNEXPECTED_LIST
                        if and(shr(n, _UINT_FIELDS), 1) {
                            if gt(cl, 32) { err := 10 } // ERR_UINT_TOO_LONG
                            if and(gt(cl, 0), iszero(byte(0, calldataload(cp)))) { err := 9 } // ERR_UINT_LEADING_ZERO
                        }
                    }
                    default {
                        // a fixed-size field: its one valid prefix
                        let w := calldataload(p)
                        cp := add(p, 1)
                        cl := sub(want, 0x80)
                        if eq(want, 0xb9) {
                            cp := add(p, 3)
                            cl := 256
                            if iszero(eq(shr(232, w), 0xb90100)) { err := 11 } // ERR_WRONG_LENGTH
                        }
                        if iszero(eq(byte(0, w), want)) {
                            err := 11 // ERR_WRONG_LENGTH
                            if gt(byte(0, w), 0xbf) { err := 6 } // ERR_UNEXPECTED_LIST
                        }
                        if gt(add(cp, cl), e) { err := 2 } // ERR_OUT_OF_BOUNDS
                    }
                    if err {
                        fail := or(shl(255, 1), or(shl(8, n), err))
                        leave
                    }
                    // fields 0, 3, 8, 11, 19 (bits of 0x80909) go into the header
                    if and(shr(n, 0x80909), 1) {
                        let v := calldataload(cp)
                        if lt(cl, 32) { v := shr(sub(256, shl(3, cl)), v) } // an integer field
                        switch n
                        case 0 { mstore(add(hp, 0x20), v) }
                        case 3 { mstore(add(hp, 0x40), v) }
                        case 8 { mstore(add(hp, 0x60), v) }
                        case 11 { mstore(add(hp, 0x80), v) }
                        default { mstore(add(hp, 0xa0), v) }
                    }
                    p := add(cp, cl)
                }
            }

            let start := rlp.offset
            let end := add(start, rlp.length)
            let cp, cl, isList, err := item(start, end)
            switch err
            case 0 {
                if iszero(isList) { outerErr := 7 } // ERR_UNEXPECTED_STRING
                if iszero(eq(add(cp, cl), end)) { outerErr := 8 } // ERR_TRAILING_BYTES
            }
            default { outerErr := err }
            if iszero(outerErr) {
                // Fast path over fields 0..6, whose encodings have fixed sizes (a0 ‖ 32, a0 ‖ 32,
                // 94 ‖ 20, a0 ‖ 32, a0 ‖ 32, a0 ‖ 32, b9 01 00 ‖ 256): check the 7 prefixes at their
                // offsets, take parentHash and stateRoot, and continue at field 7 (offset 445). Any
                // other layout is walked from field 0, which names the error if there is one.
                let skip := 0
                if iszero(gt(add(cp, 445), end)) {
                    if and(
                        and(
                            and(eq(byte(0, calldataload(cp)), 0xa0), eq(byte(0, calldataload(add(cp, 33))), 0xa0)),
                            and(
                                eq(byte(0, calldataload(add(cp, 66))), 0x94),
                                eq(byte(0, calldataload(add(cp, 87))), 0xa0)
                            )
                        ),
                        and(
                            and(
                                eq(byte(0, calldataload(add(cp, 120))), 0xa0),
                                eq(byte(0, calldataload(add(cp, 153))), 0xa0)
                            ),
                            eq(shr(232, calldataload(add(cp, 186))), 0xb90100)
                        )
                    ) {
                        mstore(add(header, 0x20), calldataload(add(cp, 1)))
                        mstore(add(header, 0x40), calldataload(add(cp, 88)))
                        skip := 1
                    }
                }
                switch skip
                case 1 {
                    count, fieldErr := fields(add(cp, 445), 7, end, header)
                }
                default { count, fieldErr := fields(cp, 0, end, header) }
            }
        }
        if (outerErr != 0) revert BlockHeaderMalformed(outerErr);
        if (fieldErr != 0) revert BlockHeaderInvalidField((fieldErr >> 8) & 0xffff, fieldErr & 0xff);
        if (count < MIN_FIELDS) revert BlockHeaderTooFewFields(count);
        header.hash = keccak256(rlp);
    }
}
