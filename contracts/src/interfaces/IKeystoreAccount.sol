// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IKeystoreAccount
/// @notice An ERC-4337 account whose owner set is committed to in the keystore (KeystoreAccount).
interface IKeystoreAccount {
    /// @notice Which keystore the implementation talks to, and so what it may do with owners.
    enum Flavour {
        // L1: L1Keystore; reads at block.number, owner changes write L1 and apply at once.
        L1,
        // The keystore chain: KeystoreChainL2Keystore; reads via L1SLOAD, owner changes are sent
        // to L1 and reach the local copy through `syncOwners` once L1 has them.
        KeystoreChain,
        // Any other L2: L2Keystore (proof-synced cache); read only, owners change by sync alone.
        SyncOnly
    }

    /// @notice The caller is neither the EntryPoint nor the account itself (or, for owner
    ///         management, not the account itself).
    error KeystoreAccountUnauthorized(address caller);
    /// @notice A constructor address is zero.
    error KeystoreAccountZeroAddress();
    /// @notice The owner list hashes to `actual`; the keystore's OWNERS_KEY holds `expected`.
    error KeystoreAccountForgedOwners(bytes32 expected, bytes32 actual);
    /// @notice The keystore value is from L1 block `l1Block`, not newer than the local copy's.
    error KeystoreAccountStaleSync(uint256 l1Block, uint256 currentL1Block);
    /// @notice `index` is not below the owner count `length`.
    error KeystoreAccountIndexOutOfRange(uint256 index, uint256 length);
    /// @notice The owner at `index` is `actual`, not the `expected` one the caller named.
    error KeystoreAccountOwnerMismatch(uint256 index, bytes expected, bytes actual);
    /// @notice Not 32 bytes of abi.encode(address != 0) nor 64 bytes of a P-256 point on the curve.
    error KeystoreAccountInvalidOwner(bytes owner);
    /// @notice `owner` is an owner already.
    error KeystoreAccountAlreadyOwner(bytes owner);
    /// @notice Removing the last owner would lock the account.
    error KeystoreAccountLastOwner();
    /// @notice Owners cannot be changed on this chain (`Flavour.SyncOnly`): change them on L1 or
    ///         the keystore chain, then sync.
    error KeystoreAccountOwnersReadOnly(uint256 chainId);

    /// @notice The owners were set at initialization; `live` is false when the keystore already
    ///         commits to another set (the instance then has no owners until `syncOwners`).
    event OwnersInitialized(bytes32 indexed ownersHash, uint256 l1Block, bool live);
    /// @notice The local copy now is the set committed to by `ownersHash` at L1 block `l1Block`.
    event OwnersSynced(bytes32 indexed ownersHash, uint256 l1Block, uint256 count);
    /// @notice `owner` was added at `index` (L1: keystore and local copy both updated).
    event OwnerAdded(uint256 indexed index, bytes owner, bytes32 ownersHash);
    /// @notice `owner` was removed from `index` (L1: keystore and local copy both updated).
    event OwnerRemoved(uint256 indexed index, bytes owner, bytes32 ownersHash);
    /// @notice The keystore chain sent OWNERS_KEY `oldHash` → `newHash` to L1 (sync follows).
    event OwnersUpdateSent(bytes32 indexed oldHash, bytes32 indexed newHash);

    /// @notice Sets the initial owners: `initdata` = abi.encode(bytes[] owners).
    function initialize(bytes calldata initdata) external payable;

    /// @notice Replaces the local owner copy with `owners` if the keystore commits to them.
    function syncOwners(bytes[] calldata owners) external;

    /// @notice Adds `owner` (account only; L1 and the keystore chain).
    function addOwner(bytes calldata owner) external;

    /// @notice Removes the owner at `index`, which must be `owner` (account only).
    function removeOwnerAtIndex(uint256 index, bytes calldata owner) external;

    /// @notice The local owner list (removed owners leave an empty entry: indices are stable).
    function owners() external view returns (bytes[] memory);

    /// @notice keccak256(abi.encode(owners())) and the L1 block the local copy is from.
    function ownersCommitment() external view returns (bytes32 ownersHash, uint256 l1Block);
}
