// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {BlockHeader} from "../../src/libraries/BlockHeader.sol";
import {MerklePatricia} from "../../src/libraries/MerklePatricia.sol";
import {RLPReader} from "../../src/libraries/RLPReader.sol";
import {StorageProof} from "../../src/libraries/StorageProof.sol";
import {RLPTestEncoder} from "../lib/RLPTestEncoder.sol";

/// @notice External entry points for the proof libraries, so tests pass proofs as calldata.
contract ProofHarness {
    function get(bytes32 root, bytes32 path, bytes calldata proof)
        external
        pure
        returns (bool exists, bytes memory value)
    {
        return MerklePatricia.get(root, path, proof);
    }

    function verifyAccount(bytes32 stateRoot, address account, bytes calldata proof)
        external
        pure
        returns (StorageProof.Account memory)
    {
        return StorageProof.verifyAccount(stateRoot, account, proof);
    }

    function verifyStorage(bytes32 storageRoot, bytes32 slot, bytes calldata proof) external pure returns (bytes32) {
        return StorageProof.verifyStorage(storageRoot, slot, proof);
    }

    /// @notice Gas of `MerklePatricia.get` alone (inside the call, after ABI decoding).
    function getGas(bytes32 root, bytes32 path, bytes calldata proof) external view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        MerklePatricia.get(root, path, proof);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of an account proof followed by a storage proof against its storage root.
    function accountAndStorageGas(
        bytes32 stateRoot,
        address account,
        bytes calldata accountProof,
        bytes32 slot,
        bytes calldata storageProof
    ) external view returns (uint256 gasUsed, bytes32 value) {
        uint256 before = gasleft();
        StorageProof.Account memory a = StorageProof.verifyAccount(stateRoot, account, accountProof);
        value = StorageProof.verifyStorage(a.storageRoot, slot, storageProof);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of a storage proof alone.
    function storageGas(bytes32 storageRoot, bytes32 slot, bytes calldata proof)
        external
        view
        returns (uint256 gasUsed, bytes32 value)
    {
        uint256 before = gasleft();
        value = StorageProof.verifyStorage(storageRoot, slot, proof);
        gasUsed = before - gasleft();
    }
}

/// @notice External entry points for RLPReader and BlockHeader.
contract RLPHarness {
    function readItem(bytes calldata data)
        external
        pure
        returns (bool isList, bytes memory content, bytes memory rest)
    {
        return RLPReader.readItem(data);
    }

    function readList(bytes calldata data) external pure returns (bytes memory content, bytes memory rest) {
        return RLPReader.readList(data);
    }

    function readBytes(bytes calldata data) external pure returns (bytes memory content, bytes memory rest) {
        return RLPReader.readBytes(data);
    }

    function readUint(bytes calldata data) external pure returns (uint256 value, bytes memory rest) {
        return RLPReader.readUint(data);
    }

    function readBytes32(bytes calldata data) external pure returns (bytes32 value, bytes memory rest) {
        return RLPReader.readBytes32(data);
    }

    function readAddress(bytes calldata data) external pure returns (address value, bytes memory rest) {
        return RLPReader.readAddress(data);
    }

    function skip(bytes calldata data) external pure returns (bytes memory rest) {
        return RLPReader.skip(data);
    }

    function unwrapList(bytes calldata data) external pure returns (bytes memory content) {
        return RLPReader.unwrapList(data);
    }

    /// @notice Decodes `data` as exactly one item, recursively, and re-encodes it canonically.
    function reencode(bytes calldata data) external pure returns (bytes memory) {
        (bytes memory out, bytes calldata rest) = _reencode(data);
        RLPReader.requireEnd(rest);
        return out;
    }

    function _reencode(bytes calldata data) private pure returns (bytes memory out, bytes calldata rest) {
        bool isList;
        bytes calldata content;
        (isList, content, rest) = RLPReader.readItem(data);
        if (!isList) return (RLPTestEncoder.encodeBytes(content), rest);
        bytes memory payload;
        while (content.length != 0) {
            bytes memory item;
            (item, content) = _reencode(content);
            payload = bytes.concat(payload, item);
        }
        out = _listOf(payload);
    }

    function _listOf(bytes memory payload) private pure returns (bytes memory) {
        bytes[] memory items = new bytes[](1);
        items[0] = payload;
        return RLPTestEncoder.encodeList(items);
    }

    function decodeHeader(bytes calldata rlp) external pure returns (BlockHeader.Header memory) {
        return BlockHeader.decode(rlp);
    }

    function decodeHeaderGas(bytes calldata rlp) external view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        BlockHeader.decode(rlp);
        gasUsed = before - gasleft();
    }
}
