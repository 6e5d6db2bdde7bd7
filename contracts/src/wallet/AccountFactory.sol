// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {IAccountFactory} from "../interfaces/IAccountFactory.sol";
import {IKeystoreAccount} from "../interfaces/IKeystoreAccount.sol";
import {IKeystoreReader} from "../interfaces/IKeystoreReader.sol";
import {Create3} from "../libraries/Create3.sol";
import {KeystoreLayout} from "../libraries/KeystoreLayout.sol";

/// @title AccountFactory
/// @notice Seed 003's "AccountFactoryEvm": deploys a user's wallet at the address L1Keystore
///         computed at registration (`computeAccountAddress(salt)` = CREATE3 of this factory with
///         the salt), on every EVM chain. `createAccount(account, initdata)` is the seed's
///         interface; it is also an ERC-4337 factory (initCode = factory ‖ createAccount calldata).
///
///         Same address everywhere. The wallet address depends only on (factory, salt) (CREATE3),
///         so the factory must have the same address on every chain, while the keystore it reads
///         differs (L1Keystore on L1, L2Keystore on other L2s, KeystoreChainL2Keystore predeploy
///         0x4b00…0002 on the keystore chain). The keystore is a constructor argument, so plain
///         CREATE2 would give a different factory address per chain. The factory is therefore
///         itself deployed with CREATE3 through KeystoreDeployer (same address on every chain via
///         the deterministic-deployment proxy; salts namespaced by the caller): its address is
///         `KeystoreDeployer.addressOf(operator, FACTORY_SALT)` whatever the constructor argument.
///         On L1 that address is computed first and passed to L1Keystore's constructor, then the
///         factory is deployed with the L1Keystore's address (see KeystoreDeployer).
///
///         Extensions to the seed (marked where they are): `payable` and the address it returns
///         (ERC-4337 factories must return the sender); an early return when the wallet exists
///         (ERC-4337 initCode may race a direct deployment: idempotent); the address check
///         against the salt before anything else; the event.
///
/// @dev THREAT MODEL
///      Front-running. Everything that decides what lands at `account` comes from the keystore:
///        the salt (the address), the implementation (wallet registry, per chain) and the init
///        data (must hash to INITDATA_HASH_KEY). A front-runner can only deploy the same wallet
///        with the same owners earlier, which is what the user wanted; the loser's call returns
///        the existing address (or, from ERC-4337, is skipped: the EntryPoint sees the code).
///      Chain trust. Whoever deploys the factory on a chain chooses which keystore it reads
///        there; the namespaced deployer salt means only the operator's address can occupy the
///        factory address, so a stranger cannot squat it with a fake keystore on a new chain.
///        Users trust that operator for chains their wallet is not deployed on yet, as they trust
///        the wallet registry's owner for the implementation.
///      Value. `msg.value` goes to the wallet (in its deployment, or by transfer if it exists).
contract AccountFactory is IAccountFactory {
    /// @inheritdoc IAccountFactory
    address public immutable KEYSTORE;

    /// @param keystore This chain's keystore (anything with IKeystoreReader's reads).
    constructor(address keystore) {
        if (keystore == address(0)) revert AccountFactoryZeroKeystore();
        KEYSTORE = keystore;
    }

    /// @inheritdoc IAccountFactory
    /// @dev Seed 003 createAccount, with the extensions listed in the contract NatSpec.
    function createAccount(address account, bytes calldata initdata) external payable returns (address) {
        IKeystoreReader keystore = IKeystoreReader(KEYSTORE);
        bytes32 salt = keystore.loadKey(account, KeystoreLayout.SALT_KEY);
        if (salt == 0) revert AccountFactoryNotRegistered(account);
        // extension: the stored salt must yield `account` with this factory (it does whenever the
        // keystore's ACCOUNT_FACTORY is this address, as deployed)
        address expected = Create3.addressOf(address(this), salt);
        if (expected != account) revert AccountFactoryAddressMismatch(account, expected);
        // extension: idempotent (only this factory can have put code at `account`)
        if (account.code.length != 0) {
            if (msg.value != 0) {
                // The factory has no way to pay value out later: refuse rather than keep it.
                (bool sent,) = account.call{value: msg.value}("");
                if (!sent) revert AccountFactoryValueNotForwarded(account, msg.value);
            }
            return account;
        }
        bytes32 initdataHash = keystore.loadKey(account, KeystoreLayout.INITDATA_HASH_KEY);
        bytes32 actual = keccak256(initdata);
        if (actual != initdataHash) revert AccountFactoryInitdataMismatch(account, initdataHash, actual);
        address implementation = keystore.getWalletImplementation(account);
        bytes memory creationCode = abi.encodePacked(
            type(ERC1967Proxy).creationCode,
            abi.encode(implementation, abi.encodeCall(IKeystoreAccount.initialize, (initdata)))
        );
        // Create3.deploy checks that code landed at addressOf(this, salt) == account
        address deployed = Create3.deploy(salt, creationCode, msg.value);
        emit AccountCreated(account, deployed, implementation, salt);
        return deployed;
    }
}
