// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title GasMeter
/// @notice Benchmark helper only: measures the execution gas of one call. Receipts cannot give
///         execution gas for calldata-heavy transactions since EIP-7623's calldata floor may set
///         `gasUsed`, so benchmarks call through this meter (with `eth_call` or a transaction) and
///         read `gasUsed`, which includes the CALL itself (cold account access) for every target
///         alike.
contract GasMeter {
    event Measured(address indexed target, uint256 gasUsed, bool ok);

    function measure(address target, bytes calldata data)
        external
        returns (uint256 gasUsed, bool ok, bytes memory ret)
    {
        uint256 start = gasleft();
        (ok, ret) = target.call(data);
        gasUsed = start - gasleft();
        emit Measured(target, gasUsed, ok);
    }
}
