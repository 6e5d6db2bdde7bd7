// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IKeystoreChainL2Keystore
/// @notice The keystore chain's L2Keystore (seed 003, "L2Keystore Contract", EVM and non-EVM
///         variants): reads L1Keystore with the L1SLOAD precompile and writes by sending a message
///         to L1Keystore through the OP L2CrossDomainMessenger.
///
///         The read API has the selectors and errors of IL2Keystore (the proof-based L2Keystore
///         of other L2s), so wallets and factories call `loadKey`, `loadKeyWithBlock`, `keySlot`,
///         `getWalletImplementation` and `registerAccount` the same way on every chain. Proof and
///         sync functions (`syncKeys`, `loadKeyWithProof`) do not exist here: L1SLOAD needs none.
///
///         Deviations from the seed's sketch, each deliberate:
///         - Values are `bytes32` everywhere (the sketch's `bytes value`/`bytes oldValue` are typos
///           against L1Keystore's `bytes32` map); the message is L1Keystore's `writeKey(address,
///           bytes32,bytes32)` / `updateKey(address,bytes32,bytes32,bytes32)` (IL1Keystore).
///         - Writers are the account or the address bound for this chain id in L1Keystore's
///           `bindings` (the sketch's non-EVM `canWrite`), on every chain, EVM or not: the keystore
///           chain's mempool accepts only transactions to its predeploys, so a wallet contract
///           cannot itself call in; its bound key (an EOA) does.
///         - Besides the caller, the pre-checks mirror L1Keystore so no message is sent that L1
///           would reject: the account must have opted in to this contract (its L2 update
///           address), SALT_KEY / WALLET_ID_KEY / L2_UPDATE_ADDRESS_KEY are not writable (the seed
///           protects only the salt), and `writeKey` takes no zero value.
///         - `updateAccess` is added: L1Keystore accepts it from the account's current L2 update
///           address (hand access on to another contract, or revoke it). `bindAddress` is not:
///           L1Keystore's bindAddress is last-writer-wins with no compare-and-swap, and
///           withdrawals finalize in any order, so an L2-originated binding could be overwritten
///           by an older one. Bindings change on L1.
///         - `loadKeys` (up to five keys in one L1SLOAD) and `loadKeyWithBlock` are additions.
///         - Events keep the seed's names (`WriteKey`, `UpdateKey`; `UpdateAccess` likewise) rather
///           than the past tense: they announce a message sent, not a change here. The change
///           happens on L1 when the message is relayed (L1Keystore's `KeyChanged`).
interface IKeystoreChainL2Keystore {
    // ----------------------------------------------------------------- errors
    /// @notice Not supported on L2s (seed 003): accounts are registered on L1.
    error L2KeystoreUnsupported();
    /// @notice The account's wallet id (zero if unregistered) has no implementation for `chainId`.
    error L2KeystoreImplementationNotRegistered(bytes32 walletId, uint256 chainId);
    /// @notice A constructor argument that must not be zero was zero.
    error L2KeystoreZeroAddress();
    /// @notice `caller` is neither `account` nor the address `account` bound for this chain.
    error L2KeystoreUnauthorized(address account, address caller);
    /// @notice The account's L2 update address at the L1 origin is `updateAddress`, not this
    ///         contract (zero: not opted in, or not registered): L1Keystore would reject the message.
    error L2KeystoreNotOptedIn(address account, address updateAddress);
    /// @notice SALT_KEY, WALLET_ID_KEY and L2_UPDATE_ADDRESS_KEY are not writable with writeKey/updateKey.
    error L2KeystoreReservedKey(bytes32 key);
    /// @notice writeKey with a zero value (L1Keystore rejects it; clear with updateKey).
    error L2KeystoreZeroValue(address account, bytes32 key);
    /// @notice writeKey on a key that holds `current` at the L1 origin.
    error L2KeystoreKeyNotEmpty(address account, bytes32 key, bytes32 current);
    /// @notice updateKey/updateAccess whose `expected` old value is not `current` at the L1 origin.
    error L2KeystoreValueMismatch(address account, bytes32 key, bytes32 expected, bytes32 current);

