// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Vm} from "../lib/Test.sol";

/// @notice Test double of the RIP-7728 L1SLOAD precompile, installed with `vm.etch` at 0x…0101.
///         A true boundary: forge's EVM has no precompile there, and the real one lives in the
///         keystore chain's node (precompiles/l1sload, TypeScript, which asks an L1 RPC). The
///         double answers from a mapping the test fills (L1SloadDouble.set / .copyFrom), standing
///         for "L1 state at the L1 origin"; the tests move that origin by copying slots.
///
///         Semantics kept, as precompiles/l1sload/README.md specifies them:
///         - input 20-byte address ‖ k 32-byte keys, 1 ≤ k ≤ 5; any other length halts with all
///           gas consumed (INVALID);
///         - a call given less than 2000 + 2000·k gas halts with all gas consumed;
///         - output k 32-byte values in key order, unset slots zero;
///         - gas: it burns down to 2000 + 2000·k consumed (at most 60 gas less, checked by
///           L1Sload.t.sol), so gas measured through it matches the node's price. The node treats
///           0x…0101 as a warm precompile; forge does not, so gas tests warm it first.
///         It has no functions (any 4 bytes may start an input); tests write its storage with
///         `vm.store`. Storage: slot 0 `mapping(address => mapping(bytes32 => bytes32))`.
contract L1SloadPrecompileDouble {
    /// @dev Gas spent before the fallback's first `gas()` (free-pointer store, callvalue check),
    ///      so that entry gas + PROLOGUE is the call's gas limit. Calibrated by L1Sload.t.sol.
    uint256 internal constant PROLOGUE = 47;
    /// @dev Gas left for the burn loop's last round and the `return` after it (a round costs
    ///      about 35; too little here and the double runs out of gas at exactly its price).
    uint256 internal constant EPILOGUE = 70;

    mapping(address => mapping(bytes32 => bytes32)) internal _values;

    fallback() external {
        assembly {
            let limit := add(gas(), PROLOGUE)
            let size := calldatasize()
            // k = (size - 20) / 32; lengths outside 52..180 or not 20 mod 32 are invalid input.
            let k := div(sub(size, 20), 32)
            if or(or(lt(size, 52), gt(size, 180)), iszero(eq(size, add(20, mul(k, 32))))) { invalid() }
            let price := add(2000, mul(2000, k))
            if lt(limit, price) { invalid() }
            // _values[account] base slot: keccak256(account ‖ 0).
            mstore(0x00, shr(96, calldataload(0)))
            mstore(0x20, 0)
            let base := keccak256(0x00, 0x40)
            for { let i := 0 } lt(i, k) { i := add(i, 1) } {
                mstore(0x00, calldataload(add(20, mul(i, 32))))
                mstore(0x20, base)
                mstore(add(0x80, mul(i, 32)), sload(keccak256(0x00, 0x40)))
            }
            // Burn until `price` is consumed: leave limit - price (+ the epilogue's own cost).
            let floor := add(sub(limit, price), EPILOGUE)
            for {} gt(gas(), floor) {} {}
            return(0x80, mul(k, 32))
        }
    }
}

/// @notice Installs and fills the L1SLOAD double.
library L1SloadDouble {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    address internal constant PRECOMPILE = 0x0000000000000000000000000000000000000101;

    /// @notice Etches the double at 0x…0101 (its storage, i.e. the values, stays).
    function install() internal {
        vm.etch(PRECOMPILE, address(new L1SloadPrecompileDouble()).code);
    }

    /// @notice "At the L1 origin, `l1Address`'s slot `slot` holds `value`."
    function set(address l1Address, bytes32 slot, bytes32 value) internal {
        vm.store(PRECOMPILE, _slotOf(l1Address, slot), value);
    }

    /// @notice Moves the origin forward for one slot: copies its current value from the L1
    ///         contract (deployed in the same forge EVM) into the double.
    function copyFrom(address l1Address, bytes32 slot) internal {
        set(l1Address, slot, vm.load(l1Address, slot));
    }

    /// @notice The value the double serves for (`l1Address`, `slot`).
    function get(address l1Address, bytes32 slot) internal view returns (bytes32) {
        return vm.load(PRECOMPILE, _slotOf(l1Address, slot));
    }

    function _slotOf(address l1Address, bytes32 slot) private pure returns (bytes32) {
        return keccak256(abi.encode(slot, keccak256(abi.encode(l1Address, uint256(0)))));
    }
}
