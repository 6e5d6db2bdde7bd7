// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {IAccountFactory} from "../interfaces/IAccountFactory.sol";
import {IKeystoreAccount} from "../interfaces/IKeystoreAccount.sol";
import {IKeystoreReader} from "../interfaces/IKeystoreReader.sol";
import {KeystoreLayout} from "../libraries/KeystoreLayout.sol";

/// @title AccountFactoryNonEvm
/// @notice Seed 003's "AccountFactoryNonEvm", for chains whose address derivation differs from
///         Ethereum's (so the wallet cannot have the L1 address there): deploys the registered
///         implementation with CREATE2 (`new ERC1967Proxy{salt: salt}`) and returns the local
///         address, which the user binds to `account` in L1Keystore (`bindAddress`). The wallet's
///         `initialize` gets abi.encode(account, initdata) so it knows its keystore identity; an
///         implementation for these chains decodes that (KeystoreAccount does not: it is the EVM
///         wallet). Same checks as AccountFactory: registered salt, INITDATA_HASH_KEY.
///         Extensions to the seed: `payable` (value goes to the wallet) and the event.
contract AccountFactoryNonEvm is IAccountFactory {
    /// @inheritdoc IAccountFactory
    address public immutable KEYSTORE;

    /// @param keystore This chain's keystore.
    constructor(address keystore) {
        if (keystore == address(0)) revert AccountFactoryZeroKeystore();
        KEYSTORE = keystore;
    }

    /// @inheritdoc IAccountFactory
    /// @dev Reverts (CREATE2 collision) if the wallet already exists.
    function createAccount(address account, bytes calldata initdata) external payable returns (address) {
        IKeystoreReader keystore = IKeystoreReader(KEYSTORE);
        bytes32 salt = keystore.loadKey(account, KeystoreLayout.SALT_KEY);
        if (salt == 0) revert AccountFactoryNotRegistered(account);
        bytes32 initdataHash = keystore.loadKey(account, KeystoreLayout.INITDATA_HASH_KEY);
        bytes32 actual = keccak256(initdata);
        if (actual != initdataHash) revert AccountFactoryInitdataMismatch(account, initdataHash, actual);
        address implementation = keystore.getWalletImplementation(account);
        address deployed = address(
            new ERC1967Proxy{salt: salt, value: msg.value}(
                implementation, abi.encodeCall(IKeystoreAccount.initialize, (abi.encode(account, initdata)))
            )
        );
        emit AccountCreated(account, deployed, implementation, salt);
        return deployed;
    }
}
