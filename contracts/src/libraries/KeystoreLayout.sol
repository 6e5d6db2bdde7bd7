// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title KeystoreLayout
/// @notice L1Keystore's reserved keys and storage slots, shared by every contract that reads
///         L1Keystore's storage from elsewhere (L2Keystore by proof or L1SLOAD, the account
///         factories, off-chain provers). L1Keystore's layout (see its NatSpec):
///           slot 0  mapping(address => UserAccount { mapping(bytes32 => bytes32) keys;
///                                                    mapping(uint64 => bytes32) bindings; })
///           slot 1  mapping(bytes32 => WalletEntry { address owner;
///                                                    mapping(uint64 => address) implementations; })
///         Reserved keys are keccak256(label) - 1: no known preimage, so a wallet that derives key
///         names by hashing cannot hit one.
library KeystoreLayout {
    /// @notice keccak256("keystore.reserved.salt") - 1: the account's CREATE3 salt (immutable).
    bytes32 internal constant SALT_KEY = 0x415fba7a3d0cc68729f8a5e6d15e56ab06259f82f811e53300bff610a12b8961;
    /// @notice keccak256("keystore.reserved.walletId") - 1: the account's wallet id (immutable).
    bytes32 internal constant WALLET_ID_KEY = 0xba2abc0c457d49241481bba48666833d02dc02206f1b34b44e5bedcb961f6800;
    /// @notice keccak256("keystore.reserved.initdataHash") - 1: keccak256 of the wallet's init data.
    bytes32 internal constant INITDATA_HASH_KEY = 0xffb23ad3efde36eb87f2758cc81a7f036b9852e7c3c5f7448ee25020757e6cce;
    /// @notice keccak256("keystore.reserved.l2UpdateAddress") - 1: the L2 writer, left-padded.
    bytes32 internal constant L2_UPDATE_ADDRESS_KEY =
        0x2c050ce82bc53344b1df802ed95b32f1484555dc00f6ccc4f5ca49bdcfb1d8f4;

    /// @notice keccak256("keystore.wallet.owners"): KeystoreAccount's owner-set commitment,
    ///         keccak256(abi.encode(bytes[] owners)). An ordinary key (not reserved): the wallet
    ///         writes it with updateKey. Ordinary keys are keccak256(label), reserved ones minus 1.
    ///         = 0x6668b08926dc4972a2e28b5961c8f66ca6286152c258b4b1fcc5206dd031e55b
    bytes32 internal constant OWNERS_KEY = 0x6668b08926dc4972a2e28b5961c8f66ca6286152c258b4b1fcc5206dd031e55b;

    /// @notice Storage slot of the `accounts` mapping.
    uint256 internal constant ACCOUNTS_SLOT = 0;
    /// @notice Storage slot of the `walletRegistry` mapping.
    uint256 internal constant WALLET_REGISTRY_SLOT = 1;

    /// @notice Slot of `accounts[account].keys[key]`: keccak256(key ‖ keccak256(account ‖ 0)).
    function keySlot(address account, bytes32 key) internal pure returns (bytes32) {
        return keccak256(abi.encode(key, keccak256(abi.encode(account, ACCOUNTS_SLOT))));
    }

    /// @notice Slot of `accounts[account].bindings[chainId]`.
    function bindingSlot(address account, uint64 chainId) internal pure returns (bytes32) {
        uint256 base = uint256(keccak256(abi.encode(account, ACCOUNTS_SLOT)));
        return keccak256(abi.encode(chainId, base + 1));
    }

    /// @notice Slot of `walletRegistry[walletId].owner`.
    function walletOwnerSlot(bytes32 walletId) internal pure returns (bytes32) {
        return keccak256(abi.encode(walletId, WALLET_REGISTRY_SLOT));
    }

    /// @notice Slot of `walletRegistry[walletId].implementations[chainId]`.
    function implementationSlot(bytes32 walletId, uint64 chainId) internal pure returns (bytes32) {
        uint256 base = uint256(keccak256(abi.encode(walletId, WALLET_REGISTRY_SLOT)));
        return keccak256(abi.encode(chainId, base + 1));
    }
}
