// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "../lib/Test.sol";
import {WalletFixture} from "./WalletFixture.sol";
import {L1Keystore} from "../../src/L1/L1Keystore.sol";
import {KeystoreAccount} from "../../src/wallet/KeystoreAccount.sol";
import {KeystoreLayout} from "../../src/libraries/KeystoreLayout.sol";

/// @notice Drives an L1 KeystoreAccount: the account adds and removes owners (as after a validated
///         user operation), anyone syncs (the true list, a forged one, a stale one), strangers try
///         owner changes. Ghost state: the list the keystore commits to.
contract KeystoreAccountHandler is Test {
    L1Keystore internal immutable KS;
    KeystoreAccount internal immutable WALLET;
    bytes[] internal _expected;
    uint256 public lastL1Block;
    uint256 public unauthorizedSucceeded;
    uint256 public forgedSucceeded;

    constructor(L1Keystore ks, KeystoreAccount wallet, bytes[] memory initial) {
        KS = ks;
        WALLET = wallet;
        for (uint256 i; i < initial.length; ++i) {
            _expected.push(initial[i]);
        }
    }

    function expected() external view returns (bytes[] memory) {
        return _expected;
    }

    uint256 public added;
    uint256 public removed;

    function addOwner(uint256 seed) external {
        bytes memory owner = abi.encode(vm.addr(bound(seed, 1, 1e6)));
        vm.prank(address(WALLET));
        try WALLET.addOwner(owner) {
            _expected.push(owner);
            ++added;
            lastL1Block = block.number;
        } catch {}
    }

    function removeOwner(uint256 seed) external {
        if (_expected.length == 0) return;
        uint256 index = bound(seed, 0, _expected.length - 1);
        vm.prank(address(WALLET));
        try WALLET.removeOwnerAtIndex(index, _expected[index]) {
            _expected[index] = "";
            ++removed;
            lastL1Block = block.number;
        } catch {}
    }

    function sync(uint256 blocks) external {
        vm.roll(block.number + bound(blocks, 0, 3));
        try WALLET.syncOwners(_expected) {
            lastL1Block = block.number;
        } catch {}
    }

    function syncForged(uint256 seed) external {
        vm.roll(block.number + 1);
        bytes[] memory forged = new bytes[](1);
        forged[0] = abi.encode(vm.addr(bound(seed, 1, 1e6)));
        try WALLET.syncOwners(forged) {
            ++forgedSucceeded;
        } catch {}
    }

    function strangerAddsOwner(uint256 seed) external {
        address caller = address(uint160(bound(seed, 1, type(uint160).max)));
        if (caller == address(WALLET)) return;
        vm.prank(caller);
        try WALLET.addOwner(abi.encode(address(0xbad))) {
            ++unauthorizedSucceeded;
        } catch {}
    }
}

contract KeystoreAccountInvariantTest is WalletFixture {
    KeystoreAccountHandler internal handler;
    KeystoreAccount internal wallet;

    function setUp() public override {
        super.setUp();
        factory.createAccount(account, initdata);
        wallet = KeystoreAccount(payable(account));
        handler = new KeystoreAccountHandler(l1ks, wallet, initialOwners);
        targetContract(address(handler));
    }

    /// @dev The local copy is exactly the list the keystore commits to (on L1 nobody else writes).
    function invariant_localCopyMatchesKeystore() public view {
        bytes[] memory local = wallet.owners();
        (bytes32 h, uint256 l1Block) = wallet.ownersCommitment();
        vm.assertEq(h, keccak256(abi.encode(local)), "hash of the local list");
        vm.assertEq(h, l1ks.loadKey(account, KeystoreLayout.OWNERS_KEY), "keystore commitment");
        vm.assertEq(keccak256(abi.encode(local)), keccak256(abi.encode(handler.expected())), "ghost list");
        vm.assertLe(l1Block, block.number);
    }

    /// @dev Never without an owner; strangers and forged lists never change anything.
    function invariant_ownersNeverEmptyNorHijacked() public view {
        bytes[] memory local = wallet.owners();
        uint256 live;
        for (uint256 i; i < local.length; ++i) {
            if (local[i].length != 0) ++live;
        }
        vm.assertGt(live, 0);
        vm.assertEq(handler.unauthorizedSucceeded(), 0);
        vm.assertEq(handler.forgedSucceeded(), 0);
    }

    /// @dev The run exercised owner changes (not only reverted calls).
    function afterInvariant() public view {
        vm.assertTrue(handler.added() + handler.removed() > 0, "no owner change happened");
    }
}
