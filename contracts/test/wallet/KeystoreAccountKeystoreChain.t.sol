// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEntryPoint} from "@account-abstraction/contracts/interfaces/IEntryPoint.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {KeystoreChainFixture} from "../L2/KeystoreChainFixture.sol";
import {OpStack} from "../lib/OpStack.sol";
import {KeystoreAccount} from "../../src/wallet/KeystoreAccount.sol";
import {IKeystoreAccount} from "../../src/interfaces/IKeystoreAccount.sol";
import {KeystoreLayout} from "../../src/libraries/KeystoreLayout.sol";

/// @notice A KeystoreAccount on the keystore chain against the real KeystoreChainL2Keystore (L1SLOAD
///         double at 0x…0101, genuine OP L2/L1 messengers, portal double; KeystoreChainFixture):
///         addOwner sends OWNERS_KEY's compare-and-swap to L1, the withdrawal is finalized into
///         L1Keystore, and the local copy follows by syncOwners once the L1 origin has it.
contract KeystoreAccountKeystoreChainTest is KeystoreChainFixture {
    bytes32 internal constant OWNERS_KEY = KeystoreLayout.OWNERS_KEY;
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;

    KeystoreAccount internal wallet;
    bytes[] internal owners0;

    function setUp() public override {
        super.setUp();
        owners0.push(abi.encode(vm.addr(0xA11CE)));
        bytes memory initdata = abi.encode(owners0);
        // the account commits to its owners on L1; the origin sees it
        vm.prank(account);
        l1ks.writeKey(account, OWNERS_KEY, keccak256(initdata));
        _syncKey(account, OWNERS_KEY);

        KeystoreAccount impl =
            new KeystoreAccount(IEntryPoint(address(0xE4)), address(l2ks), IKeystoreAccount.Flavour.KeystoreChain);
        // The fixture's account address is CREATE3 of a stand-in factory; put an uninitialized
        // ERC1967Proxy there and initialize it as the factory's deployment would.
        // (OZ 5.7's proxy wants init data: a view call, which initializes nothing)
        address template = address(new ERC1967Proxy(address(impl), abi.encodeCall(KeystoreAccount.owners, ())));
        vm.etch(account, template.code);
        vm.store(account, IMPLEMENTATION_SLOT, bytes32(uint256(uint160(address(impl)))));
        wallet = KeystoreAccount(payable(account));
        wallet.initialize(initdata);
    }

    function test_addOwner_keystoreChainRoundTrip_succeeds() public {
        (, uint256 initBlock) = wallet.ownersCommitment();
        vm.assertEq(initBlock, ORIGIN_NUMBER);
        bytes memory added = abi.encode(vm.addr(0xB0B0));
        bytes[] memory next = new bytes[](2);
        next[0] = owners0[0];
        next[1] = added;
        bytes32 nextHash = keccak256(abi.encode(next));

        vm.recordLogs();
        vm.prank(account);
        wallet.addOwner(added);
        (Withdrawal memory w,) = _decode(vm.getRecordedLogs());
        vm.assertEq(wallet.owners().length, 1, "applied before L1 has it");

        vm.assertTrue(_finalize(w), "withdrawal failed on L1");
        vm.assertEq(l1ks.loadKey(account, OWNERS_KEY), nextHash);

        // not yet at the origin: the keystore chain still serves the old commitment
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeystoreAccount.KeystoreAccountForgedOwners.selector, keccak256(abi.encode(owners0)), nextHash
            )
        );
        wallet.syncOwners(next);

        _syncKey(account, OWNERS_KEY);
        OpStack.setL1Origin(ORIGIN_NUMBER + 1, 1_700_000_012, keccak256("origin+1"));
        wallet.syncOwners(next);
        vm.assertEq(wallet.owners().length, 2);
        (bytes32 h, uint256 l1Block) = wallet.ownersCommitment();
        vm.assertEq(h, nextHash);
        vm.assertEq(l1Block, ORIGIN_NUMBER + 1);

        vm.expectRevert(
            abi.encodeWithSelector(
                IKeystoreAccount.KeystoreAccountStaleSync.selector, ORIGIN_NUMBER + 1, ORIGIN_NUMBER + 1
            )
        );
        wallet.syncOwners(next);
    }

    function test_addOwner_keystoreChainNotOptedIn_reverts() public {
        // revoke the keystore chain's access on L1; the origin sees it
        vm.prank(account);
        l1ks.updateAccess(account, address(l2ks), address(0));
        _syncKey(account, KeystoreLayout.L2_UPDATE_ADDRESS_KEY);
        vm.prank(account);
        vm.expectRevert(abi.encodeWithSignature("L2KeystoreNotOptedIn(address,address)", account, address(0)));
        wallet.addOwner(abi.encode(vm.addr(0xB0B0)));
    }
}
