// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title L1Sload
/// @notice Calls the RIP-7728 L1SLOAD precompile of the keystore chain (DESIGN §4): it returns
///         storage slots of an L1 contract at the L2 block's L1 origin, no proof needed.
///           address  0x0000000000000000000000000000000000000101
///           input    20-byte L1 address ‖ k 32-byte storage keys, 1 ≤ k ≤ 5
///           output   k 32-byte values, in key order (absent slot or account: zero)
///           gas      2000 + 2000·k
///           failure  any other input length, or a gas limit below the price: exceptional
///                    halt, i.e. all gas given to the call is consumed and nothing is returned
///
/// @dev GAS FORWARDING. A STATICCALL forwarding `gas()` (all but 1/64 of what is left) would, on
///      failure, burn 63/64 of the caller's gas and leave too little to report anything: the
///      caller would see an out-of-gas instead of an error. This library forwards exactly the
///      price, `gasCost(k)`. The precompile charges exactly that on success, so nothing changes
///      there, and on failure the caller loses only the price and reverts with a specific error
///      (`L1SloadCallFailed`). The key count is checked before the call (`L1SloadInvalidKeyCount`),
///      so the only failures left are the precompile's own: too little gas left in the caller
///      (the EVM forwards at most 63/64 of it), or a precompile that halts for its own reasons.
///      Coupling: if a chain ever prices L1SLOAD higher than RIP-7728, every call here fails with
///      `L1SloadCallFailed` (loudly, never with a wrong value); the constants below then change.
///
/// @dev A chain without the precompile runs nothing at 0x…0101: the call "succeeds" with no
///      output. The return length is therefore always checked (`L1SloadUnexpectedOutput`), so a
///      missing precompile can never read as "all keys are zero".
///
/// @dev On the keystore chain's node, an L1 RPC failure inside the precompile never becomes an
///      EVM result: the node drops the transaction (precompiles/l1sload/README.md). A revert from
///      this library is therefore a property of the call, not of the node's L1 connection.
library L1Sload {
    /// @notice The precompile's address (RIP-7728).
    address internal constant PRECOMPILE = 0x0000000000000000000000000000000000000101;
    /// @notice Gas charged once per call.
    uint256 internal constant FIXED_GAS = 2000;
    /// @notice Gas charged per key.
    uint256 internal constant PER_KEY_GAS = 2000;
    /// @notice Keys one call may read.
    uint256 internal constant MAX_KEYS = 5;

    /// @notice Zero keys, or more than MAX_KEYS, were asked for in one call.
    error L1SloadInvalidKeyCount(uint256 keyCount);
    /// @notice The precompile halted (input rejected, or out of gas): the gas given to the call,
    ///         at most `gasLimit`, was consumed.
    error L1SloadCallFailed(address l1Address, uint256 keyCount, uint256 gasLimit);
    /// @notice The call returned `actualLength` bytes instead of 32 per key; zero bytes means no
    ///         precompile runs at 0x…0101 on this chain.
    error L1SloadUnexpectedOutput(address l1Address, uint256 expectedLength, uint256 actualLength);

    /// @notice The gas the precompile charges for `keyCount` keys.
    function gasCost(uint256 keyCount) internal pure returns (uint256) {
        return FIXED_GAS + PER_KEY_GAS * keyCount;
    }

    /// @notice The value of storage slot `key` of `l1Address` at the L1 origin.
    function load(address l1Address, bytes32 key) internal view returns (bytes32 value) {
        uint256 gasLimit = FIXED_GAS + PER_KEY_GAS;
        bool ok;
        uint256 size;
        assembly ("memory-safe") {
            // Input: the address's 20 bytes, then the key: 52 bytes from the free memory pointer.
            // The memory is used as scratch and not allocated (nothing later relies on it).
            let input := mload(0x40)
            mstore(input, shl(96, l1Address))
            mstore(add(input, 20), key)
            // Output: one word into scratch slot 0 (zeroed first, so a short answer reads 0 and
            // is rejected below by its length, never used).
            mstore(0x00, 0)
            ok := staticcall(gasLimit, PRECOMPILE, input, 52, 0x00, 0x20)
            size := returndatasize()
            value := mload(0x00)
        }
        if (!ok) revert L1SloadCallFailed(l1Address, 1, gasLimit);
        if (size != 32) revert L1SloadUnexpectedOutput(l1Address, 32, size);
    }

    /// @notice The values of storage slots `keys` (1 to MAX_KEYS) of `l1Address` at the L1
    ///         origin, in order; one precompile call, so 2000 gas cheaper per extra key than
    ///         separate `load`s.
    function load(address l1Address, bytes32[] memory keys) internal view returns (bytes32[] memory values) {
        uint256 n = keys.length;
        if (n == 0 || n > MAX_KEYS) revert L1SloadInvalidKeyCount(n);
        values = new bytes32[](n);
        uint256 gasLimit = FIXED_GAS + PER_KEY_GAS * n;
        bool ok;
        uint256 size;
        assembly ("memory-safe") {
            // Input: address ‖ keys (20 + 32n bytes) built past the free memory pointer, which now
            // points after `values`; scratch use, not allocated.
            let input := mload(0x40)
            let keysLength := mul(n, 0x20)
            mstore(input, shl(96, l1Address))
            mcopy(add(input, 20), add(keys, 0x20), keysLength)
            // Output straight into `values`' data (zero-initialised; length checked below).
            ok := staticcall(gasLimit, PRECOMPILE, input, add(20, keysLength), add(values, 0x20), keysLength)
            size := returndatasize()
        }
        if (!ok) revert L1SloadCallFailed(l1Address, n, gasLimit);
        if (size != n * 32) revert L1SloadUnexpectedOutput(l1Address, n * 32, size);
    }
}
