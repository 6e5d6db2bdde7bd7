// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IL2Keystore} from "../interfaces/IL2Keystore.sol";
import {KeystoreLayout} from "../libraries/KeystoreLayout.sol";
import {L1SloadCache} from "./L1SloadCache.sol";

/// @title L2Keystore
/// @notice The keystore's read side on an L2 without an L1SLOAD precompile (seed 003 "L2Keystore",
///         DESIGN §5). Keys are proven from L1Keystore's storage against L1Blocks' state roots and
///         cached ("synced") by anyone; `loadKey` reads the cache, `loadKeyWithBlock` also says
///         which L1 block the value is from, so callers decide how stale is acceptable.
///
///         It inherits the l1Sload emulator (L1SloadCache): syncing a key is a call into this
///         contract only, and `syncSlots(…, L1_KEYSTORE, …)` syncs any other L1Keystore slot (the
///         wallet registry's implementation slots for `getWalletImplementation`, see
///         `walletImplementationSlot`).
///
///         Writes are not part of this contract: accounts write on L1, or on the keystore chain
///         through its KeystoreChainL2Keystore (reading with the L1SLOAD precompile, writing
///         through the OP messenger). On other L2s a write reaches this cache once it is on L1
///         and someone syncs it.
contract L2Keystore is IL2Keystore, L1SloadCache {
    /// @notice L1Keystore's reserved keys (KeystoreLayout).
    bytes32 public constant SALT_KEY = KeystoreLayout.SALT_KEY;
    bytes32 public constant WALLET_ID_KEY = KeystoreLayout.WALLET_ID_KEY;
    bytes32 public constant INITDATA_HASH_KEY = KeystoreLayout.INITDATA_HASH_KEY;
    bytes32 public constant L2_UPDATE_ADDRESS_KEY = KeystoreLayout.L2_UPDATE_ADDRESS_KEY;

    /// @inheritdoc IL2Keystore
    address public immutable L1_KEYSTORE;

    /// @param l1Keystore L1Keystore's address on L1.
    /// @param l1Blocks   The L1Blocks contract on this L2.
    constructor(address l1Keystore, address l1Blocks) L1SloadCache(l1Blocks) {
        L1_KEYSTORE = l1Keystore;
    }

    /// @inheritdoc IL2Keystore
    function registerAccount(bytes32, bytes32, bytes32[] calldata, bytes32[] calldata, bytes calldata, address)
        external
        pure
        returns (address)
    {
        revert L2KeystoreUnsupported();
    }

    /// @inheritdoc IL2Keystore
    function loadKey(address account, bytes32 key) external view returns (bytes32 value) {
        (value,) = l1Sload(L1_KEYSTORE, keySlot(account, key));
    }

    /// @inheritdoc IL2Keystore
    function loadKeyWithBlock(address account, bytes32 key)
        external
        view
        returns (bytes32 value, uint256 l1BlockNumber)
    {
        return l1Sload(L1_KEYSTORE, keySlot(account, key));
    }

    /// @inheritdoc IL2Keystore
    function loadKeyWithProof(uint256 l1BlockNumber, address account, bytes32 key, bytes calldata storageProof)
        external
        view
        returns (bytes32)
    {
        return l1SloadWithProof(l1BlockNumber, L1_KEYSTORE, keySlot(account, key), storageProof);
    }

    /// @inheritdoc IL2Keystore
    /// @dev Same rules as `syncSlots`: a key cached at a newer block reverts (L1SloadStale), at the
    ///      same block it is skipped.
    function syncKeys(
        uint256 l1BlockNumber,
        address account,
        bytes32[] calldata keys,
        bytes calldata accountProof,
        bytes[] calldata storageProofs
    ) external {
        if (keys.length != storageProofs.length) {
            revert L2KeystoreLengthMismatch(keys.length, storageProofs.length);
        }
        bytes32 storageRoot = _storageRoot(l1BlockNumber, L1_KEYSTORE, accountProof);
        for (uint256 i; i < keys.length; ++i) {
            _syncSlot(l1BlockNumber, L1_KEYSTORE, storageRoot, keySlot(account, keys[i]), storageProofs[i]);
        }
    }

    /// @inheritdoc IL2Keystore
    function keySlot(address account, bytes32 key) public pure returns (bytes32) {
        return KeystoreLayout.keySlot(account, key);
    }

    /// @notice The L1Keystore slot of `walletRegistry[walletId].implementations[chainId]`, to sync
    ///         with `syncSlots(l1BlockNumber, L1_KEYSTORE, …)` for `getWalletImplementation`.
    function walletImplementationSlot(bytes32 walletId, uint64 chainId) public pure returns (bytes32) {
        return KeystoreLayout.implementationSlot(walletId, chainId);
    }

    /// @inheritdoc IL2Keystore
    /// @dev Needs the account's WALLET_ID_KEY and the registry slot for this chain synced (they
    ///      may be from different L1 blocks: the wallet id never changes on L1). Reverts
    ///      L2KeystoreImplementationNotRegistered when either is zero (unsynced or unregistered).
    function getWalletImplementation(address account) external view returns (address implementation) {
        (bytes32 walletId,) = l1Sload(L1_KEYSTORE, keySlot(account, WALLET_ID_KEY));
        (bytes32 impl,) = l1Sload(L1_KEYSTORE, walletImplementationSlot(walletId, uint64(block.chainid)));
        implementation = address(uint160(uint256(impl)));
        if (implementation == address(0)) revert L2KeystoreImplementationNotRegistered(walletId, block.chainid);
    }
}
