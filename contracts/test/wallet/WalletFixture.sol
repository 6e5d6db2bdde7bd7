// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEntryPoint} from "@account-abstraction/contracts/interfaces/IEntryPoint.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";

import {Test} from "../lib/Test.sol";
import {L1Keystore} from "../../src/L1/L1Keystore.sol";
import {AccountFactory} from "../../src/wallet/AccountFactory.sol";
import {KeystoreAccount} from "../../src/wallet/KeystoreAccount.sol";
import {KeystoreDeployer} from "../../src/wallet/KeystoreDeployer.sol";
import {IKeystoreAccount} from "../../src/interfaces/IKeystoreAccount.sol";
import {KeystoreLayout} from "../../src/libraries/KeystoreLayout.sol";

/// @notice The L1 wallet stack for tests: the released EntryPoint v0.8 bytecode (the artifacts
///         shipped in the account-abstraction npm package), KeystoreDeployer, L1Keystore and the
///         AccountFactory at the deployer-computed address, a KeystoreAccount L1 implementation
///         in the wallet registry, and one registered (not yet deployed) account with two owners:
///         index 0 an ECDSA key, index 1 a passkey (P-256, signed with forge's signP256).
abstract contract WalletFixture is Test {
    uint256 internal constant P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551;
    bytes32 internal constant FACTORY_SALT = keccak256("keystore.accountFactory");
    bytes32 internal constant WALLET_ID = bytes32(uint256(0x77a11e7));
    bytes32 internal constant SALT = bytes32(uint256(0x5a17));
    bytes32 internal constant OWNERS_KEY = KeystoreLayout.OWNERS_KEY;

    uint256 internal constant ECDSA_PK = 0xA11CE;
    uint256 internal constant PASSKEY_PK = 0xB0B;
    uint256 internal constant OTHER_PK = 0xC0FFEE;
    address internal constant OPERATOR = address(0x0FE2A7012);

    IEntryPoint internal entryPoint;
    KeystoreDeployer internal deployer;
    L1Keystore internal l1ks;
    AccountFactory internal factory;
    KeystoreAccount internal implementation;
    address internal account;
    bytes[] internal initialOwners;
    bytes internal initdata;
    /// @dev State right after the deployer exists, before L1Keystore and the factory.
    uint256 internal beforeFactory;

    function setUp() public virtual {
        entryPoint = IEntryPoint(_deployEntryPoint());
        deployer = new KeystoreDeployer();
        beforeFactory = vm.snapshotState();
        address factoryAddress = deployer.addressOf(OPERATOR, FACTORY_SALT);
        l1ks = new L1Keystore(factoryAddress, address(0));
        vm.prank(OPERATOR);
        factory = AccountFactory(
            deployer.deploy(FACTORY_SALT, abi.encodePacked(type(AccountFactory).creationCode, abi.encode(l1ks)))
        );
        implementation = new KeystoreAccount(entryPoint, address(l1ks), IKeystoreAccount.Flavour.L1);
        l1ks.registerWallet(WALLET_ID, address(this));
        l1ks.setWalletImplementation(WALLET_ID, uint64(block.chainid), address(implementation));

        initialOwners.push(abi.encode(vm.addr(ECDSA_PK)));
        initialOwners.push(_passkeyOwner(PASSKEY_PK));
        initdata = abi.encode(initialOwners);
        account = _register(SALT, initdata);
    }

    // ------------------------------------------------------------------ setup helpers

    function _deployEntryPoint() internal returns (address ep) {
        string memory json = vm.readFile("../node_modules/@account-abstraction/contracts/artifacts/EntryPoint.json");
        bytes memory code = vm.parseJsonBytes(json, ".bytecode");
        assembly ("memory-safe") {
            ep := create(0, add(code, 0x20), mload(code))
        }
        require(ep != address(0), "EntryPoint deployment failed");
    }

    function _register(bytes32 salt, bytes memory initdata_) internal returns (address) {
        bytes32[] memory keys = new bytes32[](1);
        bytes32[] memory values = new bytes32[](1);
        keys[0] = OWNERS_KEY;
        values[0] = keccak256(initdata_);
        return l1ks.registerAccount(salt, WALLET_ID, keys, values, initdata_, address(0));
    }

    function _passkeyOwner(uint256 pk) internal pure returns (bytes memory) {
        (uint256 x, uint256 y) = vm.publicKeyP256(pk);
        return abi.encode(x, y);
    }

    // ------------------------------------------------------------------ signatures

    function _ecdsaSignature(uint256 pk, uint256 index, bytes32 hash) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, hash);
        return abi.encode(index, abi.encodePacked(r, s, v));
    }

    /// @dev A WebAuthn assertion over `hash` (challenge = the 32 bytes, base64url) with UP|UV set.
    function _passkeySignature(uint256 pk, uint256 index, bytes32 hash) internal pure returns (bytes memory) {
        return abi.encode(index, _webAuthn(pk, hash, 0x05));
    }

    function _webAuthn(uint256 pk, bytes32 hash, uint8 flags) internal pure returns (bytes memory) {
        bytes memory authenticatorData = abi.encodePacked(sha256("keystore.example"), flags, uint32(1));
        string memory clientDataJSON = string.concat(
            '{"type":"webauthn.get","challenge":"',
            Base64.encodeURL(abi.encodePacked(hash)),
            '","origin":"https://keystore.example","crossOrigin":false}'
        );
        bytes32 digest = sha256(abi.encodePacked(authenticatorData, sha256(bytes(clientDataJSON))));
        (bytes32 r, bytes32 s) = vm.signP256(pk, digest);
        if (uint256(s) > P256_N / 2) s = bytes32(P256_N - uint256(s));
        return abi.encode(r, s, uint256(23), uint256(1), authenticatorData, clientDataJSON);
    }

    // ------------------------------------------------------------------ user operations

    function _userOp(address sender, bytes memory initCode, bytes memory callData)
        internal
        view
        returns (PackedUserOperation memory op)
    {
        op.sender = sender;
        op.nonce = entryPoint.getNonce(sender, 0);
        op.initCode = initCode;
        op.callData = callData;
        op.accountGasLimits = bytes32((uint256(2_000_000) << 128) | uint256(200_000));
        op.preVerificationGas = 50_000;
        op.gasFees = bytes32((uint256(1 gwei) << 128) | uint256(1 gwei));
    }

    function _initCode() internal view returns (bytes memory) {
        return abi.encodePacked(address(factory), abi.encodeCall(factory.createAccount, (account, initdata)));
    }

    function _handle(PackedUserOperation memory op) internal {
        PackedUserOperation[] memory ops = new PackedUserOperation[](1);
        ops[0] = op;
        entryPoint.handleOps(ops, payable(address(0xbe2e)));
    }
}
