// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Test code: narrowing casts here are on values already reduced to the target range.
// forge-lint: disable-start(unsafe-typecast)

import {IL1Block} from "../../src/interfaces/IL1Block.sol";
import {HeaderBuilder} from "../lib/HeaderBuilder.sol";
import {Vm} from "../lib/Test.sol";

/// @notice Shared helpers for L1Blocks tests: the genuine OP L1Block predeploy (runtime bytecode
///         from contracts-bedrock's forge artifacts, copied into test/fixtures/l1block.json by
///         scripts/gen-proof-fixtures.ts), updated by the depositor account the way an OP sequencer
///         does, and Prague headers built on demand.
library L1BlocksTestLib {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    address internal constant L1_BLOCK = 0x4200000000000000000000000000000000000015;
    address internal constant DEPOSITOR = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;

    /// @notice Installs the genuine L1Block runtime bytecode at its predeploy address.
    function etchL1Block() internal {
        bytes memory code = vm.parseJsonBytes(vm.readFile("test/fixtures/l1block.json"), ".deployedBytecode");
        vm.etch(L1_BLOCK, code);
    }

    /// @notice Sets L1Block's origin hash as the sequencer's L1-attributes deposit does
    ///         (setL1BlockValuesEcotone, packed calldata, sent by the depositor account).
    function setAnchor(bytes32 hash, uint64 number, uint64 timestamp) internal {
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
        require(IL1Block(L1_BLOCK).hash() == hash, "anchor not set");
    }

    /// @notice A Prague header; `salt` distinguishes siblings (forks) at the same height.
    function header(bytes32 parentHash, uint256 number, uint256 salt) internal pure returns (bytes memory) {
        HeaderBuilder.Fields memory f =
            HeaderBuilder.prague(parentHash, number, keccak256(abi.encode("state", number, salt)));
        f.extraData = abi.encodePacked(uint64(salt));
        return HeaderBuilder.encode(f);
    }

    function stateRootOf(uint256 number, uint256 salt) internal pure returns (bytes32) {
        return keccak256(abi.encode("state", number, salt));
    }
}
// forge-lint: disable-end(unsafe-typecast)