    // ----------------------------------------------------------------- events
    /// @notice A `writeKey(account, key, value)` message to L1Keystore was sent.
    event WriteKey(address indexed account, bytes32 indexed key, bytes32 value);
    /// @notice An `updateKey(account, key, oldValue, newValue)` message to L1Keystore was sent.
    event UpdateKey(address indexed account, bytes32 indexed key, bytes32 oldValue, bytes32 newValue);
    /// @notice An `updateAccess(account, oldUpdateContract, newUpdateContract)` message was sent.
    event UpdateAccess(address indexed account, address oldUpdateContract, address newUpdateContract);

    // ----------------------------------------------------------------- reads (IL2Keystore selectors)
    /// @notice Not supported on L2s (seed 003); always reverts L2KeystoreUnsupported.
    function registerAccount(bytes32, bytes32, bytes32[] calldata, bytes32[] calldata, bytes calldata, address)
        external
        returns (address);

    /// @notice `key` of `account` in L1Keystore at this block's L1 origin (zero if unset).
    function loadKey(address account, bytes32 key) external view returns (bytes32);

    /// @notice Like loadKey, and the L1 origin's block number (L1Block predeploy) it was read at.
    function loadKeyWithBlock(address account, bytes32 key) external view returns (bytes32 value, uint256 l1BlockNumber);

    /// @notice Up to five keys of `account` in one L1SLOAD (2000 gas per key instead of 4000).
    function loadKeys(address account, bytes32[] calldata keys) external view returns (bytes32[] memory values);

    /// @notice The implementation registered on L1 for the account's wallet id and this chain id.
    function getWalletImplementation(address account) external view returns (address);

    /// @notice The address `account` bound for `chainId` in L1Keystore (zero if none).
    function boundAddress(address account, uint64 chainId) external view returns (bytes32);

    /// @notice L1Keystore's storage slot of `accounts[account].keys[key]`.
    function keySlot(address account, bytes32 key) external pure returns (bytes32);

    /// @notice L1Keystore's storage slot of `accounts[account].bindings[chainId]`.
    function bindingSlot(address account, uint64 chainId) external pure returns (bytes32);

    /// @notice L1Keystore's storage slot of `walletRegistry[walletId].implementations[chainId]`.
    function walletImplementationSlot(bytes32 walletId, uint64 chainId) external pure returns (bytes32);

    // ----------------------------------------------------------------- writes (through the messenger)
    /// @notice Sends `L1Keystore.writeKey(account, key, value)` to L1. Caller: the account or its
    ///         address bound for this chain. Pre-checked at the L1 origin: opted in, key empty.
    function writeKey(address account, bytes32 key, bytes32 value) external;

    /// @notice Sends `L1Keystore.updateKey(account, key, oldValue, newValue)` to L1 (compare-and-swap
    ///         there). Caller as writeKey. Pre-checked at the L1 origin: opted in, key holds oldValue.
    function updateKey(address account, bytes32 key, bytes32 oldValue, bytes32 newValue) external;

    /// @notice Sends `L1Keystore.updateAccess(account, oldUpdateContract, newUpdateContract)` to L1:
    ///         hands the account's L2 write access to another contract, or revokes it (zero).
    ///         `oldUpdateContract` must be this contract (pre-checked at the L1 origin).
    function updateAccess(address account, address oldUpdateContract, address newUpdateContract) external;

    // ----------------------------------------------------------------- constants
    /// @notice L1Keystore's address on L1.
    function L1_KEYSTORE() external view returns (address);
    /// @notice The L2CrossDomainMessenger (predeploy 0x4200…0007 unless constructed otherwise).
    function MESSENGER() external view returns (address);
    /// @notice OP's L1Block predeploy (0x4200…0015), whose `number()` is the L1 origin.
    function L1_BLOCK() external view returns (address);
    /// @notice Minimum gas the L1 call of a writeKey message is relayed with.
    function WRITE_KEY_GAS_LIMIT() external view returns (uint32);
    /// @notice Minimum gas the L1 call of an updateKey message is relayed with.
    function UPDATE_KEY_GAS_LIMIT() external view returns (uint32);
    /// @notice Minimum gas the L1 call of an updateAccess message is relayed with.
    function UPDATE_ACCESS_GAS_LIMIT() external view returns (uint32);
}
