// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {KeystoreFixture} from "./KeystoreFixture.sol";
import {L2Keystore} from "../../src/L2/L2Keystore.sol";
import {L1Blocks} from "../../src/L2/L1Blocks.sol";
import {IL1Blocks} from "../../src/interfaces/IL1Blocks.sol";
import {L1BlockStandIn} from "../mocks/L1BlockStandIn.sol";

/// @notice L2Keystore on the real L1Blocks: anvil's headers are fed to L1Blocks (the newest
///         anchored through a stand-in of the L1Block predeploy, the older ones backfilled by
///         parent hash), then keys are synced with anvil's proofs against those state roots.
contract L2KeystoreL1BlocksTest is KeystoreFixture {
    event log_named_uint(string key, uint256 val);

    address internal constant L1_BLOCK = 0x4200000000000000000000000000000000000015;

    L1Blocks internal l1Blocks;
    L2Keystore internal l2;
    uint256 internal firstHeader;
    bytes[] internal headers;

    function setUp() public {
        _loadFixture();
        firstHeader = vm.parseJsonUint(fixture, ".firstHeaderNumber");
        headers = vm.parseJsonBytesArray(fixture, ".headers");
        vm.etch(L1_BLOCK, address(new L1BlockStandIn()).code);
        L1BlockStandIn(L1_BLOCK).setHash(keccak256(headers[headers.length - 1]));

        l1Blocks = new L1Blocks(64);
        l1Blocks.setL1BlockHeader(headers[headers.length - 1]);
        for (uint256 i = headers.length - 1; i > 0; --i) {
            l1Blocks.setL1BlockHeader(headers[i - 1]);
        }
        l2 = new L2Keystore(l1Keystore, address(l1Blocks));
    }

    function test_l1Blocks_servesFixtureStateRoots_succeeds() public view {
        vm.assertEq(l1Blocks.oldestBlockNumber(), firstHeader);
        vm.assertEq(l1Blocks.latestBlockNumber(), firstHeader + headers.length - 1);
        for (uint256 i; i < N_BLOCKS; ++i) {
            Block memory b = _block(i);
            vm.assertEq(l1Blocks.l1Stateroot(b.number), b.stateRoot);
        }
    }

    function test_syncKeys_realL1BlocksAllBlocks_succeeds() public {
        for (uint256 bi; bi < N_BLOCKS; ++bi) {
            Block memory b = _block(bi);
            l2.syncKeys(b.number, account, _keysAt(_all()), b.accountProof, _proofsAt(b, _all()));
            for (uint256 i; i < N_KEYS; ++i) {
                (bytes32 v, uint256 n) = l2.loadKeyWithBlock(account, keys[i]);
                vm.assertEq(v, b.values[i]);
                vm.assertEq(n, b.number);
            }
        }
    }

    function test_syncKeys_realL1BlocksOutsideWindow_reverts() public {
        Block memory b = _block(0);
        uint256 before = firstHeader - 1;
        vm.expectRevert(abi.encodeWithSelector(IL1Blocks.L1BlocksBlockUnavailable.selector, before));
        l2.syncKeys(before, account, _keysAt(_idx(I_K1)), b.accountProof, _proofsAt(b, _idx(I_K1)));
    }

    /// @dev The anvil-proof cold sync with the real L1Blocks (compare syncKeys_anvil_cold, which
    ///      uses the one-SLOAD test double).
    function test_syncKeys_realL1BlocksColdGas_succeeds() public {
        Block memory b = _block(0);
        bytes memory data = abi.encodeCall(
            l2.syncKeys, (b.number, account, _keysAt(_idx(I_K1)), b.accountProof, _proofsAt(b, _idx(I_K1)))
        );
        l2.L1_BLOCKS();
        address target = address(l2);
        bool ok;
        vm.startSnapshotGas("syncKeys_anvil_cold_realL1Blocks");
        (ok,) = target.call(data);
        emit log_named_uint("syncKeys_anvil_cold_realL1Blocks", vm.stopSnapshotGas());
        vm.assertTrue(ok);
    }
}
