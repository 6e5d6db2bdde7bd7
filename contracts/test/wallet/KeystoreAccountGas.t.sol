// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";

import {WalletFixture} from "./WalletFixture.sol";
import {MockWalletKeystore} from "../mocks/MockWalletKeystore.sol";
import {KeystoreAccount} from "../../src/wallet/KeystoreAccount.sol";
import {IKeystoreAccount} from "../../src/interfaces/IKeystoreAccount.sol";

/// @notice OZ's P256 behind an external call, for the bare-verify baseline.
contract P256Harness {
    function verify(bytes32 h, bytes32 r, bytes32 s, bytes32 x, bytes32 y) external view returns (bool) {
        return P256.verify(h, r, s, x, y);
    }

    function verifySolidity(bytes32 h, bytes32 r, bytes32 s, bytes32 x, bytes32 y) external view returns (bool) {
        return P256.verifySolidity(h, r, s, x, y);
    }
}

/// @notice Gas of the wallet contracts, written to snapshots/KeystoreAccountGasTest.json (issue 4's
///         benchmark figures) and printed with -vv. Each figure is the execution gas of one call
///         made from this test (no 21,000 base, no calldata gas); storage starts cold in every
///         test (forge runs each test as its own transaction), the called contract's address is
///         warmed first as a transaction's `to` would be.
///         - createAccount: the AccountFactory deploying a 2-owner KeystoreAccount on L1
///           (CREATE3 proxy + ERC1967Proxy + initialize, reading the real L1Keystore).
///         - syncOwners_rotate: sync to a changed 2-owner set (one entry rewritten, cold slots);
///           syncOwners_unchanged: sync of the same set at a newer L1 block (same values).
///           Both against MockWalletKeystore, whose loadKeyWithBlock costs about what
///           L2Keystore's cached read does (two cold SLOADs).
///         - validateUserOp_*: the account's validateUserOp called by the EntryPoint, the passkey
///           owner with OZ's Solidity P-256 (prague: no 0x100) and with the P256VERIFY
///           precompile (osaka, EIP-7951: 6,900 gas; RIP-7212 L2s charge 3,450), and ECDSA.
///         - p256Verify_*: OZ's P256.verify alone behind an external call, the baseline.
contract KeystoreAccountGasTest is WalletFixture {
    event log_named_uint(string key, uint256 val);

    KeystoreAccount internal wallet;
    // a second registered account, not deployed: what test_gas_createAccount deploys
    address internal fresh;
    // sync-only instances whose keystores already hold the next commitment at L1 block 11
    KeystoreAccount internal rotating;
    KeystoreAccount internal unchanged;
    bytes[] internal rotated;
    P256Harness internal harness;

    /// @dev Everything a measured call touches is created here, so it is cold in the test
    ///      (setUp is its own transaction; state written in the test itself would be warm and
    ///      its SSTOREs priced as dirty slots).
    function setUp() public override {
        super.setUp();
        wallet = KeystoreAccount(payable(account));
        factory.createAccount(account, initdata);
        fresh = _register(bytes32(uint256(0xf2e54)), initdata);

        MockWalletKeystore ks;
        (rotating, ks) = _syncOnlyWallet();
        rotated.push(initialOwners[0]);
        rotated.push(_passkeyOwner(OTHER_PK));
        ks.set(address(rotating), OWNERS_KEY, keccak256(abi.encode(rotated)));
        ks.setL1Block(11);
        (unchanged, ks) = _syncOnlyWallet();
        ks.setL1Block(11);
        harness = new P256Harness();
    }

    function _measure(string memory name, address caller, address target, bytes memory data)
        internal
        returns (uint256 gasUsed)
    {
        (bool warmed,) = target.staticcall(""); // the transaction's `to` is warm
        warmed;
        vm.startPrank(caller);
        vm.startSnapshotGas(name);
        (bool ok,) = target.call(data);
        gasUsed = vm.stopSnapshotGas();
        vm.stopPrank();
        vm.assertTrue(ok, "call failed");
        emit log_named_uint(name, gasUsed);
    }

    function test_gas_createAccount_succeeds() public {
        _measure(
            "createAccount", address(this), address(factory), abi.encodeCall(factory.createAccount, (fresh, initdata))
        );
        vm.assertGt(fresh.code.length, 0);
    }

    function _syncOnlyWallet() internal returns (KeystoreAccount w, MockWalletKeystore ks) {
        ks = new MockWalletKeystore();
        KeystoreAccount impl = new KeystoreAccount(entryPoint, address(ks), IKeystoreAccount.Flavour.SyncOnly);
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        ks.set(predicted, OWNERS_KEY, keccak256(initdata));
        ks.setL1Block(10);
        w = KeystoreAccount(
            payable(new ERC1967Proxy(address(impl), abi.encodeCall(KeystoreAccount.initialize, (initdata))))
        );
    }

    function test_gas_syncOwners_rotate_succeeds() public {
        _measure("syncOwners_rotate", address(this), address(rotating), abi.encodeCall(rotating.syncOwners, (rotated)));
    }

    function test_gas_syncOwners_unchanged_succeeds() public {
        _measure(
            "syncOwners_unchanged",
            address(this),
            address(unchanged),
            abi.encodeCall(unchanged.syncOwners, (initialOwners))
        );
    }

    function _validateCall(bytes memory signature, bytes32 hash) internal view returns (bytes memory) {
        PackedUserOperation memory op =
            _userOp(account, "", abi.encodeCall(BaseAccount.execute, (address(0x2ec1), 1, "")));
        op.signature = signature;
        return abi.encodeCall(wallet.validateUserOp, (op, hash, 0));
    }

    function test_gas_validateUserOp_passkeySolidity_succeeds() public {
        bytes32 hash = keccak256("op");
        _measure(
            "validateUserOp_passkey_solidity",
            address(entryPoint),
            account,
            _validateCall(_passkeySignature(PASSKEY_PK, 1, hash), hash)
        );
    }

    /// forge-config: default.evm_version = "osaka"
    function test_gas_validateUserOp_passkeyPrecompile_succeeds() public {
        bytes32 hash = keccak256("op");
        _measure(
            "validateUserOp_passkey_precompile",
            address(entryPoint),
            account,
            _validateCall(_passkeySignature(PASSKEY_PK, 1, hash), hash)
        );
    }

    function test_gas_validateUserOp_ecdsa_succeeds() public {
        bytes32 hash = keccak256("op");
        _measure(
            "validateUserOp_ecdsa",
            address(entryPoint),
            account,
            _validateCall(_ecdsaSignature(ECDSA_PK, 0, hash), hash)
        );
    }

    function _p256Call(bytes4 selector) internal pure returns (bytes memory) {
        bytes32 h = keccak256("baseline");
        (bytes32 r, bytes32 s) = vm.signP256(PASSKEY_PK, h);
        if (uint256(s) > P256_N / 2) s = bytes32(P256_N - uint256(s));
        (uint256 x, uint256 y) = vm.publicKeyP256(PASSKEY_PK);
        return abi.encodeWithSelector(selector, h, r, s, bytes32(x), bytes32(y));
    }

    function test_gas_p256Verify_solidity_succeeds() public {
        _measure("p256Verify_solidity", address(this), address(harness), _p256Call(P256Harness.verifySolidity.selector));
    }

    /// forge-config: default.evm_version = "osaka"
    function test_gas_p256Verify_precompile_succeeds() public {
        _measure("p256Verify_precompile", address(this), address(harness), _p256Call(P256Harness.verify.selector));
    }
}
