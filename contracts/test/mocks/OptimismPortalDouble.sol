// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Test double of the keystore rollup's OptimismPortal at the L1CrossDomainMessenger's
///         boundary: only what the genuine messenger observes of it. `finalize` stands for
///         `finalizeWithdrawalTransaction` after the withdrawal was proven and its window passed
///         (proof, output roots and the window are the relayer's and L2OutputOracle's business,
///         tested elsewhere): `l2Sender()` returns the withdrawal's sender while it calls the
///         target, and the target gets exactly the withdrawal's gas limit, the least the genuine
///         portal guarantees (`SafeCall.callWithMinGas`). Like the genuine portal it does not
///         revert when the call fails; it returns the result.
contract OptimismPortalDouble {
    address private constant _DEFAULT_L2_SENDER = 0x000000000000000000000000000000000000dEaD;

    /// @notice The L2 sender of the withdrawal being finalized (DEFAULT_L2_SENDER outside).
    address public l2Sender = _DEFAULT_L2_SENDER;

    /// @notice Calls `target` with `data` and exactly `gasLimit` gas while `l2Sender()` is `sender`.
    function finalize(address sender, address target, uint256 gasLimit, bytes calldata data)
        external
        returns (bool success)
    {
        require(gasleft() > gasLimit + gasLimit / 63 + 10_000, "OptimismPortalDouble: not enough gas");
        l2Sender = sender;
        (success,) = target.call{gas: gasLimit}(data);
        l2Sender = _DEFAULT_L2_SENDER;
    }
}
