// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";
import {SIG_VALIDATION_FAILED, SIG_VALIDATION_SUCCESS} from "@account-abstraction/contracts/core/Helpers.sol";
import {IEntryPoint} from "@account-abstraction/contracts/interfaces/IEntryPoint.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {WebAuthn} from "@openzeppelin/contracts/utils/cryptography/WebAuthn.sol";

import {IKeystoreAccount} from "../interfaces/IKeystoreAccount.sol";
import {IKeystoreBlockReader} from "../interfaces/IKeystoreReader.sol";
import {IL1Keystore} from "../interfaces/IL1Keystore.sol";
import {IKeystoreChainL2Keystore} from "../interfaces/IKeystoreChainL2Keystore.sol";
import {KeystoreLayout} from "../libraries/KeystoreLayout.sol";

/// @title KeystoreAccount
/// @notice An ERC-4337 account (EntryPoint v0.8) with MultiOwnable semantics whose owner set lives
///         in the keystore (DESIGN §6, seeds 000 and 003). Deployed behind an ERC1967Proxy by the
///         AccountFactory at the same address on every chain; the implementation differs per chain
///         (wallet registry) and is built for that chain's keystore (`Flavour`).
///
///         Owners are `bytes`: 32 bytes = abi.encode(address), an ECDSA (secp256k1) owner;
///         64 bytes = x ‖ y of a P-256 public key, a passkey. Removing an owner leaves an empty
///         entry, so indices never move (a signature names its owner by index).
///
///         Owner-set commitment. The keystore holds ONE key for the set: OWNERS_KEY
///         (keccak256("keystore.wallet.owners")) = keccak256(abi.encode(bytes[] owners)).
///         Register the account with OWNERS_KEY = keccak256(initdata) among its initial keys
///         (initdata = abi.encode(bytes[] owners)); an account without it never has live owners.
///         Each instance keeps a local copy of the list and of the L1 block its commitment was
///         read at, so `validateUserOp` reads only the account's own storage (ERC-7562).
///         `syncOwners` (anyone) refreshes the copy from the keystore; `addOwner` /
///         `removeOwnerAtIndex` (the account itself) change the keystore by compare-and-swap.
///
///         Signatures. userOp.signature = abi.encode(uint256 ownerIndex, bytes ownerSignature),
///         with the offset word exactly 0x40 (the canonical encoding; anything else fails).
///         - ECDSA owner: ownerSignature = r ‖ s ‖ v (65 bytes) over the RAW userOpHash. In
///           EntryPoint v0.8 the userOpHash is already an EIP-712 digest (domain "ERC4337" v1,
///           chain id, EntryPoint), so it is domain-separated and wallets can show it with
///           eth_signTypedData_v4; an EIP-191 prefix would add nothing and hide the typed data.
///           OpenZeppelin's ECDSA rejects high-s (malleable) signatures.
///         - Passkey owner: ownerSignature = abi.encode(r, s, challengeIndex, typeIndex,
///           authenticatorData, clientDataJSON), the layout of OpenZeppelin's
///           `WebAuthn.tryDecodeAuth`; the challenge is abi.encodePacked(userOpHash) (32 bytes,
///           base64url in clientDataJSON). User verification (UV flag) is REQUIRED: the account
///           holds funds and platform passkeys always verify the user (biometric/PIN); a bare
///           touch of a security key without PIN is not accepted. P-256 runs through
///           OpenZeppelin's P256: the RIP-7212 precompile at 0x100 when present, its Solidity
///           verifier otherwise. No curve math here.
///         Anything malformed returns SIG_VALIDATION_FAILED; nothing on the signature path reverts
///         on signature bytes (fuzzed in KeystoreAccount.t.sol). The fuzzing found that OZ 5.7.0's
///         WebAuthn.verify runs out of gas on a huge `typeIndex`; indices are bounded before it.
///
/// @dev THREAT MODEL
///      Front-run deployment. The factory deploys only the registered implementation with init
///        data whose hash is the keystore's INITDATA_HASH_KEY, so a front-runner can only deploy
///        the wallet its user registered. `initialize` cross-checks OWNERS_KEY: when the keystore
///        already commits to another set (the owners were rotated before this chain got its
///        instance), the instance starts with NO owners until synced, so owners removed before
///        deployment never sign here.
///      Unauthorized owner change. `addOwner` / `removeOwnerAtIndex` run only as the account
///        itself (a validated user operation through `execute`). On L1 and the keystore chain the
///        keystore accepts writes to the account's keys only from the account (or its L2 update
///        address), and writes are compare-and-swap on the current commitment, so a change based
///        on a stale list fails instead of overwriting a newer one.
///      Replayed removal across chains. A user operation's hash covers the chain id and the
///        EntryPoint (EIP-712 domain), so it cannot be replayed on another chain; owners change
///        only where the keystore is writable and reach other chains by sync of the one canonical
///        commitment. `removeOwnerAtIndex` names the owner bytes, so even a replay on the same
///        chain could not remove a different owner at that index, and the CAS on the old
///        commitment makes a replayed change fail once the set has moved.
///      Removed owners after sync. A sync replaces the whole local list; a removed owner's entry
///        becomes empty and no longer validates. Until the sync lands on a chain, that chain
///        still accepts the removed owner (the window is the chain's keystore freshness plus the
///        time to call `syncOwners`, which anyone may do, e.g. the wallet's operator or a keeper).
///      Stale and forged sync. The list must hash to the keystore's current OWNERS_KEY
///        (KeystoreAccountForgedOwners) and the keystore's value must be from a strictly newer L1
///        block than the local copy (KeystoreAccountStaleSync; the same block means no change),
///        so nobody can roll an instance back to an older set or install a set of their choice.
///        The freshness is the keystore's: L2Keystore values are storage proofs against L1 state
///        roots in L1Blocks; KeystoreChainL2Keystore reads L1 at the block's L1 origin.
///      Reinitialization. The implementation's constructor disables initializers; a proxy is
///        initialized once, in its constructor (the factory passes `initialize` to ERC1967Proxy).
///      ERC-7562. `validateUserOp` reads only the account's storage. Two caveats for bundlers:
///        deployment (`initialize` and the factory) reads the keystore, whose slots are not the
///        sender's associated storage, so the factory must be staked; and on a chain WITHOUT the
///        P-256 precompile OpenZeppelin's P256 probes 0x100 (an address without code) before the
///        Solidity fallback, which strict ERC-7562 bundlers may reject for passkey operations.
///      Not in this slice: upgrades (no UUPS; the implementation is fixed per deployment),
///        ERC-1271 (needs replay-safe hashing across accounts, ERC-7739), owner-count limits.
/// @custom:storage-location erc7201:keystore.wallet.KeystoreAccount
contract KeystoreAccount is BaseAccount, Initializable, IKeystoreAccount {
    /// @custom:storage-location erc7201:keystore.wallet.KeystoreAccount
    struct AccountStorage {
        // the local copy of the owner list (empty entries are removed owners)
        bytes[] owners;
        // keccak256(abi.encode(owners)), the commitment the copy matches
        bytes32 ownersHash;
        // the L1 block the commitment was read at (0: never read with a block)
        uint256 ownersL1Block;
    }

    /// @notice The keystore key holding keccak256(abi.encode(bytes[] owners)).
    bytes32 public constant OWNERS_KEY = KeystoreLayout.OWNERS_KEY;
    /// @notice Passkey signatures must carry the WebAuthn "user verified" flag.
    bool public constant REQUIRE_USER_VERIFICATION = true;

    /// @dev keccak256(abi.encode(uint256(keccak256("keystore.wallet.KeystoreAccount")) - 1)) & ~0xff
    bytes32 private constant _STORAGE_SLOT = 0x2eebbc583547c3c71e4ff9825c1a93297693f8ef5d6da91d49ca7023b976b000;

    IEntryPoint private immutable _ENTRY_POINT;
    /// @notice This chain's keystore (L1Keystore, KeystoreChainL2Keystore or L2Keystore).
    address public immutable KEYSTORE;
    /// @notice What this implementation does with owners on this chain.
    Flavour public immutable FLAVOUR;

    /// @param entryPoint_ The canonical EntryPoint v0.8 of this chain.
    /// @param keystore    This chain's keystore (see `Flavour`).
    /// @param flavour     L1, KeystoreChain or SyncOnly.
    constructor(IEntryPoint entryPoint_, address keystore, Flavour flavour) {
        if (address(entryPoint_) == address(0) || keystore == address(0)) revert KeystoreAccountZeroAddress();
        _ENTRY_POINT = entryPoint_;
        KEYSTORE = keystore;
        FLAVOUR = flavour;
        _disableInitializers();
    }

    /// @notice Accepts ETH (to pay for user operations and hold funds).
    receive() external payable {}

    // ================================================================ initialization and sync

    /// @inheritdoc IKeystoreAccount
    /// @dev Payable because ERC1967Proxy forwards the deployment's value with the init call.
    ///      The owners go live only if the keystore's OWNERS_KEY commits to exactly them.
    function initialize(bytes calldata initdata) external payable initializer {
        bytes[] memory initialOwners = abi.decode(initdata, (bytes[]));
        bytes32 ownersHash = keccak256(abi.encode(initialOwners));
        (bytes32 committed, uint256 l1Block) = _readCommitment();
        bool live = committed == ownersHash;
        AccountStorage storage $ = _storage();
        if (live) {
            for (uint256 i; i < initialOwners.length; ++i) {
                $.owners.push(initialOwners[i]);
            }
            $.ownersHash = ownersHash;
            $.ownersL1Block = l1Block;
        }
        // Not live: no owners and block 0, so the very commitment seen here can be synced at once
        // (the keystore never serves an older value than it did here, so nothing older can be).
        emit OwnersInitialized(ownersHash, live ? l1Block : 0, live);
    }

    /// @inheritdoc IKeystoreAccount
    /// @dev Permissionless: the keystore is the authority. Reverts with KeystoreAccountForgedOwners
    ///      if `owners_` does not hash to OWNERS_KEY, KeystoreAccountStaleSync if the keystore's
    ///      value is not from a newer L1 block than the local copy.
    function syncOwners(bytes[] calldata owners_) external {
        (bytes32 committed, uint256 l1Block) = _readCommitment();
        bytes32 ownersHash = keccak256(abi.encode(owners_));
        if (ownersHash != committed) revert KeystoreAccountForgedOwners(committed, ownersHash);
        AccountStorage storage $ = _storage();
        uint256 current = $.ownersL1Block;
        if (l1Block <= current) revert KeystoreAccountStaleSync(l1Block, current);
        _replaceOwners($.owners, owners_);
        $.ownersHash = ownersHash;
        $.ownersL1Block = l1Block;
        emit OwnersSynced(ownersHash, l1Block, owners_.length);
    }

    // ================================================================ owner management

    /// @inheritdoc IKeystoreAccount
    /// @dev `owner` must be abi.encode(address != 0) or a P-256 point on the curve, not yet an
    ///      owner. L1: writes the keystore and the local copy. Keystore chain: sends the update to
    ///      L1 (the account must have opted in: its L2_UPDATE_ADDRESS_KEY on L1 is the keystore
    ///      chain's L2Keystore, else L2KeystoreNotOptedIn); the local copy follows by sync once
    ///      L1 has it; chain a second change only after the first is final on L1 (its CAS expects
    ///      the synced commitment). Elsewhere: KeystoreAccountOwnersReadOnly.
    function addOwner(bytes calldata owner) external {
        _requireSelf();
        if (!_isValidOwner(owner)) revert KeystoreAccountInvalidOwner(owner);
        AccountStorage storage $ = _storage();
        bytes[] memory current = $.owners;
        bytes32 ownerHash = keccak256(owner);
        for (uint256 i; i < current.length; ++i) {
            if (keccak256(current[i]) == ownerHash) revert KeystoreAccountAlreadyOwner(owner);
        }
        bytes[] memory next = new bytes[](current.length + 1);
        for (uint256 i; i < current.length; ++i) {
            next[i] = current[i];
        }
        next[current.length] = owner;
        bytes32 nextHash = keccak256(abi.encode(next));
        if (_commit($.ownersHash, nextHash)) {
            $.owners.push(owner);
            emit OwnerAdded(current.length, owner, nextHash);
        }
    }

    /// @inheritdoc IKeystoreAccount
    /// @dev The entry at `index` becomes empty (indices are stable). Same chain rules as addOwner.
    function removeOwnerAtIndex(uint256 index, bytes calldata owner) external {
        _requireSelf();
        AccountStorage storage $ = _storage();
        bytes[] memory current = $.owners;
        if (index >= current.length) revert KeystoreAccountIndexOutOfRange(index, current.length);
        if (owner.length == 0 || keccak256(current[index]) != keccak256(owner)) {
            revert KeystoreAccountOwnerMismatch(index, owner, current[index]);
        }
        uint256 remaining;
        for (uint256 i; i < current.length; ++i) {
            if (current[i].length != 0) ++remaining;
        }
        if (remaining == 1) revert KeystoreAccountLastOwner();
        current[index] = "";
        bytes32 nextHash = keccak256(abi.encode(current));
        if (_commit($.ownersHash, nextHash)) {
            delete $.owners[index];
            emit OwnerRemoved(index, owner, nextHash);
        }
    }

    // ================================================================ views

    /// @inheritdoc IKeystoreAccount
    function owners() external view returns (bytes[] memory) {
        return _storage().owners;
    }

    /// @inheritdoc IKeystoreAccount
    function ownersCommitment() external view returns (bytes32 ownersHash, uint256 l1Block) {
        AccountStorage storage $ = _storage();
        return ($.ownersHash, $.ownersL1Block);
    }

    /// @notice The EntryPoint this account trusts.
    function entryPoint() public view override returns (IEntryPoint) {
        return _ENTRY_POINT;
    }

    /// @notice Whether `signature` (abi.encode(ownerIndex, ownerSignature)) is a current owner's
    ///         signature of `hash`. Never reverts on malformed signature bytes.
    function isValidOwnerSignature(bytes32 hash, bytes calldata signature) external view returns (bool) {
        return _isValidOwnerSignature(hash, signature);
    }

    // ================================================================ ERC-4337

    /// @dev SIG_VALIDATION_FAILED for anything but a current owner's valid signature.
    function _validateSignature(PackedUserOperation calldata userOp, bytes32 userOpHash)
        internal
        view
        override
        returns (uint256)
    {
        return _isValidOwnerSignature(userOpHash, userOp.signature) ? SIG_VALIDATION_SUCCESS : SIG_VALIDATION_FAILED;
    }

    /// @dev execute / executeBatch: the EntryPoint or the account itself.
    function _requireForExecute() internal view override {
        if (msg.sender != address(_ENTRY_POINT) && msg.sender != address(this)) {
            revert KeystoreAccountUnauthorized(msg.sender);
        }
    }

    // ================================================================ internals

    function _isValidOwnerSignature(bytes32 hash, bytes calldata signature) internal view returns (bool) {
        (bool decoded, uint256 index, bytes calldata ownerSignature) = _decodeSignature(signature);
        if (!decoded) return false;
        bytes[] storage list = _storage().owners;
        if (index >= list.length) return false;
        bytes memory owner = list[index];
        if (owner.length == 32) {
            uint256 word = uint256(bytes32(owner));
            if (word == 0 || word >> 160 != 0) return false;
            (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(hash, ownerSignature);
            return err == ECDSA.RecoverError.NoError && recovered == address(uint160(word));
        }
        if (owner.length == 64) {
            (bool ok, WebAuthn.WebAuthnAuth calldata auth) = WebAuthn.tryDecodeAuth(ownerSignature);
            if (!ok) return false;
            // OZ 5.7.0's `_validateExpectedTypeHash` evaluates mload(clientDataJSON + typeIndex)
            // before (not after) its length check (Yul `and` does not short-circuit): a huge
            // typeIndex expands memory until the call runs out of gas. Indices must lie inside
            // clientDataJSON, which bounds that read (a valid assertion always satisfies this).
            uint256 jsonLength = bytes(auth.clientDataJSON).length;
            if (auth.typeIndex >= jsonLength || auth.challengeIndex >= jsonLength) return false;
            (bytes32 x, bytes32 y) = abi.decode(owner, (bytes32, bytes32));
            return WebAuthn.verify(abi.encodePacked(hash), auth, x, y, REQUIRE_USER_VERIFICATION);
        }
        return false;
    }

    /// @dev Strict calldata decoding of abi.encode(uint256 index, bytes ownerSignature): at least
    ///      three words, offset word exactly 0x40, length within the input. Never reverts.
    function _decodeSignature(bytes calldata signature)
        private
        pure
        returns (bool ok, uint256 index, bytes calldata ownerSignature)
    {
        ownerSignature = signature[0:0];
        if (signature.length < 0x60) return (false, 0, ownerSignature);
        if (uint256(bytes32(signature[0x20:0x40])) != 0x40) return (false, 0, ownerSignature);
        uint256 length = uint256(bytes32(signature[0x40:0x60]));
        if (length > signature.length - 0x60) return (false, 0, ownerSignature);
        index = uint256(bytes32(signature[0:0x20]));
        ownerSignature = signature[0x60:0x60 + length];
        ok = true;
    }

    /// @dev Writes OWNERS_KEY old → new in this chain's keystore. Returns true when the change
    ///      also applies locally now (L1), false when it was only sent (keystore chain).
    function _commit(bytes32 oldHash, bytes32 newHash) private returns (bool appliedLocally) {
        if (FLAVOUR == Flavour.L1) {
            IL1Keystore(KEYSTORE).updateKey(address(this), OWNERS_KEY, oldHash, newHash);
            AccountStorage storage $ = _storage();
            $.ownersHash = newHash;
            $.ownersL1Block = block.number;
            return true;
        }
        if (FLAVOUR == Flavour.KeystoreChain) {
            IKeystoreChainL2Keystore(KEYSTORE).updateKey(address(this), OWNERS_KEY, oldHash, newHash);
            emit OwnersUpdateSent(oldHash, newHash);
            return false;
        }
        revert KeystoreAccountOwnersReadOnly(block.chainid);
    }

    /// @dev OWNERS_KEY and the L1 block it is from. On L1 the value is current at block.number.
    function _readCommitment() private view returns (bytes32 value, uint256 l1Block) {
        if (FLAVOUR == Flavour.L1) {
            return (IL1Keystore(KEYSTORE).loadKey(address(this), OWNERS_KEY), block.number);
        }
        return IKeystoreBlockReader(KEYSTORE).loadKeyWithBlock(address(this), OWNERS_KEY);
    }

    /// @dev `list` := `next`, element by element (rewriting an unchanged entry costs a warm SSTORE).
    function _replaceOwners(bytes[] storage list, bytes[] calldata next) private {
        uint256 oldLength = list.length;
        for (uint256 i; i < next.length; ++i) {
            if (i < oldLength) list[i] = next[i];
            else list.push(next[i]);
        }
        for (uint256 i = next.length; i < oldLength; ++i) {
            list.pop();
        }
    }

    function _isValidOwner(bytes calldata owner) private pure returns (bool) {
        if (owner.length == 32) {
            uint256 word = uint256(bytes32(owner));
            return word != 0 && word >> 160 == 0;
        }
        if (owner.length == 64) {
            return P256.isValidPublicKey(bytes32(owner[0:32]), bytes32(owner[32:64]));
        }
        return false;
    }

    function _requireSelf() private view {
        if (msg.sender != address(this)) revert KeystoreAccountUnauthorized(msg.sender);
    }

    function _storage() private pure returns (AccountStorage storage $) {
        assembly ("memory-safe") {
            // the ERC-7201 slot of this contract's storage struct (constant above)
            $.slot := _STORAGE_SLOT
        }
    }
}
