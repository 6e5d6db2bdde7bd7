// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SecureMerkleTrie} from "./op/libraries/trie/SecureMerkleTrie.sol";
import {RLPReader} from "./op/libraries/rlp/RLPReader.sol";

/// @title OpTrieBaseline
/// @notice Benchmark baseline only (never deployed outside benchmarks): reads one storage slot
///         of one L1 account the way a reader built on OP's `SecureMerkleTrie` (from the
///         contracts-bedrock package) does — account proof against the state root, decode
///         the account's storage root, storage proof against it. Pure verification, no caching,
///         so the comparison with our `L2Keystore.syncKeys` (which also writes its cache) is
///         conservative. Note OP's `get` cannot prove absence; the benchmark uses inclusion proofs.
contract OpTrieBaseline {
    function verify(
        bytes32 stateRoot,
        address account,
        bytes[] memory accountProof,
        bytes32 slot,
        bytes[] memory storageProof
    ) external pure returns (bytes32 value) {
        bytes memory accountRlp = SecureMerkleTrie.get(abi.encodePacked(account), accountProof, stateRoot);
        RLPReader.RLPItem[] memory fields = RLPReader.readList(accountRlp);
        bytes32 storageRoot = bytes32(RLPReader.readBytes(fields[2]));
        bytes memory valueRlp = SecureMerkleTrie.get(abi.encodePacked(slot), storageProof, storageRoot);
        bytes memory raw = RLPReader.readBytes(valueRlp);
        value = bytes32(uint256(bytes32(raw)) >> (8 * (32 - raw.length)));
    }
}
