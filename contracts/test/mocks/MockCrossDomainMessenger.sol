// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Test double of the L1CrossDomainMessenger at the keystore's boundary: only what
///         L1Keystore observes of it. `relay` calls `target` while `xDomainMessageSender()`
///         returns `sender`, and, like the genuine messenger, `xDomainMessageSender()` reverts
///         outside a relay. Reverts of the target bubble up (the genuine messenger would record
///         the message as failed instead; the tests only care that nothing changed).
contract MockCrossDomainMessenger {
    address private constant _DEFAULT_SENDER = 0x000000000000000000000000000000000000dEaD;
    address private _sender = _DEFAULT_SENDER;

    function xDomainMessageSender() external view returns (address) {
        require(_sender != _DEFAULT_SENDER, "CrossDomainMessenger: xDomainMessageSender is not set");
        return _sender;
    }

    function relay(address sender, address target, bytes calldata message) external returns (bytes memory) {
        _sender = sender;
        (bool ok, bytes memory ret) = target.call(message);
        _sender = _DEFAULT_SENDER;
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }
}
