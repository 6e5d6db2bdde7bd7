// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Test code: narrowing casts here are on values already reduced to the target range.
// forge-lint: disable-start(unsafe-typecast)

import {BlockHeader} from "../../src/libraries/BlockHeader.sol";
import {RLPReader} from "../../src/libraries/RLPReader.sol";
import {RLPHarness} from "../harness/ProofHarness.sol";
import {HeaderBuilder} from "../lib/HeaderBuilder.sol";
import {RLPTestEncoder} from "../lib/RLPTestEncoder.sol";
import {Test} from "../lib/Test.sol";

contract BlockHeaderTest is Test {
    RLPHarness internal h;

    function setUp() public {
        h = new RLPHarness();
    }

    function _fields(uint256 count) internal pure returns (HeaderBuilder.Fields memory f) {
        f = HeaderBuilder.prague(keccak256("parent"), 21_000_000, keccak256("state"));
        f.fieldCount = count;
        f.extraData = "builder";
    }

    function _checkDecode(HeaderBuilder.Fields memory f) internal view {
        bytes memory rlp = HeaderBuilder.encode(f);
        BlockHeader.Header memory d = h.decodeHeader(rlp);
        vm.assertEq(d.hash, keccak256(rlp));
        vm.assertEq(d.parentHash, f.parentHash);
        vm.assertEq(d.stateRoot, f.stateRoot);
        vm.assertEq(d.number, f.number);
        vm.assertEq(d.timestamp, f.timestamp);
        vm.assertEq(d.parentBeaconRoot, f.fieldCount > 19 ? f.parentBeaconRoot : bytes32(0));
    }

    function _expectInvalidField(uint256 field, uint256 reason) internal {
        vm.expectRevert(abi.encodeWithSelector(BlockHeader.BlockHeaderInvalidField.selector, field, reason));
    }

    function _expectMalformed(uint256 reason) internal {
        vm.expectRevert(abi.encodeWithSelector(BlockHeader.BlockHeaderMalformed.selector, reason));
    }

    // ------------------------------------------------------------------ real headers

    function test_decode_anvilPragueHeaders_succeeds() public view {
        string memory json = vm.readFile("test/fixtures/anvil.json");
        uint256 n;
        for (uint256 i;; ++i) {
            string memory p = string.concat(".headers[", vm.toString(i), "]");
            bytes memory rlp;
            try vm.parseJsonBytes(json, string.concat(p, ".rlp")) returns (bytes memory r) {
                rlp = r;
            } catch {
                break;
            }
            BlockHeader.Header memory d = h.decodeHeader(rlp);
            vm.assertEq(d.hash, vm.parseJsonBytes32(json, string.concat(p, ".hash")));
            vm.assertEq(d.parentHash, vm.parseJsonBytes32(json, string.concat(p, ".parentHash")));
            vm.assertEq(d.stateRoot, vm.parseJsonBytes32(json, string.concat(p, ".stateRoot")));
            vm.assertEq(d.number, vm.parseJsonUint(json, string.concat(p, ".number")));
            vm.assertEq(d.timestamp, vm.parseJsonUint(json, string.concat(p, ".timestamp")));
            vm.assertEq(d.parentBeaconRoot, vm.parseJsonBytes32(json, string.concat(p, ".parentBeaconRoot")));
            ++n;
        }
        vm.assertGt(n, 2);
    }

    // ------------------------------------------------------------------ forks

    function test_decode_londonHeader_succeeds() public view {
        _checkDecode(_fields(16));
    }

    function test_decode_shanghaiHeader_succeeds() public view {
        _checkDecode(_fields(17));
    }

    function test_decode_cancunHeader_succeeds() public view {
        _checkDecode(_fields(20));
    }

    function test_decode_pragueHeader_succeeds() public view {
        _checkDecode(_fields(21));
    }

    function test_decode_futureTrailingFields_succeeds() public view {
        _checkDecode(_fields(22));
        _checkDecode(_fields(24)); // includes a list field
        _checkDecode(_fields(30));
    }

    function test_decode_preLondonHeader_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(BlockHeader.BlockHeaderTooFewFields.selector, 15));
        h.decodeHeader(HeaderBuilder.encode(_fields(15)));
    }

    // ------------------------------------------------------------------ malformed

    function test_decode_emptyInput_reverts() public {
        _expectMalformed(RLPReader.ERR_EMPTY);
        h.decodeHeader("");
    }

    function test_decode_notAList_reverts() public {
        _expectMalformed(RLPReader.ERR_UNEXPECTED_STRING);
        h.decodeHeader(RLPTestEncoder.encodeBytes(HeaderBuilder.encode(_fields(21))));
    }

    function test_decode_trailingGarbage_reverts() public {
        _expectMalformed(RLPReader.ERR_TRAILING_BYTES);
        h.decodeHeader(bytes.concat(HeaderBuilder.encode(_fields(21)), hex"00"));
    }

    function test_decode_truncated_reverts() public {
        bytes memory rlp = HeaderBuilder.encode(_fields(21));
        assembly ("memory-safe") {
            mstore(rlp, sub(mload(rlp), 1))
        }
        _expectMalformed(RLPReader.ERR_OUT_OF_BOUNDS);
        h.decodeHeader(rlp);
    }

    function test_decode_nonCanonicalOuterLength_reverts() public {
        bytes memory rlp = HeaderBuilder.encode(_fields(21));
        // f9 LLLL -> fa 00 LLLL (a leading zero length byte)
        bytes memory bad = bytes.concat(hex"fa00", rlp[1], rlp[2]);
        for (uint256 i = 3; i < rlp.length; ++i) {
            bad = bytes.concat(bad, rlp[i]);
        }
        _expectMalformed(RLPReader.ERR_LEADING_ZERO_LENGTH);
        h.decodeHeader(bad);
    }

    function test_decode_shortParentHash_reverts() public {
        bytes[] memory it = HeaderBuilder.items(_fields(21));
        it[0] = RLPTestEncoder.encodeBytes(abi.encodePacked(bytes31(keccak256("parent"))));
        _expectInvalidField(0, RLPReader.ERR_WRONG_LENGTH);
        h.decodeHeader(RLPTestEncoder.encodeList(it));
    }

    function test_decode_shortStateRoot_reverts() public {
        bytes[] memory it = HeaderBuilder.items(_fields(21));
        it[3] = RLPTestEncoder.encodeBytes(abi.encodePacked(bytes20(keccak256("state"))));
        _expectInvalidField(3, RLPReader.ERR_WRONG_LENGTH);
        h.decodeHeader(RLPTestEncoder.encodeList(it));
    }

    function test_decode_numberLeadingZero_reverts() public {
        bytes[] memory it = HeaderBuilder.items(_fields(21));
        it[8] = hex"83000001";
        _expectInvalidField(8, RLPReader.ERR_UINT_LEADING_ZERO);
        h.decodeHeader(RLPTestEncoder.encodeList(it));
    }

    function test_decode_timestampTooLong_reverts() public {
        bytes[] memory it = HeaderBuilder.items(_fields(21));
        it[11] = RLPTestEncoder.encodeBytes(bytes.concat(hex"01", bytes32(0)));
        _expectInvalidField(11, RLPReader.ERR_UINT_TOO_LONG);
        h.decodeHeader(RLPTestEncoder.encodeList(it));
    }

    function test_decode_listInKnownField_reverts() public {
        bytes[] memory it = HeaderBuilder.items(_fields(21));
        it[19] = hex"c0";
        _expectInvalidField(19, RLPReader.ERR_UNEXPECTED_LIST);
        h.decodeHeader(RLPTestEncoder.encodeList(it));
    }

    function test_decode_badBloomLength_reverts() public {
        bytes[] memory it = HeaderBuilder.items(_fields(21));
        it[6] = RLPTestEncoder.encodeBytes(new bytes(255));
        _expectInvalidField(6, RLPReader.ERR_WRONG_LENGTH);
        h.decodeHeader(RLPTestEncoder.encodeList(it));
    }

    function test_decode_nonCanonicalField_reverts() public {
        bytes[] memory it = HeaderBuilder.items(_fields(21));
        it[12] = hex"b80161"; // "a" in long form
        _expectInvalidField(12, RLPReader.ERR_NON_CANONICAL_LONG_FORM);
        h.decodeHeader(RLPTestEncoder.encodeList(it));
    }

    function test_decode_malformedTrailingField_reverts() public {
        bytes[] memory it = HeaderBuilder.items(_fields(22));
        it[21] = hex"8105"; // 0x05 wrapped
        _expectInvalidField(21, RLPReader.ERR_NON_CANONICAL_SINGLE_BYTE);
        h.decodeHeader(RLPTestEncoder.encodeList(it));
    }

    function test_decode_fieldPastList_reverts() public {
        bytes[] memory it = HeaderBuilder.items(_fields(21));
        // the last field claims 33 bytes but only 32 follow inside the list
        it[20] = bytes.concat(hex"a1", bytes32(keccak256("requests")));
        bytes memory payload = RLPTestEncoder.concat(it);
        bytes memory rlp = bytes.concat(hex"f9", bytes2(uint16(payload.length - 1)), payload);
        assembly ("memory-safe") {
            mstore(rlp, sub(mload(rlp), 1))
        }
        _expectInvalidField(20, RLPReader.ERR_OUT_OF_BOUNDS);
        h.decodeHeader(rlp);
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_decode_roundTrip_succeeds(
        bytes32 parentHash,
        bytes32 stateRoot,
        uint64 number,
        uint64 timestamp,
        bytes32 beacon,
        uint8 count,
        bytes calldata extraData
    ) public view {
        HeaderBuilder.Fields memory f;
        f.parentHash = parentHash;
        f.stateRoot = stateRoot;
        f.number = number;
        f.timestamp = timestamp;
        f.parentBeaconRoot = beacon;
        f.extraData = extraData;
        f.fieldCount = bound(count, 16, 28);
        _checkDecode(f);
    }

    function testFuzz_decode_truncated_reverts(uint256 cut) public {
        bytes memory rlp = HeaderBuilder.encode(_fields(21));
        cut = bound(cut, 0, rlp.length - 1);
        assembly ("memory-safe") {
            mstore(rlp, cut)
        }
        vm.expectRevert();
        h.decodeHeader(rlp);
    }

    function testFuzz_decode_extended_reverts(bytes calldata extra) public {
        vm.assume(extra.length > 0);
        vm.expectRevert();
        h.decodeHeader(bytes.concat(HeaderBuilder.encode(_fields(21)), extra));
    }

    /// A header with one byte changed either is rejected or decodes to a header with another hash;
    /// when it decodes, it is canonical RLP (re-encoding gives the same bytes).
    function testFuzz_decode_mutatedByte_onlyCanonicalAccepted_succeeds(uint256 pos, uint8 delta) public view {
        bytes memory rlp = HeaderBuilder.encode(_fields(21));
        pos = bound(pos, 0, rlp.length - 1);
        rlp[pos] = bytes1(uint8(rlp[pos]) ^ (delta | 1));
        try h.decodeHeader(rlp) returns (BlockHeader.Header memory d) {
            vm.assertEq(d.hash, keccak256(rlp));
            vm.assertEq(h.reencode(rlp), rlp);
        } catch {}
    }

    function testFuzz_decode_randomBytes_onlyCanonicalAccepted_succeeds(bytes calldata data) public view {
        try h.decodeHeader(data) {
            vm.assertEq(h.reencode(data), data);
        } catch {}
    }

    function test_decode_gas_succeeds() public {
        string memory json = vm.readFile("test/fixtures/anvil.json");
        uint256 gasUsed = h.decodeHeaderGas(vm.parseJsonBytes(json, ".block.rlp"));
        vm.snapshotValue("decodePragueHeader", gasUsed);
        vm.assertLt(gasUsed, 10_000);
    }
}
// forge-lint: disable-end(unsafe-typecast)
