// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {WalletFixture} from "./WalletFixture.sol";
import {MockWalletKeystore} from "../mocks/MockWalletKeystore.sol";
import {KeystoreAccount} from "../../src/wallet/KeystoreAccount.sol";
import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";
import {IKeystoreAccount} from "../../src/interfaces/IKeystoreAccount.sol";
import {IL1Keystore} from "../../src/interfaces/IL1Keystore.sol";

contract KeystoreAccountTest is WalletFixture {
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    address internal constant RECIPIENT = address(0x2ec1);

    KeystoreAccount internal wallet;

    function setUp() public override {
        super.setUp();
        wallet = KeystoreAccount(payable(account));
    }

    function _deploy() internal {
        factory.createAccount(account, initdata);
    }

    function _transferOp(bytes memory initCode) internal view returns (PackedUserOperation memory) {
        return _userOp(account, initCode, abi.encodeCall(BaseAccount.execute, (RECIPIENT, 1 ether, "")));
    }

    /// @dev A SyncOnly (or KeystoreChain) instance of `account` reading `ks`, committed at block 10.
    function _l2Wallet(IKeystoreAccount.Flavour flavour) internal returns (KeystoreAccount w, MockWalletKeystore ks) {
        ks = new MockWalletKeystore();
        KeystoreAccount impl = new KeystoreAccount(entryPoint, address(ks), flavour);
        // the proxy's address is not `account` here; commit for the address it will have
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        ks.set(predicted, OWNERS_KEY, keccak256(initdata));
        ks.setL1Block(10);
        w = KeystoreAccount(
            payable(new ERC1967Proxy(address(impl), abi.encodeCall(KeystoreAccount.initialize, (initdata))))
        );
        vm.assertEq(address(w), predicted);
    }

    // ------------------------------------------------------------------ end to end (EntryPoint)

    function test_handleOps_ecdsaOwnerWithInitCode_succeeds() public {
        vm.deal(account, 2 ether);
        PackedUserOperation memory op = _transferOp(_initCode());
        op.signature = _ecdsaSignature(ECDSA_PK, 0, entryPoint.getUserOpHash(op));
        _handle(op);
        vm.assertGt(account.code.length, 0);
        vm.assertEq(RECIPIENT.balance, 1 ether);
        vm.assertEq(entryPoint.getNonce(account, 0), 1);
    }

    function test_handleOps_passkeyOwner_succeeds() public {
        _deploy();
        vm.deal(account, 2 ether);
        PackedUserOperation memory op = _transferOp("");
        op.signature = _passkeySignature(PASSKEY_PK, 1, entryPoint.getUserOpHash(op));
        _handle(op);
        vm.assertEq(RECIPIENT.balance, 1 ether);
    }

    /// forge-config: default.evm_version = "osaka"
    function test_handleOps_passkeyOwnerWithPrecompile_succeeds() public {
        // osaka has P256VERIFY at 0x100 (EIP-7951, RIP-7212's interface): OZ's P256 uses it
        (bool ok, bytes memory ret) = address(0x100).staticcall(new bytes(160));
        vm.assertTrue(ok && ret.length == 0, "0x100 answers like a precompile");
        _deploy();
        vm.deal(account, 2 ether);
        PackedUserOperation memory op = _transferOp("");
        op.signature = _passkeySignature(PASSKEY_PK, 1, entryPoint.getUserOpHash(op));
        _handle(op);
        vm.assertEq(RECIPIENT.balance, 1 ether);
    }

    function test_handleOps_executeBatch_succeeds() public {
        _deploy();
        vm.deal(account, 2 ether);
        BaseAccount.Call[] memory calls = new BaseAccount.Call[](2);
        calls[0] = BaseAccount.Call(RECIPIENT, 0.25 ether, "");
        calls[1] = BaseAccount.Call(address(0x2ec2), 0.5 ether, "");
        PackedUserOperation memory op = _userOp(account, "", abi.encodeCall(BaseAccount.executeBatch, (calls)));
        op.signature = _passkeySignature(PASSKEY_PK, 1, entryPoint.getUserOpHash(op));
        _handle(op);
        vm.assertEq(RECIPIENT.balance, 0.25 ether);
        vm.assertEq(address(0x2ec2).balance, 0.5 ether);
    }

    function test_handleOps_wrongSigner_reverts() public {
        _deploy();
        vm.deal(account, 2 ether);
        PackedUserOperation memory op = _transferOp("");
        op.signature = _ecdsaSignature(OTHER_PK, 0, entryPoint.getUserOpHash(op));
        // FailedOp(0, "AA24 signature error")
        vm.expectRevert(abi.encodeWithSignature("FailedOp(uint256,string)", 0, "AA24 signature error"));
        _handle(op);
    }

    // ------------------------------------------------------------------ signatures

    function test_isValidOwnerSignature_nodeCryptoVector_succeeds() public {
        string memory json = vm.readFile("test/fixtures/wallet/webauthn.json");
        bytes memory owner = abi.encode(vm.parseJsonBytes32(json, ".x"), vm.parseJsonBytes32(json, ".y"));
        bytes[] memory list = new bytes[](1);
        list[0] = owner;
        (KeystoreAccount w,) = _walletWithOwners(list);
        bytes memory auth = abi.encode(
            vm.parseJsonBytes32(json, ".r"),
            vm.parseJsonBytes32(json, ".s"),
            vm.parseJsonUint(json, ".challengeIndex"),
            vm.parseJsonUint(json, ".typeIndex"),
            vm.parseJsonBytes(json, ".authenticatorData"),
            _jsonString(json, ".clientDataJSON")
        );
        bytes32 challenge = vm.parseJsonBytes32(json, ".challenge");
        vm.assertTrue(w.isValidOwnerSignature(challenge, abi.encode(uint256(0), auth)));
        vm.assertFalse(w.isValidOwnerSignature(keccak256("other"), abi.encode(uint256(0), auth)));
    }

    function test_validateUserOp_highS_returnsFailed() public {
        _deploy();
        bytes32 hash = keccak256("op");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ECDSA_PK, hash);
        bytes memory good = abi.encode(uint256(0), abi.encodePacked(r, s, v));
        bytes memory malleable =
            abi.encode(uint256(0), abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : 27));
        vm.assertEq(_validate(hash, good), 0);
        vm.assertEq(_validate(hash, malleable), 1);
    }

    function test_validateUserOp_passkeyWithoutUserVerification_returnsFailed() public {
        _deploy();
        bytes32 hash = keccak256("op");
        bytes memory upOnly = abi.encode(uint256(1), _webAuthn(PASSKEY_PK, hash, 0x01));
        vm.assertEq(_validate(hash, upOnly), 1);
        vm.assertEq(_validate(hash, _passkeySignature(PASSKEY_PK, 1, hash)), 0);
    }

    function test_validateUserOp_ownerIndexMismatch_returnsFailed() public {
        _deploy();
        bytes32 hash = keccak256("op");
        vm.assertEq(_validate(hash, _ecdsaSignature(ECDSA_PK, 1, hash)), 1);
        vm.assertEq(_validate(hash, _passkeySignature(PASSKEY_PK, 0, hash)), 1);
        vm.assertEq(_validate(hash, _ecdsaSignature(ECDSA_PK, 2, hash)), 1);
    }

    /// @dev Regression: OZ 5.7.0's WebAuthn.verify reads clientDataJSON at typeIndex before its
    ///      bounds check and runs out of gas on a huge index; the account bounds it first.
    function test_validateUserOp_hugeTypeIndex_returnsFailed() public {
        _deploy();
        bytes32 hash = keccak256("op");
        for (uint256 word = 2; word <= 3; ++word) {
            bytes memory signature = _passkeySignature(PASSKEY_PK, 1, hash);
            // abi.encode(index, inner): inner at 0x60; challengeIndex, typeIndex are its words 2, 3
            uint256 at = 0x60 + word * 0x20;
            assembly ("memory-safe") {
                mstore(
                    add(add(signature, 0x20), at),
                    0x0000000000000000000000000000000000002d00000000000000000000000001
                )
            }
            vm.assertEq(_validate(hash, signature), 1);
        }
    }

    function testFuzz_validateUserOp_randomBytes_returnsFailed(bytes calldata signature) public {
        _deploy();
        vm.assertEq(_validate(keccak256("op"), signature), 1);
    }

    function testFuzz_validateUserOp_malformedEnvelope_returnsFailed(uint256 index, uint256 offset, uint256 length)
        public
    {
        _deploy();
        bytes32 hash = keccak256("op");
        bytes memory inner = _webAuthn(PASSKEY_PK, hash, 0x05);
        index = bound(index, 0, 3);
        bytes memory signature = abi.encodePacked(index, offset, length, inner);
        uint256 expected = (index == 1 && offset == 0x40 && length == inner.length) ? 0 : 1;
        // a shorter declared length of a valid assertion is a different (invalid) assertion
        vm.assertEq(_validate(hash, signature), expected);
    }

    function testFuzz_validateUserOp_malformedWebAuthn_returnsFailed(
        uint256 aOffset,
        uint256 cOffset,
        uint256 challengeIndex,
        uint256 typeIndex,
        bytes calldata tail
    ) public {
        _deploy();
        bytes32 hash = keccak256("op");
        bytes memory inner = abi.encodePacked(bytes32(0), bytes32(uint256(1)), challengeIndex, typeIndex);
        inner = abi.encodePacked(inner, bound(aOffset, 0, 0x200), bound(cOffset, 0, 0x200), tail);
        vm.assertEq(_validate(hash, abi.encode(uint256(1), inner)), 1);
        // and the same through the ECDSA owner
        vm.assertEq(_validate(hash, abi.encode(uint256(0), inner)), 1);
    }

    function testFuzz_validateUserOp_corruptedPasskey_returnsFailed(uint256 position, uint8 flip) public {
        _deploy();
        bytes32 hash = keccak256("op");
        bytes memory signature = _passkeySignature(PASSKEY_PK, 1, hash);
        position = bound(position, 0, signature.length - 1);
        vm.assume(flip != 0);
        signature[position] = bytes1(uint8(signature[position]) ^ flip);
        // Flipping bytes that are ignored (the origin in clientDataJSON, the counter, the rpIdHash
        // are not checked on chain) may keep it valid; everything else must fail, nothing reverts.
        uint256 result = _validate(hash, signature);
        vm.assertLe(result, 1);
    }

    function _validate(bytes32 hash, bytes memory signature) internal returns (uint256) {
        PackedUserOperation memory op = _transferOp("");
        op.signature = signature;
        vm.prank(address(entryPoint));
        return wallet.validateUserOp(op, hash, 0);
    }

    // ------------------------------------------------------------------ initialize

    function test_initialize_twice_reverts() public {
        _deploy();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        wallet.initialize(initdata);
    }

    function test_initialize_implementation_reverts() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        implementation.initialize(initdata);
    }

    function test_initialize_rotatedOwners_succeeds() public {
        // the keystore already commits to another set: the new instance starts without owners
        (KeystoreAccount w, MockWalletKeystore ks) = _l2Wallet(IKeystoreAccount.Flavour.SyncOnly);
        vm.assertEq(w.owners().length, 2);
        bytes[] memory rotated = new bytes[](1);
        rotated[0] = abi.encode(vm.addr(OTHER_PK));
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        ks.set(predicted, OWNERS_KEY, keccak256(abi.encode(rotated)));
        KeystoreAccount late = KeystoreAccount(
            payable(new ERC1967Proxy(_implOf(w), abi.encodeCall(KeystoreAccount.initialize, (initdata))))
        );
        vm.assertEq(late.owners().length, 0);
        vm.assertFalse(late.isValidOwnerSignature(keccak256("op"), _ecdsaSignature(ECDSA_PK, 0, keccak256("op"))));
        (, uint256 initBlock) = late.ownersCommitment();
        vm.assertEq(initBlock, 0);
        // the commitment seen at deployment (L1 block 10) syncs at once
        late.syncOwners(rotated);
        vm.assertTrue(late.isValidOwnerSignature(keccak256("op"), _ecdsaSignature(OTHER_PK, 0, keccak256("op"))));
    }

    function _implOf(KeystoreAccount w) internal view returns (address) {
        bytes32 implSlot = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
        return address(uint160(uint256(vm.load(address(w), implSlot))));
    }

    // ------------------------------------------------------------------ sync

    function test_syncOwners_removedOwner_succeeds() public {
        (KeystoreAccount w, MockWalletKeystore ks) = _l2Wallet(IKeystoreAccount.Flavour.SyncOnly);
        bytes32 hash = keccak256("op");
        vm.assertTrue(w.isValidOwnerSignature(hash, _ecdsaSignature(ECDSA_PK, 0, hash)));
        // L1 removed the ECDSA owner (index 0 becomes empty) at L1 block 11
        bytes[] memory next = new bytes[](2);
        next[0] = "";
        next[1] = initialOwners[1];
        ks.set(address(w), OWNERS_KEY, keccak256(abi.encode(next)));
        ks.setL1Block(11);
        vm.expectEmit(address(w));
        emit IKeystoreAccount.OwnersSynced(keccak256(abi.encode(next)), 11, 2);
        w.syncOwners(next);
        vm.assertFalse(w.isValidOwnerSignature(hash, _ecdsaSignature(ECDSA_PK, 0, hash)));
        vm.assertTrue(w.isValidOwnerSignature(hash, _passkeySignature(PASSKEY_PK, 1, hash)));
        (bytes32 h, uint256 l1Block) = w.ownersCommitment();
        vm.assertEq(h, keccak256(abi.encode(next)));
        vm.assertEq(l1Block, 11);
    }

    function test_syncOwners_stale_reverts() public {
        (KeystoreAccount w, MockWalletKeystore ks) = _l2Wallet(IKeystoreAccount.Flavour.SyncOnly);
        // same block: no change
        vm.expectRevert(abi.encodeWithSelector(IKeystoreAccount.KeystoreAccountStaleSync.selector, 10, 10));
        w.syncOwners(initialOwners);
        // an older value (e.g. a reorganised cache) never rolls the copy back
        ks.setL1Block(9);
        vm.expectRevert(abi.encodeWithSelector(IKeystoreAccount.KeystoreAccountStaleSync.selector, 9, 10));
        w.syncOwners(initialOwners);
    }

    function test_syncOwners_forgedList_reverts() public {
        (KeystoreAccount w, MockWalletKeystore ks) = _l2Wallet(IKeystoreAccount.Flavour.SyncOnly);
        ks.setL1Block(11);
        bytes[] memory forged = new bytes[](1);
        forged[0] = abi.encode(vm.addr(OTHER_PK));
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeystoreAccount.KeystoreAccountForgedOwners.selector,
                keccak256(initdata),
                keccak256(abi.encode(forged))
            )
        );
        w.syncOwners(forged);
    }

    function test_syncOwners_l1AfterKeystoreWrite_succeeds() public {
        _deploy();
        vm.roll(block.number + 1);
        // the same set again, later: accepted (the block advances, owners unchanged)
        wallet.syncOwners(initialOwners);
        (, uint256 l1Block) = wallet.ownersCommitment();
        vm.assertEq(l1Block, block.number);
    }

    // ------------------------------------------------------------------ owner management

    function test_addOwner_l1_succeeds() public {
        _deploy();
        bytes memory owner = abi.encode(vm.addr(OTHER_PK));
        vm.prank(account);
        wallet.addOwner(owner);
        bytes[] memory list = wallet.owners();
        vm.assertEq(list.length, 3);
        vm.assertEq(list[2], owner);
        vm.assertEq(l1ks.loadKey(account, OWNERS_KEY), keccak256(abi.encode(list)));
        bytes32 hash = keccak256("op");
        vm.assertTrue(wallet.isValidOwnerSignature(hash, _ecdsaSignature(OTHER_PK, 2, hash)));
    }

    function test_addOwner_throughEntryPoint_succeeds() public {
        _deploy();
        vm.deal(account, 2 ether);
        bytes memory owner = _passkeyOwner(OTHER_PK);
        PackedUserOperation memory op = _userOp(
            account, "", abi.encodeCall(BaseAccount.execute, (account, 0, abi.encodeCall(wallet.addOwner, (owner))))
        );
        op.signature = _ecdsaSignature(ECDSA_PK, 0, entryPoint.getUserOpHash(op));
        _handle(op);
        vm.assertEq(wallet.owners().length, 3);
    }

    function test_addOwner_notSelf_reverts() public {
        _deploy();
        vm.expectRevert(abi.encodeWithSelector(IKeystoreAccount.KeystoreAccountUnauthorized.selector, address(this)));
        wallet.addOwner(abi.encode(vm.addr(OTHER_PK)));
    }

    function test_addOwner_invalid_reverts() public {
        _deploy();
        bytes memory notOnCurve = abi.encode(uint256(1), uint256(2));
        vm.prank(account);
        vm.expectRevert(abi.encodeWithSelector(IKeystoreAccount.KeystoreAccountInvalidOwner.selector, notOnCurve));
        wallet.addOwner(notOnCurve);
    }

    function test_addOwner_duplicate_reverts() public {
        _deploy();
        bytes memory owner = initialOwners[1];
        vm.prank(account);
        vm.expectRevert(abi.encodeWithSelector(IKeystoreAccount.KeystoreAccountAlreadyOwner.selector, owner));
        wallet.addOwner(owner);
    }

    function test_addOwner_staleLocalCopy_reverts() public {
        _deploy();
        // the keystore moved on without this instance (e.g. an L2 write relayed to L1)
        vm.prank(account);
        l1ks.updateKey(account, OWNERS_KEY, keccak256(initdata), keccak256("elsewhere"));
        vm.prank(account);
        vm.expectRevert();
        wallet.addOwner(abi.encode(vm.addr(OTHER_PK)));
    }

    function test_addOwner_syncOnly_reverts() public {
        (KeystoreAccount w,) = _l2Wallet(IKeystoreAccount.Flavour.SyncOnly);
        vm.prank(address(w));
        vm.expectRevert(abi.encodeWithSelector(IKeystoreAccount.KeystoreAccountOwnersReadOnly.selector, block.chainid));
        w.addOwner(abi.encode(vm.addr(OTHER_PK)));
    }

    function test_addOwner_keystoreChain_succeeds() public {
        (KeystoreAccount w, MockWalletKeystore ks) = _l2Wallet(IKeystoreAccount.Flavour.KeystoreChain);
        bytes memory owner = abi.encode(vm.addr(OTHER_PK));
        bytes[] memory next = new bytes[](3);
        next[0] = initialOwners[0];
        next[1] = initialOwners[1];
        next[2] = owner;
        vm.expectEmit(address(w));
        emit IKeystoreAccount.OwnersUpdateSent(keccak256(initdata), keccak256(abi.encode(next)));
        vm.prank(address(w));
        w.addOwner(owner);
        MockWalletKeystore.Update[] memory sent = ks.updates();
        vm.assertEq(sent.length, 1);
        vm.assertEq(sent[0].key, OWNERS_KEY);
        vm.assertEq(sent[0].oldValue, keccak256(initdata));
        vm.assertEq(sent[0].newValue, keccak256(abi.encode(next)));
        // the local copy follows only after L1 has it
        vm.assertEq(w.owners().length, 2);
        ks.set(address(w), OWNERS_KEY, keccak256(abi.encode(next)));
        ks.setL1Block(12);
        w.syncOwners(next);
        vm.assertEq(w.owners().length, 3);
    }

    function test_removeOwnerAtIndex_l1_succeeds() public {
        _deploy();
        vm.prank(account);
        vm.expectEmit(account);
        bytes[] memory next = new bytes[](2);
        next[1] = initialOwners[1];
        emit IKeystoreAccount.OwnerRemoved(0, initialOwners[0], keccak256(abi.encode(next)));
        wallet.removeOwnerAtIndex(0, initialOwners[0]);
        bytes[] memory list = wallet.owners();
        vm.assertEq(list.length, 2);
        vm.assertEq(list[0].length, 0);
        vm.assertEq(l1ks.loadKey(account, OWNERS_KEY), keccak256(abi.encode(next)));
        bytes32 hash = keccak256("op");
        vm.assertFalse(wallet.isValidOwnerSignature(hash, _ecdsaSignature(ECDSA_PK, 0, hash)));
    }

    function test_removeOwnerAtIndex_mismatchedBytes_reverts() public {
        _deploy();
        vm.prank(account);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeystoreAccount.KeystoreAccountOwnerMismatch.selector, 0, initialOwners[1], initialOwners[0]
            )
        );
        wallet.removeOwnerAtIndex(0, initialOwners[1]);
    }

    function test_removeOwnerAtIndex_lastOwner_reverts() public {
        _deploy();
        vm.startPrank(account);
        wallet.removeOwnerAtIndex(0, initialOwners[0]);
        vm.expectRevert(IKeystoreAccount.KeystoreAccountLastOwner.selector);
        wallet.removeOwnerAtIndex(1, initialOwners[1]);
        vm.stopPrank();
    }

    function test_removeOwnerAtIndex_outOfRange_reverts() public {
        _deploy();
        vm.prank(account);
        vm.expectRevert(abi.encodeWithSelector(IKeystoreAccount.KeystoreAccountIndexOutOfRange.selector, 5, 2));
        wallet.removeOwnerAtIndex(5, initialOwners[0]);
    }

    // ------------------------------------------------------------------ execute

    function test_execute_notEntryPoint_reverts() public {
        _deploy();
        vm.expectRevert(abi.encodeWithSelector(IKeystoreAccount.KeystoreAccountUnauthorized.selector, address(this)));
        wallet.execute(RECIPIENT, 0, "");
    }

    // ------------------------------------------------------------------ helpers

    function _walletWithOwners(bytes[] memory list) internal returns (KeystoreAccount w, MockWalletKeystore ks) {
        ks = new MockWalletKeystore();
        KeystoreAccount impl = new KeystoreAccount(entryPoint, address(ks), IKeystoreAccount.Flavour.SyncOnly);
        bytes memory data = abi.encode(list);
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        ks.set(predicted, OWNERS_KEY, keccak256(data));
        w = KeystoreAccount(
            payable(new ERC1967Proxy(address(impl), abi.encodeCall(KeystoreAccount.initialize, (data))))
        );
    }

    function _jsonString(string memory json, string memory key) internal pure returns (string memory) {
        return vm.parseJsonString(json, key);
    }
}
