// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "../lib/Test.sol";
import {KeystoreChainFixture} from "./KeystoreChainFixture.sol";
import {L1SloadDouble} from "../mocks/L1SloadPrecompileDouble.sol";
import {L1Keystore} from "../../src/L1/L1Keystore.sol";
import {KeystoreChainL2Keystore} from "../../src/L2/KeystoreChainL2Keystore.sol";
import {IL1Keystore} from "../../src/interfaces/IL1Keystore.sol";

/// @notice Gas of the keystore chain's L2Keystore, written to the gas snapshot
///         (snapshots/KeystoreChainL2KeystoreGasTest.json) and printed with -vv.
///
///         L2 calls are measured as a transaction to the L2Keystore would see them: calldata is
///         encoded first, the L2Keystore's address and 0x…0101 are warm (a transaction's `to` is
///         warm; the node treats the precompile as warm like every precompile), everything else
///         starts cold (forge runs setUp and each test as separate transactions). So neither the
///         21,000 base cost nor calldata gas is included. The L1SLOAD double charges what the
///         node's precompile charges (2000 + 2000 per key, to within 60 gas; L1Sload.t.sol).
///         setUp sends one message first, so the messenger's and message passer's nonces are
///         non-zero as on a live chain (the chain's very first message pays for two fresh nonce slots).
contract KeystoreChainL2KeystoreGasTest is KeystoreChainFixture {
    event log_named_uint(string key, uint256 val);

    bytes32 internal constant NEW_VALUE = bytes32(uint256(0xbb));

    function setUp() public override {
        super.setUp();
        vm.prank(account);
        l2ks.writeKey(account, keccak256("warm-up"), NEW_VALUE);
    }

    /// @dev Measures `data` sent by `caller` to the L2Keystore as a transaction's execution.
    function _measure(string memory name, address caller, bytes memory data) internal returns (uint256 gasUsed) {
        l2ks.L1_KEYSTORE(); // warm the L2Keystore's address, as a transaction's `to` is
        // warm 0x…0101 (the input is invalid: the call halts and burns its 10,000 gas)
        (bool warmed,) = L1SloadDouble.PRECOMPILE.staticcall{gas: 10_000}(hex"00");
        vm.assertFalse(warmed);
        address target = address(l2ks);
        vm.startPrank(caller);
        vm.startSnapshotGas(name);
        (bool ok,) = target.call(data);
        gasUsed = vm.stopSnapshotGas();
        vm.stopPrank();
        vm.assertTrue(ok, "call failed");
        emit log_named_uint(name, gasUsed);
    }

    function test_gas_loadKey_succeeds() public {
        _measure("loadKey", STRANGER, abi.encodeCall(l2ks.loadKey, (account, KEY_A)));
    }

    function test_gas_loadKeyWithBlock_succeeds() public {
        _measure("loadKeyWithBlock", STRANGER, abi.encodeCall(l2ks.loadKeyWithBlock, (account, KEY_A)));
    }

    function test_gas_loadKeys2_succeeds() public {
        bytes32[] memory keys = new bytes32[](2);
        keys[0] = KEY_A;
        keys[1] = KEY_B;
        _measure("loadKeys_2keys", STRANGER, abi.encodeCall(l2ks.loadKeys, (account, keys)));
    }

    function test_gas_getWalletImplementation_succeeds() public {
        _measure("getWalletImplementation", STRANGER, abi.encodeCall(l2ks.getWalletImplementation, (account)));
    }

    function test_gas_writeKey_byBoundAddress_succeeds() public {
        _measure("writeKey_byBoundAddress", BOUND_EOA, abi.encodeCall(l2ks.writeKey, (account, KEY_B, NEW_VALUE)));
    }

    function test_gas_writeKey_byAccount_succeeds() public {
        _measure("writeKey_byAccount", account, abi.encodeCall(l2ks.writeKey, (account, KEY_B, NEW_VALUE)));
    }

    function test_gas_updateKey_byBoundAddress_succeeds() public {
        _measure(
            "updateKey_byBoundAddress", BOUND_EOA, abi.encodeCall(l2ks.updateKey, (account, KEY_A, VALUE_A, NEW_VALUE))
        );
    }

    function test_gas_updateAccess_byBoundAddress_succeeds() public {
        _measure(
            "updateAccess_byBoundAddress",
            BOUND_EOA,
            abi.encodeCall(l2ks.updateAccess, (account, address(l2ks), address(0x4E47)))
        );
    }
}

