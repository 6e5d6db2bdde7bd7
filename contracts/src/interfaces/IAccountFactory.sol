// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IAccountFactory
/// @notice The account factory of seed 003 ("AccountFactoryEvm" / "AccountFactoryNonEvm"):
///         deploys the wallet registered in the keystore for `account`, with the init data the
///         keystore committed to, so the submitter of the deployment chooses nothing.
interface IAccountFactory {
    /// @notice `account` has no salt in this chain's keystore (not registered, or not synced yet).
    error AccountFactoryNotRegistered(address account);
    /// @notice The salt stored for `account` yields `expected` with this factory, not `account`.
    error AccountFactoryAddressMismatch(address account, address expected);
    /// @notice keccak256(initdata) is `actual`, the keystore's INITDATA_HASH_KEY is `expected`.
    error AccountFactoryInitdataMismatch(address account, bytes32 expected, bytes32 actual);
    /// @notice The keystore address given to the constructor is zero.
    error AccountFactoryZeroKeystore();
    /// @notice `account` exists and refused the `value` sent along (the factory keeps no funds).
    error AccountFactoryValueNotForwarded(address account, uint256 value);

    /// @notice A wallet was deployed at `account` (or, non-EVM, for `account` at `deployed`).
    event AccountCreated(address indexed account, address indexed deployed, address implementation, bytes32 salt);

    /// @notice Deploys the wallet of `account` with `initdata` (seed 003's `createAccount`).
    function createAccount(address account, bytes calldata initdata) external payable returns (address);

    /// @notice The keystore this factory reads (differs per chain).
    function KEYSTORE() external view returns (address);
}
