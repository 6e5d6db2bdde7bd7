// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IL1Keystore} from "../interfaces/IL1Keystore.sol";
import {ICrossDomainMessenger} from "../interfaces/ICrossDomainMessenger.sol";
import {Create3} from "../libraries/Create3.sol";
import {KeystoreLayout} from "../libraries/KeystoreLayout.sol";

/// @title L1Keystore
/// @notice The source of truth for every smart wallet's keys (seed 003). See IL1Keystore for the
///         API and the deliberate deviations from the seed.
///
/// @dev STORAGE LAYOUT — fixed; L2s compute slots from it to prove values (KeystoreLayout).
///      The contract has no other storage variables (the rest is immutable or constant).
///        slot 0  mapping(address => UserAccount) _accounts
///                  keys[key]           at keccak256(key ‖ keccak256(account ‖ 0))
///                  bindings[chainId]   at keccak256(chainId ‖ keccak256(account ‖ 0) + 1)
///        slot 1  mapping(bytes32 => WalletEntry) _walletRegistry
///                  owner               at keccak256(walletId ‖ 1)
///                  implementations[c]  at keccak256(c ‖ keccak256(walletId ‖ 1) + 1)
///      (‖ = concatenation of 32-byte words; addresses and uint64s are left-padded.)
///
/// @dev THREAT MODEL
///      Writers. An account's keys are written by exactly two parties (`_checkWriter`):
///        - the account itself (the wallet contract on L1, which runs its own authentication);
///        - its L2 update address, a contract on the keystore rollup, arriving through MESSENGER
///          (the rollup's L1CrossDomainMessenger): `msg.sender == MESSENGER` and
///          `xDomainMessageSender()` equals the address stored under L2_UPDATE_ADDRESS_KEY.
///          An account that stored no L2 update address (zero) never accepts a messenger write;
///          with MESSENGER == 0 no L2 writer is accepted at all. A compromised keystore chain
///          (or messenger) can therefore only touch accounts that opted in, and even there
///          never the salt or the wallet id.
///        Nobody writes an unregistered account (KeystoreAccountNotRegistered), so registration
///        always starts from an empty key map.
///      Keys. SALT_KEY and WALLET_ID_KEY are written once at registration and never again (the
///        address and the implementation line a wallet was created with cannot be swapped).
///        L2_UPDATE_ADDRESS_KEY changes only through `updateAccess` (same writers, CAS on the old
///        address), so writing it always emits AccessUpdated. INITDATA_HASH_KEY and every
///        non-reserved key are ordinary keys. Reserved keys are keccak256(label) - 1: no known
///        preimage, so no wallet that derives its keys by hashing can hit one by accident.
///      Replay and ordering. Messages relayed by the OP messenger succeed at most once
///        (`successfulMessages`). A relayed call that reverts here stays in `failedMessages` and
///        anyone may replay it later; `updateKey`/`updateAccess` are compare-and-swap, so a late
///        or replayed write applies only if the value is still the one it expected. The residual
///        risk is ABA: a key that returns to an earlier value re-arms failed writes that expected
///        it; wallets that may reuse values should version them. Withdrawals finalize in any
///        order; CAS turns a reordering into a failed (and retryable) write, never a lost update.
///      Registration front-running. Anyone may register an account, and the first registration
///        of a salt wins. A salt whose first 20 bytes are non-zero is bound to that address: only
///        it may register the salt (KeystoreSaltBoundToOther), so a pending registration cannot
///        be copied with other keys. Salts with a zero prefix are first-come-first-served.
///        Wallet ids follow the same rule in `registerWallet`.
///      Wallet deployment front-running. The account factory deploys a wallet only with the
///        implementation registered for the account's wallet id and init data whose hash is
///        INITDATA_HASH_KEY, both read from the keystore, so whoever submits the deployment
///        cannot choose what is deployed at the address.
///      Wallet registry. A wallet id's owner controls its implementations on every chain, and so
///        what future deployments of its accounts run: accounts trust their wallet's owner for
///        chains they are not deployed on yet. The owner cannot be set to zero (which would make
///        the id look unregistered and claimable).
contract L1Keystore is IL1Keystore {
    /// @dev One account's storage (slot 0 mapping value).
    struct UserAccount {
        // key-value map; the four reserved keys live here too
        mapping(bytes32 => bytes32) keys;
        // chain id => the account's address on a non-EVM chain
        mapping(uint64 => bytes32) bindings;
    }

    /// @dev One wallet registry entry (slot 1 mapping value).
    struct WalletEntry {
        address owner;
        // chain id => implementation
        mapping(uint64 => address) implementations;
    }

    /// @notice keccak256("keystore.reserved.salt") - 1
    ///         = 0x415fba7a3d0cc68729f8a5e6d15e56ab06259f82f811e53300bff610a12b8961
    bytes32 public constant SALT_KEY = KeystoreLayout.SALT_KEY;
    /// @notice keccak256("keystore.reserved.walletId") - 1
    ///         = 0xba2abc0c457d49241481bba48666833d02dc02206f1b34b44e5bedcb961f6800
    bytes32 public constant WALLET_ID_KEY = KeystoreLayout.WALLET_ID_KEY;
    /// @notice keccak256("keystore.reserved.initdataHash") - 1
    ///         = 0xffb23ad3efde36eb87f2758cc81a7f036b9852e7c3c5f7448ee25020757e6cce
    bytes32 public constant INITDATA_HASH_KEY = KeystoreLayout.INITDATA_HASH_KEY;
    /// @notice keccak256("keystore.reserved.l2UpdateAddress") - 1
    ///         = 0x2c050ce82bc53344b1df802ed95b32f1484555dc00f6ccc4f5ca49bdcfb1d8f4
    bytes32 public constant L2_UPDATE_ADDRESS_KEY = KeystoreLayout.L2_UPDATE_ADDRESS_KEY;

    /// @inheritdoc IL1Keystore
    address public immutable ACCOUNT_FACTORY;
    /// @inheritdoc IL1Keystore
    address public immutable MESSENGER;

    /// @dev slot 0 — see the layout above.
    mapping(address => UserAccount) internal _accounts;
    /// @dev slot 1 — see the layout above.
    mapping(bytes32 => WalletEntry) internal _walletRegistry;

    /// @param accountFactory The universal AccountFactory (same address on every EVM chain).
    /// @param messenger      The keystore rollup's L1CrossDomainMessenger, or zero for none.
    constructor(address accountFactory, address messenger) {
        if (accountFactory == address(0)) revert KeystoreZeroAddress();
        ACCOUNT_FACTORY = accountFactory;
        MESSENGER = messenger;
    }

    // ================================================================ accounts

    /// @inheritdoc IL1Keystore
    function registerAccount(
        bytes32 salt,
        bytes32 walletId,
        bytes32[] calldata initKeys,
        bytes32[] calldata initValues,
        bytes calldata initdata,
        address l2Rollup
    ) external returns (address account) {
        if (salt == 0) revert KeystoreInvalidSalt(salt);
        // The salt's first 20 bytes, the address it is bound to (truncation intended).
        // forge-lint: disable-next-line(unsafe-typecast)
        address boundTo = address(bytes20(salt));
        if (boundTo != address(0) && boundTo != msg.sender) revert KeystoreSaltBoundToOther(salt, msg.sender);
        if (initKeys.length != initValues.length) revert KeystoreLengthMismatch(initKeys.length, initValues.length);
        if (_walletRegistry[walletId].owner == address(0)) revert KeystoreWalletNotRegistered(walletId);

        account = _createAccount(salt, walletId, keccak256(initdata), l2Rollup);
        _writeInitialKeys(account, _accounts[account].keys, initKeys, initValues);
    }

    /// @inheritdoc IL1Keystore
    function loadKey(address account, bytes32 key) external view returns (bytes32) {
        return _accounts[account].keys[key];
    }

    /// @inheritdoc IL1Keystore
    /// @dev Writers: see `_checkWriter`. Zero is rejected (KeystoreZeroValue): it would be a no-op.
    ///      Reserved keys other than INITDATA_HASH_KEY are rejected (KeystoreReservedKey).
    function writeKey(address account, bytes32 key, bytes32 value) external {
        mapping(bytes32 => bytes32) storage keys = _writableKeys(account);
        if (_isProtected(key)) revert KeystoreReservedKey(key);
        if (value == 0) revert KeystoreZeroValue(account, key);
        bytes32 current = keys[key];
        if (current != 0) revert KeystoreKeyNotEmpty(account, key, current);
        _setKey(account, keys, key, 0, value);
    }

    /// @inheritdoc IL1Keystore
    /// @dev Writers: see `_checkWriter`. A mismatching `oldValue` reverts and changes nothing.
    function updateKey(address account, bytes32 key, bytes32 oldValue, bytes32 newValue) external {
        mapping(bytes32 => bytes32) storage keys = _writableKeys(account);
        if (_isProtected(key)) revert KeystoreReservedKey(key);
        _compareAndSwap(account, keys, key, oldValue, newValue);
    }

    /// @inheritdoc IL1Keystore
    /// @dev Writers: the account, or its current L2 update address through the messenger (which
    ///      may hand access on or revoke itself). CAS on the old address like `updateKey`.
    function updateAccess(address account, address oldUpdateContract, address newUpdateContract) external {
        mapping(bytes32 => bytes32) storage keys = _writableKeys(account);
        _compareAndSwap(
            account,
            keys,
            L2_UPDATE_ADDRESS_KEY,
            bytes32(uint256(uint160(oldUpdateContract))),
            bytes32(uint256(uint160(newUpdateContract)))
        );
        emit AccessUpdated(account, oldUpdateContract, newUpdateContract);
    }

    /// @inheritdoc IL1Keystore
    /// @dev Writers: see `_checkWriter`. Zero unbinds.
    function bindAddress(address account, uint64 chainId, bytes32 boundAddress_) external {
        _writableKeys(account);
        _accounts[account].bindings[chainId] = boundAddress_;
        emit AddressBound(account, chainId, boundAddress_);
    }

    /// @inheritdoc IL1Keystore
    /// @dev Chain ids are assumed to fit in 64 bits (as the registry's keys do).
    function getWalletImplementation(address account) external view returns (address implementation) {
        bytes32 walletId = _accounts[account].keys[WALLET_ID_KEY];
        if (walletId == 0) revert KeystoreAccountNotRegistered(account);
        implementation = _walletRegistry[walletId].implementations[uint64(block.chainid)];
        if (implementation == address(0)) revert KeystoreImplementationNotRegistered(walletId, block.chainid);
    }

    /// @inheritdoc IL1Keystore
    function boundAddress(address account, uint64 chainId) external view returns (bytes32) {
        return _accounts[account].bindings[chainId];
    }

    /// @inheritdoc IL1Keystore
    function computeAccountAddress(bytes32 salt) public view returns (address) {
        return Create3.addressOf(ACCOUNT_FACTORY, salt);
    }

    // ================================================================ wallet registry

    /// @inheritdoc IL1Keystore
    function registerWallet(bytes32 walletId, address owner) external {
        if (walletId == 0) revert KeystoreInvalidWalletId(walletId);
        // The wallet id's first 20 bytes, the address it is bound to (truncation intended).
        // forge-lint: disable-next-line(unsafe-typecast)
        address boundTo = address(bytes20(walletId));
        if (boundTo != address(0) && boundTo != msg.sender) revert KeystoreWalletIdBoundToOther(walletId, msg.sender);
        if (owner == address(0)) revert KeystoreZeroAddress();
        WalletEntry storage entry = _walletRegistry[walletId];
        if (entry.owner != address(0)) revert KeystoreWalletAlreadyRegistered(walletId);
        entry.owner = owner;
        emit WalletRegistered(walletId, owner);
    }

    /// @inheritdoc IL1Keystore
    function setWalletImplementation(bytes32 walletId, uint64 chainId, address implementation) external {
        WalletEntry storage entry = _ownedWallet(walletId);
        entry.implementations[chainId] = implementation;
        emit WalletImplementationSet(walletId, chainId, implementation);
    }

    /// @inheritdoc IL1Keystore
    function transferWalletOwnership(bytes32 walletId, address newOwner) external {
        WalletEntry storage entry = _ownedWallet(walletId);
        if (newOwner == address(0)) revert KeystoreZeroAddress();
        address previousOwner = entry.owner;
        entry.owner = newOwner;
        emit WalletOwnershipTransferred(walletId, previousOwner, newOwner);
    }

    /// @inheritdoc IL1Keystore
    function walletOwner(bytes32 walletId) external view returns (address) {
        return _walletRegistry[walletId].owner;
    }

    /// @inheritdoc IL1Keystore
    function walletImplementation(bytes32 walletId, uint64 chainId) external view returns (address) {
        return _walletRegistry[walletId].implementations[chainId];
    }

    // ================================================================ internals

    /// @dev Registration's reserved keys, for an account that does not exist yet.
    function _createAccount(bytes32 salt, bytes32 walletId, bytes32 initdataHash, address l2Rollup)
        private
        returns (address account)
    {
        account = computeAccountAddress(salt);
        mapping(bytes32 => bytes32) storage keys = _accounts[account].keys;
        if (keys[SALT_KEY] != 0) revert KeystoreAccountExists(account);
        _setKey(account, keys, SALT_KEY, 0, salt);
        _setKey(account, keys, WALLET_ID_KEY, 0, walletId);
        _setKey(account, keys, INITDATA_HASH_KEY, 0, initdataHash);
        if (l2Rollup != address(0)) {
            _setKey(account, keys, L2_UPDATE_ADDRESS_KEY, 0, bytes32(uint256(uint160(l2Rollup))));
        }
        emit AccountRegistered(account, salt, walletId, initdataHash, l2Rollup);
    }

    /// @dev Registration's initial keys: non-reserved, non-zero, each listed once.
    function _writeInitialKeys(
        address account,
        mapping(bytes32 => bytes32) storage keys,
        bytes32[] calldata initKeys,
        bytes32[] calldata initValues
    ) private {
        for (uint256 i; i < initKeys.length; ++i) {
            bytes32 key = initKeys[i];
            bytes32 value = initValues[i];
            if (_isReserved(key)) revert KeystoreReservedKey(key);
            if (value == 0) revert KeystoreZeroValue(account, key);
            // A key listed twice would silently overwrite the first value.
            bytes32 current = keys[key];
            if (current != 0) revert KeystoreKeyNotEmpty(account, key, current);
            _setKey(account, keys, key, 0, value);
        }
    }

    /// @dev The key map of a registered `account` that the caller may write; reverts otherwise.
    function _writableKeys(address account) private view returns (mapping(bytes32 => bytes32) storage keys) {
        keys = _accounts[account].keys;
        _checkWriter(account, keys);
        if (keys[SALT_KEY] == 0) revert KeystoreAccountNotRegistered(account);
    }

    /// @dev canWrite (seed 003), with the messenger check of the threat model above:
    ///      the account itself, or MESSENGER relaying a message whose L2 sender is the account's
    ///      non-zero L2 update address, with MESSENGER itself non-zero.
    function _checkWriter(address account, mapping(bytes32 => bytes32) storage keys) private view {
        if (msg.sender == account) return;
        if (msg.sender == MESSENGER && MESSENGER != address(0)) {
            address updater = address(uint160(uint256(keys[L2_UPDATE_ADDRESS_KEY])));
            if (updater != address(0) && ICrossDomainMessenger(MESSENGER).xDomainMessageSender() == updater) return;
        }
        revert KeystoreUnauthorized(account, msg.sender);
    }

    /// @dev Sets `key` to `newValue` if it holds `oldValue`; reverts with both values otherwise.
    function _compareAndSwap(
        address account,
        mapping(bytes32 => bytes32) storage keys,
        bytes32 key,
        bytes32 oldValue,
        bytes32 newValue
    ) private {
        bytes32 current = keys[key];
        if (current != oldValue) revert KeystoreValueMismatch(account, key, oldValue, current);
        _setKey(account, keys, key, oldValue, newValue);
    }

    /// @dev The single place keys are stored; every change emits KeyChanged.
    function _setKey(
        address account,
        mapping(bytes32 => bytes32) storage keys,
        bytes32 key,
        bytes32 oldValue,
        bytes32 newValue
    ) private {
        keys[key] = newValue;
        emit KeyChanged(account, key, oldValue, newValue);
    }

    /// @dev The wallet entry `walletId`, if the caller owns it.
    function _ownedWallet(bytes32 walletId) private view returns (WalletEntry storage entry) {
        entry = _walletRegistry[walletId];
        address owner = entry.owner;
        if (owner == address(0)) revert KeystoreWalletNotRegistered(walletId);
        if (owner != msg.sender) revert KeystoreNotWalletOwner(walletId, msg.sender);
    }

    /// @dev The four reserved keys (not allowed among registration's initial keys).
    function _isReserved(bytes32 key) private pure returns (bool) {
        return key == SALT_KEY || key == WALLET_ID_KEY || key == INITDATA_HASH_KEY || key == L2_UPDATE_ADDRESS_KEY;
    }

    /// @dev Reserved keys writeKey/updateKey may not touch: salt and wallet id (immutable) and
    ///      the L2 update address (only through updateAccess).
    function _isProtected(bytes32 key) private pure returns (bool) {
        return key == SALT_KEY || key == WALLET_ID_KEY || key == L2_UPDATE_ADDRESS_KEY;
    }
}