/// @notice L1 sizing of KeystoreChainL2Keystore's gas limits: the least gas each L1Keystore call
///         succeeds with, called as the genuine L1CrossDomainMessenger calls it (msg.sender the
///         messenger, which answers xDomainMessageSender from a warm storage slot), with
///         L1Keystore's storage cold (set up in setUp, a separate transaction; each try is undone
///         by the probe's revert, warm slots included), in each call's worst case (a
///         zero-to-non-zero store for writeKey and updateKey). Written to the gas snapshot
///         (snapshots/KeystoreChainL1GasLimitTest.json).
contract KeystoreChainL1GasLimitTest is Test {
    event log_named_uint(string key, uint256 val);

    address internal constant L2_KEYSTORE = address(0x12345);
    bytes32 internal constant KEY_A = keccak256("owner.0");
    bytes32 internal constant KEY_B = keccak256("owner.1");
    bytes32 internal constant VALUE_A = bytes32(uint256(0xaa));
    bytes32 internal constant NEW_VALUE = bytes32(uint256(0xbb));

    MessengerProbe internal probe;
    L1Keystore internal ks;
    KeystoreChainL2Keystore internal l2ks;
    address internal a;

    function setUp() public {
        probe = new MessengerProbe();
        ks = new L1Keystore(address(0xFAC7), address(probe));
        l2ks = new KeystoreChainL2Keystore(address(ks), address(0));
        ks.registerWallet(bytes32(uint256(8)), address(this));
        bytes32[] memory keys = new bytes32[](1);
        keys[0] = KEY_A;
        bytes32[] memory values = new bytes32[](1);
        values[0] = VALUE_A;
        a = ks.registerAccount(bytes32(uint256(0x5a20)), bytes32(uint256(8)), keys, values, "", L2_KEYSTORE);
    }

    // ================================================================ L1 sizing of the gas limits

    /// @dev The least gas `data` needs when the probe (as the messenger, L2 sender L2_KEYSTORE)
    ///      calls L1Keystore with it.
    function _minGas(bytes memory data) internal returns (uint256 lo) {
        lo = 1;
        uint256 hi = 300_000;
        require(_tries(data, hi), "fails even with 300k");
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (_tries(data, mid)) hi = mid;
            else lo = mid + 1;
        }
    }

    function _tries(bytes memory data, uint256 gasLimit) internal returns (bool) {
        try probe.tryCall(L2_KEYSTORE, address(ks), data, gasLimit) {
            revert("probe must revert");
        } catch (bytes memory ret) {
            require(bytes4(ret) == MessengerProbe.ProbeResult.selector, "probe");
            return abi.decode(_tail(ret), (bool));
        }
    }

    function _tail(bytes memory ret) internal pure returns (bytes memory out) {
        out = new bytes(ret.length - 4);
        for (uint256 i; i < out.length; ++i) {
            out[i] = ret[i + 4];
        }
    }

    /// @dev Each gas-limit constant is at least 3x what its L1Keystore call needs in the worst
    ///      case (see WRITE_KEY_GAS_LIMIT); the numbers go to the snapshot.
    function test_gasLimits_coverMeasuredL1Cost_succeeds() public {
        bytes memory writeCall = abi.encodeCall(IL1Keystore.writeKey, (a, KEY_B, NEW_VALUE));
        uint256 writeKey = _minGas(writeCall);
        uint256 updateFromZero = _minGas(abi.encodeCall(IL1Keystore.updateKey, (a, KEY_B, bytes32(0), NEW_VALUE)));
        uint256 updateNonZero = _minGas(abi.encodeCall(IL1Keystore.updateKey, (a, KEY_A, VALUE_A, NEW_VALUE)));
        uint256 updateAccess = _minGas(abi.encodeCall(IL1Keystore.updateAccess, (a, L2_KEYSTORE, address(0x4E47))));
        vm.snapshotValue("l1MinGas_writeKey", writeKey);
        vm.snapshotValue("l1MinGas_updateKey_fromZero", updateFromZero);
        vm.snapshotValue("l1MinGas_updateKey_nonZero", updateNonZero);
        vm.snapshotValue("l1MinGas_updateAccess", updateAccess);
        emit log_named_uint("l1MinGas_writeKey", writeKey);
        emit log_named_uint("l1MinGas_updateKey_fromZero", updateFromZero);
        emit log_named_uint("l1MinGas_updateKey_nonZero", updateNonZero);
        emit log_named_uint("l1MinGas_updateAccess", updateAccess);

        vm.assertGe(l2ks.WRITE_KEY_GAS_LIMIT(), writeKey * 3);
        vm.assertGe(l2ks.UPDATE_KEY_GAS_LIMIT(), updateFromZero * 3);
        vm.assertGe(l2ks.UPDATE_KEY_GAS_LIMIT(), updateNonZero * 3);
        vm.assertGe(l2ks.UPDATE_ACCESS_GAS_LIMIT(), updateAccess * 3);
        // the probe measures what it should: the least gas applies the write, one less does not
        vm.assertTrue(_tries(writeCall, writeKey));
        vm.assertFalse(_tries(writeCall, writeKey - 1));
        vm.assertEq(ks.loadKey(a, KEY_B), bytes32(0)); // and every try was undone
    }
}

/// @notice Calls a target as the L1 messenger does (answering `xDomainMessageSender` from a slot
///         written just before, so warm, like the genuine messenger's), then reverts with the
///         outcome so that every try starts from the same cold state.
contract MessengerProbe {
    error ProbeResult(bool success);

    address public xDomainMessageSender;

    function tryCall(address sender, address target, bytes calldata data, uint256 gasLimit) external {
        xDomainMessageSender = sender;
        (bool ok,) = target.call{gas: gasLimit}(data);
        revert ProbeResult(ok);
    }
}
