// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "../lib/Test.sol";
import {L1Sload} from "../../src/libraries/L1Sload.sol";
import {L1SloadDouble} from "../mocks/L1SloadPrecompileDouble.sol";

/// @notice Exposes L1Sload to tests (a library's reverts need an external call to be caught).
contract L1SloadHarness {
    function load(address l1Address, bytes32 key) external view returns (bytes32) {
        return L1Sload.load(l1Address, key);
    }

    function loadMany(address l1Address, bytes32[] memory keys) external view returns (bytes32[] memory) {
        return L1Sload.load(l1Address, keys);
    }
}

/// @notice L1Sload against the RIP-7728 test double (and against broken precompiles), plus the
///         double's own fidelity: price, halts, gas.
contract L1SloadTest is Test {
    address internal constant PRECOMPILE = 0x0000000000000000000000000000000000000101;
    address internal constant L1_CONTRACT = address(0x1CE5);

    L1SloadHarness internal h;

    function setUp() public {
        L1SloadDouble.install();
        h = new L1SloadHarness();
    }

    function _keys(uint256 n, uint256 seed) internal pure returns (bytes32[] memory keys) {
        keys = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            keys[i] = keccak256(abi.encode(seed, i));
        }
    }

    // ================================================================ the library

    function test_load_setSlot_succeeds() public {
        L1SloadDouble.set(L1_CONTRACT, bytes32(uint256(7)), bytes32(uint256(0xabc)));
        vm.assertEq(h.load(L1_CONTRACT, bytes32(uint256(7))), bytes32(uint256(0xabc)));
    }

    function test_load_unsetSlotReadsZero_succeeds() public view {
        vm.assertEq(h.load(L1_CONTRACT, bytes32(uint256(8))), bytes32(0));
    }

    function test_load_otherAddressIsolated_succeeds() public {
        L1SloadDouble.set(L1_CONTRACT, bytes32(uint256(7)), bytes32(uint256(0xabc)));
        vm.assertEq(h.load(address(0x1CE6), bytes32(uint256(7))), bytes32(0));
    }

    function testFuzz_load_manyKeysInOrder_succeeds(uint8 count, uint256 seed, address l1Address) public {
        uint256 n = bound(count, 1, 5);
        bytes32[] memory keys = _keys(n, seed);
        for (uint256 i; i < n; ++i) {
            // every other key set; the rest must read zero
            if (i % 2 == 0) L1SloadDouble.set(l1Address, keys[i], keccak256(abi.encode("v", keys[i])));
        }
        bytes32[] memory values = h.loadMany(l1Address, keys);
        vm.assertEq(values.length, n);
        for (uint256 i; i < n; ++i) {
            vm.assertEq(values[i], i % 2 == 0 ? keccak256(abi.encode("v", keys[i])) : bytes32(0));
            vm.assertEq(values[i], h.load(l1Address, keys[i]));
        }
    }

    function test_load_noKeys_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadInvalidKeyCount.selector, 0));
        h.loadMany(L1_CONTRACT, new bytes32[](0));
    }

    function test_load_sixKeys_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadInvalidKeyCount.selector, 6));
        h.loadMany(L1_CONTRACT, _keys(6, 1));
    }

    /// @dev A precompile that halts (INVALID: all gas consumed, no output).
    function test_load_precompileHalts_reverts() public {
        vm.etch(PRECOMPILE, hex"fe");
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadCallFailed.selector, L1_CONTRACT, 1, 4000));
        h.load(L1_CONTRACT, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadCallFailed.selector, L1_CONTRACT, 3, 8000));
        h.loadMany(L1_CONTRACT, _keys(3, 1));
    }

    /// @dev The point of forwarding only the price: a halting precompile costs the caller the price,
    ///      not 63/64 of its gas, and the caller still reverts with the error.
    function test_load_precompileHalts_keepsCallerGas_succeeds() public {
        vm.etch(PRECOMPILE, hex"fe");
        bytes memory data = abi.encodeCall(L1SloadHarness.load, (L1_CONTRACT, bytes32(0)));
        address target = address(h);
        uint256 before = gasleft();
        (bool ok, bytes memory ret) = target.call{gas: 1_000_000}(data);
        uint256 used = before - gasleft();
        vm.assertFalse(ok);
        vm.assertEq(bytes4(ret), L1Sload.L1SloadCallFailed.selector);
        // the price (4000) and the harness's own few thousand, nowhere near 1,000,000 * 63/64
        vm.assertLt(used, 15_000);
    }

    /// @dev Nothing at 0x…0101 (a chain without the precompile): success with no output.
    function test_load_noPrecompile_reverts() public {
        vm.etch(PRECOMPILE, "");
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadUnexpectedOutput.selector, L1_CONTRACT, 32, 0));
        h.load(L1_CONTRACT, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadUnexpectedOutput.selector, L1_CONTRACT, 64, 0));
        h.loadMany(L1_CONTRACT, _keys(2, 1));
    }

    /// @dev A precompile answering 64 bytes whatever it is asked (PUSH1 64 PUSH1 0 RETURN).
    function test_load_wrongOutputLength_reverts() public {
        vm.etch(PRECOMPILE, hex"60406000f3");
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadUnexpectedOutput.selector, L1_CONTRACT, 32, 64));
        h.load(L1_CONTRACT, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(L1Sload.L1SloadUnexpectedOutput.selector, L1_CONTRACT, 96, 64));
        h.loadMany(L1_CONTRACT, _keys(3, 1));
    }

    function test_gasCost_rip7728_succeeds() public pure {
        for (uint256 k = 1; k <= 5; ++k) {
            require(L1Sload.gasCost(k) == 2000 + 2000 * k, "price");
        }
    }

    // ================================================================ the double's fidelity

    /// @dev Gas a STATICCALL to `target` with `input` and `gasLimit` costs the caller, and whether
    ///      it succeeded (same call shape for every target, so differences are the callee's).
    function _callGas(address target, bytes memory input, uint256 gasLimit, uint256 outSize)
        internal
        view
        returns (bool ok, uint256 used)
    {
        assembly ("memory-safe") {
            let out := mload(0x40)
            let g := gas()
            ok := staticcall(gasLimit, target, add(input, 0x20), mload(input), out, outSize)
            used := sub(g, gas())
        }
    }

    /// @dev The double consumes 2000 + 2000k (up to 60 gas less), from cold storage, when given exactly
    ///      the price: what the node's precompile charges. Reference: a STOP contract (callee 0 gas).
    function test_double_chargesRip7728Price_succeeds() public {
        address stop = address(0x5709);
        vm.etch(stop, hex"00");
        for (uint256 k = 1; k <= 5; ++k) {
            bytes memory input = abi.encodePacked(L1_CONTRACT, _keys(k, 9));
            uint256 price = 2000 + 2000 * k;
            // warm both addresses, as the node's precompile is always warm; slots stay cold for
            // k's own keys (seed 9 is used nowhere else before this call for this k)
            _callGas(stop, input, price, 32 * k);
            (bool ok, uint256 used) = _callGas(PRECOMPILE, abi.encodePacked(address(1)), 100_000, 0);
            vm.assertFalse(ok); // 20-byte input: invalid, but warms 0x…0101
            (, uint256 base) = _callGas(stop, input, price, 32 * k);
            (ok, used) = _callGas(PRECOMPILE, input, price, 32 * k);
            vm.assertTrue(ok, "double failed at exactly its price");
            uint256 consumed = used - base;
            vm.assertLe(consumed, price, "double charged too much");
            vm.assertGe(consumed + 60, price);
            // with ample gas it charges the same
            (ok, used) = _callGas(PRECOMPILE, input, 1_000_000, 32 * k);
            vm.assertTrue(ok);
            vm.assertLe(used - base, price);
            vm.assertGe(used - base + 60, price);
        }
    }

    /// @dev Less gas than the price: exceptional halt, all of it consumed.
    function test_double_belowPrice_halts() public view {
        bytes memory input = abi.encodePacked(L1_CONTRACT, _keys(2, 1));
        (bool ok,) = _callGas(PRECOMPILE, input, 6000 - 100, 64);
        vm.assertFalse(ok);
    }

    /// @dev Any length other than 20 + 32k (1 ≤ k ≤ 5) halts and consumes all the gas given.
    function testFuzz_double_badLength_halts(bytes memory input) public view {
        uint256 n = input.length;
        vm.assume(!(n >= 52 && n <= 180 && (n - 20) % 32 == 0));
        (bool ok, uint256 used) = _callGas(PRECOMPILE, input, 50_000, 0);
        vm.assertFalse(ok);
        vm.assertGe(used, 50_000);
    }
}
