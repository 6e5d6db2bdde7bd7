// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IL1Keystore
/// @notice The source of truth for every smart wallet's keys (seed 003, "L1Keystore contract").
///         Each account has a `bytes32 => bytes32` key map with four reserved keys, a binding
///         map for non-EVM chains, and a wallet registry maps wallet ids to implementations.
///
///         Deviations from the seed's pseudo-code, each deliberate:
///         - `updateKey` takes `bytes32` key/values (the seed's L1 sketch says `uint256`, its L2
///           sketch `bytes32`): one type everywhere so the message the keystore chain's
///           L2Keystore encodes has the selector this contract implements.
///         - Writes from the keystore chain arrive through the L1 cross-domain messenger, so the
///           `canWrite` check is `msg.sender == MESSENGER && xDomainMessageSender() == <the
///           account's L2 update address>` rather than a direct `msg.sender` comparison.
///         - Salt and wallet id are immutable (the seed protects only the salt); the L2 update
///           address changes only through `updateAccess`.
///         - Registration front-running: a salt whose first 20 bytes are non-zero is bound to
///           that address (only it may register the salt); a salt with a zero prefix is
///           first-come-first-served as in the seed.
///         - The wallet registry gets the functions the seed implies but does not spell out
///           (`registerWallet`, `setWalletImplementation`, `transferWalletOwnership`).
interface IL1Keystore {
    // ----------------------------------------------------------------- errors
    error KeystoreUnauthorized(address account, address caller);
    error KeystoreInvalidSalt(bytes32 salt);
    error KeystoreSaltBoundToOther(bytes32 salt, address caller);
    error KeystoreLengthMismatch(uint256 keys, uint256 values);
    error KeystoreWalletNotRegistered(bytes32 walletId);
    error KeystoreWalletAlreadyRegistered(bytes32 walletId);
    error KeystoreNotWalletOwner(bytes32 walletId, address caller);
    error KeystoreAccountExists(address account);
    error KeystoreAccountNotRegistered(address account);
    error KeystoreKeyNotEmpty(address account, bytes32 key, bytes32 current);
    error KeystoreValueMismatch(address account, bytes32 key, bytes32 expected, bytes32 current);
    error KeystoreReservedKey(bytes32 key);
    error KeystoreImplementationNotRegistered(bytes32 walletId, uint256 chainId);
    error KeystoreZeroAddress();
    /// @notice `writeKey` with a zero value, or a zero initial value at registration: writing zero
    ///         is a no-op (clear a key with `updateKey(account, key, current, 0)` instead).
    error KeystoreZeroValue(address account, bytes32 key);
    /// @notice Wallet id zero is reserved for "no wallet" (an unregistered account reads it).
    error KeystoreInvalidWalletId(bytes32 walletId);
    /// @notice A wallet id whose first 20 bytes are non-zero may only be registered by that address.
    error KeystoreWalletIdBoundToOther(bytes32 walletId, address caller);

    // ----------------------------------------------------------------- events
    event AccountRegistered(
        address indexed account, bytes32 indexed salt, bytes32 indexed walletId, bytes32 initdataHash, address l2Rollup
    );
    /// @notice Emitted for every change of a key, including registration's initial keys.
    event KeyChanged(address indexed account, bytes32 indexed key, bytes32 oldValue, bytes32 newValue);
    event AccessUpdated(address indexed account, address oldUpdateContract, address newUpdateContract);
    event AddressBound(address indexed account, uint64 indexed chainId, bytes32 boundAddress);
    event WalletRegistered(bytes32 indexed walletId, address indexed owner);
    event WalletOwnershipTransferred(bytes32 indexed walletId, address indexed previousOwner, address indexed newOwner);
    event WalletImplementationSet(bytes32 indexed walletId, uint64 indexed chainId, address implementation);

    // ----------------------------------------------------------------- accounts (seed 003)
    /// @notice Registers an account; its address is CREATE3(salt, ACCOUNT_FACTORY).
    function registerAccount(
        bytes32 salt,
        bytes32 walletId,
        bytes32[] calldata initKeys,
        bytes32[] calldata initValues,
        bytes calldata initdata,
        address l2Rollup
    ) external returns (address account);

    /// @notice Reads one key of an account. Unset keys read as zero.
    function loadKey(address account, bytes32 key) external view returns (bytes32);

    /// @notice Writes a key whose current value is zero.
    function writeKey(address account, bytes32 key, bytes32 value) external;

    /// @notice Compare-and-swap: sets `key` to `newValue` if it currently holds `oldValue`.
    ///         `newValue == 0` clears the key.
    function updateKey(address account, bytes32 key, bytes32 oldValue, bytes32 newValue) external;

    /// @notice Moves (or revokes, with zero) the L2 contract allowed to write this account.
    function updateAccess(address account, address oldUpdateContract, address newUpdateContract) external;

    /// @notice Binds the account's address on a non-EVM chain.
    function bindAddress(address account, uint64 chainId, bytes32 boundAddress) external;

    /// @notice The implementation registered for the account's wallet id on this chain.
    function getWalletImplementation(address account) external view returns (address);

    // ----------------------------------------------------------------- wallet registry
    /// @notice Registers a non-zero wallet id with its (non-zero) owner. A wallet id whose first
    ///         20 bytes are non-zero may only be registered by that address.
    function registerWallet(bytes32 walletId, address owner) external;
    /// @notice Sets (or clears, with zero) the wallet's implementation on `chainId`. Owner only.
    function setWalletImplementation(bytes32 walletId, uint64 chainId, address implementation) external;
    /// @notice Hands the wallet id to a new non-zero owner. Owner only.
    function transferWalletOwnership(bytes32 walletId, address newOwner) external;
    /// @notice The wallet id's owner, zero if not registered.
    function walletOwner(bytes32 walletId) external view returns (address);
    /// @notice The wallet id's implementation on `chainId`, zero if none.
    function walletImplementation(bytes32 walletId, uint64 chainId) external view returns (address);
    /// @notice The account's bound address on (non-EVM) chain `chainId`, zero if none.
    function boundAddress(address account, uint64 chainId) external view returns (bytes32);

    // ----------------------------------------------------------------- constants
    /// @notice Reserved key holding the account's CREATE3 salt (immutable).
    function SALT_KEY() external view returns (bytes32);
    /// @notice Reserved key holding the account's wallet id (immutable).
    function WALLET_ID_KEY() external view returns (bytes32);
    /// @notice Reserved key holding keccak256 of the wallet's init data.
    function INITDATA_HASH_KEY() external view returns (bytes32);
    /// @notice Reserved key holding the L2 address (left-padded) allowed to write through the messenger.
    function L2_UPDATE_ADDRESS_KEY() external view returns (bytes32);
    /// @notice The universal AccountFactory that deploys wallets with CREATE3.
    function ACCOUNT_FACTORY() external view returns (address);
    /// @notice The L1CrossDomainMessenger of the keystore chain; zero accepts no L2 writer.
    function MESSENGER() external view returns (address);
    /// @notice The CREATE3 address ACCOUNT_FACTORY deploys for `salt` (see Create3.sol).
    function computeAccountAddress(bytes32 salt) external view returns (address);
}
