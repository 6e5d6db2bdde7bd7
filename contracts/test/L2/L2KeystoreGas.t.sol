// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "../lib/Test.sol";
import {L2Keystore} from "../../src/L2/L2Keystore.sol";
import {StorageProof} from "../../src/libraries/StorageProof.sol";
import {L1BlocksDouble} from "../mocks/L1BlocksDouble.sol";
import {KeystoreFixture} from "./KeystoreFixture.sol";

/// @notice Gas of keystore syncs, written to the gas snapshot (snapshots/*.json) and printed
///         with -vv. Each scenario is its own test contract so that what setUp touched is cold
///         again in the measured transaction (forge runs setUp and the test as separate calls).
///
///         Measured: the `syncKeys` call's execution gas as a transaction to L2Keystore would see
///         it — calldata is encoded before measuring and L2Keystore's address is warmed first
///         (a transaction's `to` is warm) — so neither the 21,000 base cost nor calldata gas is
///         included. L1Blocks is a test double (one cold SLOAD per state root, like the real
///         ring buffer's entry read; the real contract also reads its window word).
///
///         Fixture: fixtures/keystore/mainnet-shaped.json, a 9-node account proof and storage
///         proofs from a 1M-key trie with full-width values (see scripts/gen-keystore-fixtures.ts).
abstract contract MainnetShapedGas is Test {
    event log_named_uint(string key, uint256 val);

    L1BlocksDouble internal l1Blocks;
    L2Keystore internal l2;
    uint256 internal blockNumber;
    address internal account;
    bytes internal accountProof;
    bytes32[] internal keys;
    bytes32[] internal values;
    bytes[] internal storageProofs;

    function setUp() public virtual {
        string memory json = vm.readFile("test/fixtures/keystore/mainnet-shaped.json");
        blockNumber = vm.parseJsonUint(json, ".blockNumber");
        account = vm.parseJsonAddress(json, ".account");
        accountProof = vm.parseJsonBytes(json, ".accountProof");
        keys = vm.parseJsonBytes32Array(json, ".keys");
        values = vm.parseJsonBytes32Array(json, ".values");
        storageProofs = vm.parseJsonBytesArray(json, ".storageProofs");
        bytes32 stateRoot = vm.parseJsonBytes32(json, ".stateRoot");
        vm.assertEq(vm.parseJsonUint(json, ".accountProofNodes"), 9);

        l1Blocks = new L1BlocksDouble();
        // Block n + 1 reuses the synthetic state root: "a later block, keystore unchanged".
        l1Blocks.setStateRoot(blockNumber, stateRoot);
        l1Blocks.setStateRoot(blockNumber + 1, stateRoot);
        l2 = new L2Keystore(vm.parseJsonAddress(json, ".keystore"), address(l1Blocks));
    }

    function _sync(uint256 n, uint256 keyIndex, bool withAccountProof) internal {
        bytes32[] memory k = new bytes32[](1);
        k[0] = keys[keyIndex];
        bytes[] memory p = new bytes[](1);
        p[0] = storageProofs[keyIndex];
        l2.syncKeys(n, account, k, withAccountProof ? accountProof : bytes(""), p);
    }

    /// @dev Measures one syncKeys call as a transaction's execution (see the contract notice).
    function _measure(string memory name, uint256 n, uint256 keyIndex, bool withAccountProof)
        internal
        returns (uint256 gasUsed)
    {
        bytes32[] memory k = new bytes32[](1);
        k[0] = keys[keyIndex];
        bytes[] memory p = new bytes[](1);
        p[0] = storageProofs[keyIndex];
        bytes memory data =
            abi.encodeCall(L2Keystore.syncKeys, (n, account, k, withAccountProof ? accountProof : bytes(""), p));
        l2.L1_BLOCKS(); // warm L2Keystore's address, as a transaction's `to` is
        address target = address(l2);
        bool ok;
        vm.startSnapshotGas(name);
        (ok,) = target.call(data);
        gasUsed = vm.stopSnapshotGas();
        vm.assertTrue(ok, "sync failed");
        emit log_named_uint(name, gasUsed);
        (bytes32 v, uint256 b) = l2.loadKeyWithBlock(account, keys[keyIndex]);
        vm.assertEq(v, values[keyIndex]);
        vm.assertEq(b, n);
    }
}

/// @notice Cold: nothing cached; 9-node account proof + storage proof, three fresh words written.
contract L2KeystoreGasColdTest is MainnetShapedGas {
    function test_syncKeys_coldMainnetShaped_succeeds() public {
        _measure("syncKeys_cold_9nodeAccount_1MkeyStorage", blockNumber, 0, true);
    }
}

/// @notice Warm: the storage root at this block is cached; a fresh key (two fresh words).
contract L2KeystoreGasWarmTest is MainnetShapedGas {
    function setUp() public override {
        super.setUp();
        _sync(blockNumber, 0, true);
    }

    function test_syncKeys_warmMainnetShaped_succeeds() public {
        _measure("syncKeys_warm_freshKey_1MkeyStorage", blockNumber, 1, false);
    }
}

