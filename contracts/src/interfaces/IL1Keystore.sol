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
    function registerWallet(bytes32 walletId, address owner) external;
    function setWalletImplementation(bytes32 walletId, uint64 chainId, address implementation) external;
    function transferWalletOwnership(bytes32 walletId, address newOwner) external;
    function walletOwner(bytes32 walletId) external view returns (address);
    function walletImplementation(bytes32 walletId, uint64 chainId) external view returns (address);
    function boundAddress(address account, uint64 chainId) external view returns (bytes32);

    // ----------------------------------------------------------------- constants
    function SALT_KEY() external view returns (bytes32);
    function WALLET_ID_KEY() external view returns (bytes32);
    function INITDATA_HASH_KEY() external view returns (bytes32);
    function L2_UPDATE_ADDRESS_KEY() external view returns (bytes32);
    function ACCOUNT_FACTORY() external view returns (address);
    function MESSENGER() external view returns (address);
    function computeAccountAddress(bytes32 salt) external view returns (address);
}
