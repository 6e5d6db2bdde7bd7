// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ICrossDomainMessenger
/// @notice The part of OP-Stack's CrossDomainMessenger (`@eth-optimism/contracts-bedrock`,
///         src/universal/CrossDomainMessenger.sol) the keystore contracts use. On L1 it is the
///         L1CrossDomainMessenger that relays keystore-chain withdrawals into L1Keystore; on the
///         keystore chain it is the L2CrossDomainMessenger predeploy (0x4200…0007).
interface ICrossDomainMessenger {
    /// @notice The sender on the other chain of the message being relayed. The genuine
    ///         messenger reverts ("xDomainMessageSender is not set") outside a relay.
    function xDomainMessageSender() external view returns (address);

    /// @notice Sends `message` to `target` on the other chain, to be executed with at least
    ///         `minGasLimit` gas.
    function sendMessage(address target, bytes calldata message, uint32 minGasLimit) external payable;
}