/// @notice Re-sync at a newer block: the key was synced before, the new block's root is cached.
contract L2KeystoreGasResyncTest is MainnetShapedGas {
    function setUp() public override {
        super.setUp();
        _sync(blockNumber, 0, true);
        _sync(blockNumber, 1, false);
        l2.proveAccount(blockNumber + 1, address(l2.L1_KEYSTORE()), accountProof);
    }

    function test_syncKeys_warmResyncMainnetShaped_succeeds() public {
        _measure("syncKeys_warm_resyncedKey_1MkeyStorage", blockNumber + 1, 1, false);
    }
}

/// @notice Re-sync at a newer block whose root is not cached yet (account proof again).
contract L2KeystoreGasColdResyncTest is MainnetShapedGas {
    function setUp() public override {
        super.setUp();
        _sync(blockNumber, 0, true);
    }

    function test_syncKeys_coldResyncMainnetShaped_succeeds() public {
        _measure("syncKeys_cold_resyncedKey_9nodeAccount", blockNumber + 1, 0, true);
    }
}

/// @notice Same block again: a no-op.
contract L2KeystoreGasNoopTest is MainnetShapedGas {
    function setUp() public override {
        super.setUp();
        _sync(blockNumber, 0, true);
    }

    function test_syncKeys_sameBlockNoop_succeeds() public {
        _measure("syncKeys_sameBlock_noop", blockNumber, 0, false);
    }
}

/// @notice Exposes the proof library so its share of the sync cost can be measured alone.
contract StorageProofHarness {
    function verifyAccount(bytes32 stateRoot, address account, bytes calldata proof) external pure returns (bytes32) {
        return StorageProof.verifyAccount(stateRoot, account, proof).storageRoot;
    }

    function verifyStorage(bytes32 storageRoot, bytes32 slot, bytes calldata proof) external pure returns (bytes32) {
        return StorageProof.verifyStorage(storageRoot, slot, proof);
    }
}

/// @notice Proof verification alone (no cache): the part of the sync the proof library owns.
contract L2KeystoreGasVerifyOnlyTest is Test {
    event log_named_uint(string key, uint256 val);

    function test_verify_mainnetShaped_succeeds() public {
        string memory json = vm.readFile("test/fixtures/keystore/mainnet-shaped.json");
        StorageProofHarness h = new StorageProofHarness();
        bytes32 stateRoot = vm.parseJsonBytes32(json, ".stateRoot");
        bytes32 storageRoot = vm.parseJsonBytes32(json, ".storageRoot");
        bytes memory a = abi.encodeCall(
            h.verifyAccount,
            (stateRoot, vm.parseJsonAddress(json, ".keystore"), vm.parseJsonBytes(json, ".accountProof"))
        );
        bytes memory s = abi.encodeCall(
            h.verifyStorage,
            (
                storageRoot,
                vm.parseJsonBytes32Array(json, ".slots")[0],
                vm.parseJsonBytesArray(json, ".storageProofs")[0]
            )
        );
        bool ok;
        bytes memory ret;
        vm.startSnapshotGas("verifyAccount_9node");
        (ok, ret) = address(h).call(a);
        emit log_named_uint("verifyAccount_9node", vm.stopSnapshotGas());
        vm.assertTrue(ok);
        vm.assertEq(abi.decode(ret, (bytes32)), storageRoot);
        vm.startSnapshotGas("verifyStorage_1Mkey");
        (ok, ret) = address(h).call(s);
        emit log_named_uint("verifyStorage_1Mkey", vm.stopSnapshotGas());
        vm.assertTrue(ok);
        vm.assertEq(abi.decode(ret, (bytes32)), vm.parseJsonBytes32Array(json, ".values")[0]);
    }
}

/// @notice The same scenarios with the real anvil proofs (small tries: a 3-node account proof).
contract L2KeystoreGasAnvilTest is KeystoreFixture {
    event log_named_uint(string key, uint256 val);

    L2Keystore internal l2;
    Block internal b0;

    function setUp() public {
        _loadFixture();
        L1BlocksDouble l1Blocks = new L1BlocksDouble();
        l2 = new L2Keystore(l1Keystore, address(l1Blocks));
        b0 = _block(0);
        l1Blocks.setStateRoot(b0.number, b0.stateRoot);
    }

    function test_syncKeys_anvilColdThenWarm_succeeds() public {
        bytes32[] memory k = _keysAt(_idx(I_K1));
        bytes memory cold =
            abi.encodeCall(l2.syncKeys, (b0.number, account, k, b0.accountProof, _proofsAt(b0, _idx(I_K1))));
        bytes memory warm = abi.encodeCall(
            l2.syncKeys, (b0.number, account, _keysAt(_idx(I_INITDATA)), bytes(""), _proofsAt(b0, _idx(I_INITDATA)))
        );
        l2.L1_BLOCKS();
        bool ok;
        vm.startSnapshotGas("syncKeys_anvil_cold");
        (ok,) = address(l2).call(cold);
        emit log_named_uint("syncKeys_anvil_cold", vm.stopSnapshotGas());
        vm.assertTrue(ok);
        // (in the same transaction: the storage-root word is warm here, so this understates a
        // separate warm transaction by one cold SLOAD, 2,000 gas)
        vm.startSnapshotGas("syncKeys_anvil_warm_sameTx");
        (ok,) = address(l2).call(warm);
        emit log_named_uint("syncKeys_anvil_warm_sameTx", vm.stopSnapshotGas());
        vm.assertTrue(ok);
    }
}
