// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Vm} from "./Test.sol";

/// @notice The parts of contracts-bedrock 0.17.3's L2CrossDomainMessenger the tests call.
interface IOpL2CrossDomainMessenger {
    function initialize(address l1CrossDomainMessenger) external;
    function messageNonce() external view returns (uint256);
    function baseGas(bytes calldata message, uint32 minGasLimit) external pure returns (uint64);
    function OTHER_MESSENGER() external view returns (address);
}

/// @notice The parts of contracts-bedrock 0.17.3's L1CrossDomainMessenger the tests call.
interface IOpL1CrossDomainMessenger {
    function initialize(address superchainConfig, address portal, address systemConfig) external;
    function relayMessage(
        uint256 nonce,
        address sender,
        address target,
        uint256 value,
        uint256 minGasLimit,
        bytes calldata message
    ) external payable;
    function successfulMessages(bytes32 msgHash) external view returns (bool);
    function failedMessages(bytes32 msgHash) external view returns (bool);
    function xDomainMessageSender() external view returns (address);
}

/// @notice The parts of contracts-bedrock 0.17.3's L2ToL1MessagePasser the tests call.
interface IOpL2ToL1MessagePasser {
    function sentMessages(bytes32 withdrawalHash) external view returns (bool);
    function messageNonce() external view returns (uint256);
}

/// @notice The genuine OP-Stack contracts (runtime bytecode from contracts-bedrock's npm package,
///         its forge-artifacts folder, read with `vm.getDeployedCode`; foundry.toml grants read
///         access to that folder), etched where
///         the keystore chain (and its L1) has them. None of them has immutables, so the runtime
///         bytecode is the deployed code; their storage starts empty and `initialize` sets it as
///         the OP deploy scripts do. contracts-bedrock pins solc 0.8.15 and is not compiled here.
library OpStack {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    address internal constant L2_CROSS_DOMAIN_MESSENGER = 0x4200000000000000000000000000000000000007;
    address internal constant L1_BLOCK = 0x4200000000000000000000000000000000000015;
    address internal constant L2_TO_L1_MESSAGE_PASSER = 0x4200000000000000000000000000000000000016;
    /// @notice The L1-attributes depositor, the only account that may update L1Block.
    address internal constant DEPOSITOR = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;
    /// @notice CrossDomainMessenger's "no message being relayed" sender.
    address internal constant DEFAULT_L2_SENDER = 0x000000000000000000000000000000000000dEaD;

    // Events, declared here for decoding recorded logs (signatures as in contracts-bedrock).
    event MessagePassed(
        uint256 indexed nonce,
        address indexed sender,
        address indexed target,
        uint256 value,
        uint256 gasLimit,
        bytes data,
        bytes32 withdrawalHash
    );
    event SentMessage(address indexed target, address sender, bytes message, uint256 messageNonce, uint256 gasLimit);
    event RelayedMessage(bytes32 indexed msgHash);
    event FailedRelayedMessage(bytes32 indexed msgHash);

    string private constant _ARTIFACTS = "../node_modules/@eth-optimism/contracts-bedrock/forge-artifacts/";

    /// @notice The runtime bytecode of contracts-bedrock's `name`.
    function code(string memory name) internal view returns (bytes memory) {
        return vm.getDeployedCode(string.concat(_ARTIFACTS, name, ".sol/", name, ".json"));
    }

    /// @notice The keystore chain's predeploys the messenger path needs: L1Block (the messenger
    ///         asks it for the gas-paying token), L2ToL1MessagePasser, and L2CrossDomainMessenger
    ///         initialised with `l1Messenger` as its other side.
    function installL2(address l1Messenger) internal {
        vm.etch(L1_BLOCK, code("L1Block"));
        vm.etch(L2_TO_L1_MESSAGE_PASSER, code("L2ToL1MessagePasser"));
        vm.etch(L2_CROSS_DOMAIN_MESSENGER, code("L2CrossDomainMessenger"));
        IOpL2CrossDomainMessenger(L2_CROSS_DOMAIN_MESSENGER).initialize(l1Messenger);
    }

    /// @notice The genuine L1CrossDomainMessenger at `at`, with genuine (empty-storage)
    ///         SuperchainConfig (not paused) and SystemConfig (ether pays gas) at the given
    ///         addresses, and `portal` (a test double) as its portal.
    function installL1Messenger(address at, address portal, address superchainConfig, address systemConfig) internal {
        vm.etch(superchainConfig, code("SuperchainConfig"));
        vm.etch(systemConfig, code("SystemConfig"));
        vm.etch(at, code("L1CrossDomainMessenger"));
        IOpL1CrossDomainMessenger(at).initialize(superchainConfig, portal, systemConfig);
    }

    /// @notice Sets L1Block's origin as the sequencer's L1-attributes deposit does
    ///         (setL1BlockValuesEcotone, packed calldata, from the depositor account).
    function setL1Origin(uint64 number, uint64 timestamp, bytes32 hash) internal {
        bytes memory data = abi.encodePacked(
            bytes4(keccak256("setL1BlockValuesEcotone()")),
            uint32(1368), // baseFeeScalar
            uint32(810_949), // blobBaseFeeScalar
            uint64(0), // sequenceNumber
            timestamp,
            number,
            uint256(7 gwei), // basefee
            uint256(1), // blobBaseFee
            hash,
            bytes32(uint256(uint160(address(0xBA7C4E2))))
        );
        vm.prank(DEPOSITOR);
        (bool ok,) = L1_BLOCK.call(data);
        require(ok, "setL1BlockValuesEcotone failed");
    }

    /// @notice Hashing.hashWithdrawal: the L2ToL1MessagePasser's `sentMessages` key.
    function withdrawalHash(
        uint256 nonce,
        address sender,
        address target,
        uint256 value,
        uint256 gasLimit,
        bytes memory data
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(nonce, sender, target, value, gasLimit, data));
    }
}
