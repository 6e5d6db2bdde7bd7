// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "../lib/Test.sol";

/// @notice Reads contracts/test/fixtures/keystore/anvil.json (scripts/gen-keystore-fixtures.ts):
///         real eth_getProof output for an L1Keystore on anvil at three blocks.
abstract contract KeystoreFixture is Test {
    struct Block {
        uint256 number;
        bytes32 stateRoot;
        bytes32 storageRoot;
        bytes accountProof;
        bytes absentAccountProof;
        bytes32[] values;
        bytes[] storageProofs;
        bytes32 registryValue;
        bytes registryProof;
    }

    // key indices in the fixture's `keys`
    uint256 internal constant I_SALT = 0;
    uint256 internal constant I_WALLET_ID = 1;
    uint256 internal constant I_INITDATA = 2;
    uint256 internal constant I_L2_UPDATE = 3;
    uint256 internal constant I_K1 = 4; // full-width value, rotated at blocks 1 and 2
    uint256 internal constant I_K2 = 5; // an address, cleared at block 2
    uint256 internal constant I_K3 = 6; // absent at block 0, written at block 1
    uint256 internal constant I_ABSENT = 7; // never written
    uint256 internal constant I_K4 = 8; // full width at block 0, small from block 1
    uint256 internal constant N_KEYS = 9;
    uint256 internal constant N_BLOCKS = 3;

    string internal fixture;
    address internal l1Keystore;
    address internal account;
    address internal absentAccount;
    bytes32 internal walletId;
    address internal implementation;
    uint64 internal l2ChainId;
    bytes32[] internal keys;
    bytes32[] internal slots;
    bytes32 internal registrySlot;

    function _loadFixture() internal {
        fixture = vm.readFile("test/fixtures/keystore/anvil.json");
        l1Keystore = vm.parseJsonAddress(fixture, ".keystore");
        account = vm.parseJsonAddress(fixture, ".account");
        absentAccount = vm.parseJsonAddress(fixture, ".absentAccount");
        walletId = vm.parseJsonBytes32(fixture, ".walletId");
        implementation = vm.parseJsonAddress(fixture, ".implementation");
        l2ChainId = uint64(vm.parseJsonUint(fixture, ".l2ChainId"));
        keys = vm.parseJsonBytes32Array(fixture, ".keys");
        slots = vm.parseJsonBytes32Array(fixture, ".slots");
        registrySlot = vm.parseJsonBytes32(fixture, ".registrySlot");
    }

    function _block(uint256 i) internal view returns (Block memory b) {
        string memory p = string.concat(".blocks[", vm.toString(i), "]");
        b.number = vm.parseJsonUint(fixture, string.concat(p, ".number"));
        b.stateRoot = vm.parseJsonBytes32(fixture, string.concat(p, ".stateRoot"));
        b.storageRoot = vm.parseJsonBytes32(fixture, string.concat(p, ".storageRoot"));
        b.accountProof = vm.parseJsonBytes(fixture, string.concat(p, ".accountProof"));
        b.absentAccountProof = vm.parseJsonBytes(fixture, string.concat(p, ".absentAccountProof"));
        b.values = vm.parseJsonBytes32Array(fixture, string.concat(p, ".values"));
        b.storageProofs = vm.parseJsonBytesArray(fixture, string.concat(p, ".storageProofs"));
        b.registryValue = vm.parseJsonBytes32(fixture, string.concat(p, ".registryValue"));
        b.registryProof = vm.parseJsonBytes(fixture, string.concat(p, ".registryProof"));
    }

    function _keysAt(uint256[] memory idx) internal view returns (bytes32[] memory out) {
        out = new bytes32[](idx.length);
        for (uint256 i; i < idx.length; ++i) {
            out[i] = keys[idx[i]];
        }
    }

    function _proofsAt(Block memory b, uint256[] memory idx) internal pure returns (bytes[] memory out) {
        out = new bytes[](idx.length);
        for (uint256 i; i < idx.length; ++i) {
            out[i] = b.storageProofs[idx[i]];
        }
    }

    function _idx(uint256 a) internal pure returns (uint256[] memory r) {
        r = new uint256[](1);
        r[0] = a;
    }

    function _idx(uint256 a, uint256 b) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        r[0] = a;
        r[1] = b;
    }

    function _all() internal pure returns (uint256[] memory r) {
        r = new uint256[](N_KEYS);
        for (uint256 i; i < N_KEYS; ++i) {
            r[i] = i;
        }
    }
}
