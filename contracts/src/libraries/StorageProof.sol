// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {MerklePatricia} from "./MerklePatricia.sol";
import {RLPReader} from "./RLPReader.sol";

/// @title StorageProof
/// @notice EIP-1186 account and storage proofs (the `accountProof` and `storageProof[i].proof` of
///         `eth_getProof`, nodes concatenated) against a state root and a storage root. Keys are
///         hashed here: keccak256(address) for accounts, keccak256(slot) for storage slots.
library StorageProof {
    /// @notice An account as committed in the state trie.
    struct Account {
        bool exists;
        uint256 nonce;
        uint256 balance;
        bytes32 storageRoot;
        bytes32 codeHash;
    }

    /// @notice keccak256(""): the code hash of an account without code.
    bytes32 internal constant EMPTY_CODE_HASH = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;

    /// @notice The proven account value is not rlp([nonce, balance, storageRoot, codeHash]); `reason`
    ///         is an `RLPReader.ERR_*` code.
    error StorageProofInvalidAccount(uint256 reason);
    /// @notice The proven slot value is not the RLP of a canonical integer of at most 32 bytes;
    ///         `reason` is an `RLPReader.ERR_*` code.
    error StorageProofInvalidSlotValue(uint256 reason);

    /// @notice Proves `account` against `stateRoot`. A missing account returns exists = false,
    ///         storageRoot = EMPTY_TRIE_ROOT and codeHash = keccak256("").
    /// @param proof The account proof nodes, root first, concatenated.
    function verifyAccount(bytes32 stateRoot, address account, bytes calldata proof)
        internal
        pure
        returns (Account memory result)
    {
        bytes32 key;
        // keccak256 of the 20 address bytes, hashed in scratch space [0x00, 0x20).
        assembly ("memory-safe") {
            mstore(0x00, account)
            key := keccak256(0x0c, 0x14)
        }
        (bool exists, bytes calldata value) = MerklePatricia.get(stateRoot, key, proof);
        if (!exists) {
            result.storageRoot = MerklePatricia.EMPTY_TRIE_ROOT;
            result.codeHash = EMPTY_CODE_HASH;
            return result;
        }
        result.exists = true;

        uint256 ptr;
        uint256 end;
        // The value slice's calldata bounds.
        assembly ("memory-safe") {
            ptr := value.offset
            end := add(ptr, value.length)
        }
        (uint256 err, bool isList, uint256 p, uint256 len) = RLPReader.tryReadHeader(ptr, end);
        if (err != 0) revert StorageProofInvalidAccount(err);
        if (!isList) revert StorageProofInvalidAccount(RLPReader.ERR_UNEXPECTED_STRING);
        if (p + len != end) revert StorageProofInvalidAccount(RLPReader.ERR_TRAILING_BYTES);

        (result.nonce, p) = _accountUint(p, end);
        (result.balance, p) = _accountUint(p, end);
        (result.storageRoot, p) = _accountHash(p, end);
        (result.codeHash, p) = _accountHash(p, end);
        if (p != end) revert StorageProofInvalidAccount(RLPReader.ERR_TRAILING_BYTES);
    }

    /// @notice Proves `slot` against `storageRoot`; an absent slot has value 0.
    /// @param proof The storage proof nodes, root first, concatenated.
    function verifyStorage(bytes32 storageRoot, bytes32 slot, bytes calldata proof)
        internal
        pure
        returns (bytes32 value)
    {
        bytes32 key;
        // keccak256 of the 32-byte slot, hashed in scratch space [0x00, 0x20).
        assembly ("memory-safe") {
            mstore(0x00, slot)
            key := keccak256(0x00, 0x20)
        }
        (bool exists, bytes calldata raw) = MerklePatricia.get(storageRoot, key, proof);
        if (!exists) return 0;

        uint256 err;
        // Decodes `raw` as rlp(uint): a single byte 0x01..0x7f, or 0x80 + n followed by n (<= 32)
        // big-endian bytes without a leading zero (n = 1 only for values >= 0x80), nothing after.
        // Sets `err` to an RLPReader.ERR_* code otherwise. Safe: pure calldata reads inside or just
        // past `raw` (a found value is non-empty; bytes past it are only used when err != 0).
        assembly ("memory-safe") {
            let len := raw.length
            let w := calldataload(raw.offset)
            let b := byte(0, w)
            switch lt(b, 0x80)
            case 1 {
                value := b
                if iszero(b) { err := 9 } // ERR_UINT_LEADING_ZERO (0x00 is not an integer)
                if gt(len, 1) { err := 8 } // ERR_TRAILING_BYTES
            }
            default {
                switch gt(b, 0xa0)
                case 1 {
                    err := 10 // ERR_UINT_TOO_LONG (a longer string, or a list)
                    if gt(b, 0xbf) { err := 6 } // ERR_UNEXPECTED_LIST
                }
                default {
                    let n := sub(b, 0x80)
                    value := shr(sub(256, shl(3, n)), calldataload(add(raw.offset, 1)))
                    if and(gt(n, 0), iszero(byte(1, w))) { err := 9 } // ERR_UINT_LEADING_ZERO
                    if and(eq(n, 1), lt(byte(1, w), 0x80)) { err := 3 } // ERR_NON_CANONICAL_SINGLE_BYTE
                    if gt(len, add(n, 1)) { err := 8 } // ERR_TRAILING_BYTES
                    if lt(len, add(n, 1)) { err := 2 } // ERR_OUT_OF_BOUNDS
                }
            }
        }
        if (err != 0) revert StorageProofInvalidSlotValue(err);
    }

    function _accountUint(uint256 ptr, uint256 end) private pure returns (uint256 value, uint256 next) {
        (uint256 err, bool isList, uint256 p, uint256 len) = RLPReader.tryReadHeader(ptr, end);
        if (err != 0) revert StorageProofInvalidAccount(err);
        if (isList) revert StorageProofInvalidAccount(RLPReader.ERR_UNEXPECTED_LIST);
        (err, value) = RLPReader.tryReadUint(p, len);
        if (err != 0) revert StorageProofInvalidAccount(err);
        next = p + len;
    }

    function _accountHash(uint256 ptr, uint256 end) private pure returns (bytes32 value, uint256 next) {
        (uint256 err, bool isList, uint256 p, uint256 len) = RLPReader.tryReadHeader(ptr, end);
        if (err != 0) revert StorageProofInvalidAccount(err);
        if (isList) revert StorageProofInvalidAccount(RLPReader.ERR_UNEXPECTED_LIST);
        if (len != 32) revert StorageProofInvalidAccount(RLPReader.ERR_WRONG_LENGTH);
        // The 32 payload bytes (bounds checked by tryReadHeader).
        assembly ("memory-safe") {
            value := calldataload(p)
        }
        next = p + 32;
    }
}
