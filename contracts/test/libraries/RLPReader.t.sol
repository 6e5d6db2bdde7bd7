// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {RLPReader} from "../../src/libraries/RLPReader.sol";
import {RLPHarness} from "../harness/ProofHarness.sol";
import {RLPTestEncoder} from "../lib/RLPTestEncoder.sol";
import {Test} from "../lib/Test.sol";

contract RLPReaderTest is Test {
    RLPHarness internal h;

    function setUp() public {
        h = new RLPHarness();
    }

    function _expectRlpError(uint256 reason) internal {
        vm.expectRevert(abi.encodeWithSelector(RLPReader.RLPInvalidEncoding.selector, reason));
    }

    // ---------------------------------------------------------------- well-formed items

    function test_readItem_singleByte_succeeds() public view {
        (bool isList, bytes memory content, bytes memory rest) = h.readItem(hex"7f01");
        vm.assertFalse(isList);
        vm.assertEq(content, hex"7f");
        vm.assertEq(rest, hex"01");
    }

    function test_readItem_emptyString_succeeds() public view {
        (bool isList, bytes memory content, bytes memory rest) = h.readItem(hex"80");
        vm.assertFalse(isList);
        vm.assertEq(content.length, 0);
        vm.assertEq(rest.length, 0);
    }

    function test_readItem_shortString_succeeds() public view {
        (, bytes memory content,) = h.readItem(hex"83646f67");
        vm.assertEq(content, bytes("dog"));
    }

    function test_readItem_singleByteAbove7f_succeeds() public view {
        (, bytes memory content,) = h.readItem(hex"8180");
        vm.assertEq(content, hex"80");
    }

    function test_readItem_longString_succeeds() public view {
        bytes memory s = new bytes(56);
        s[55] = 0x01;
        (, bytes memory content, bytes memory rest) = h.readItem(bytes.concat(hex"b838", s, hex"aa"));
        vm.assertEq(content, s);
        vm.assertEq(rest, hex"aa");
    }

    function test_readItem_lists_succeeds() public view {
        (bool isList, bytes memory content,) = h.readItem(hex"c0");
        vm.assertTrue(isList);
        vm.assertEq(content.length, 0);
        (isList, content,) = h.readItem(hex"c88363617483646f67");
        vm.assertTrue(isList);
        vm.assertEq(content, hex"8363617483646f67");
        bytes memory payload = new bytes(60);
        (isList, content,) = h.readItem(bytes.concat(hex"f83c", payload));
        vm.assertTrue(isList);
        vm.assertEq(content.length, 60);
    }

    function test_readUint_values_succeeds() public view {
        (uint256 v,) = h.readUint(hex"80");
        vm.assertEq(v, 0);
        (v,) = h.readUint(hex"7f");
        vm.assertEq(v, 0x7f);
        (v,) = h.readUint(hex"820400");
        vm.assertEq(v, 0x400);
        (v,) = h.readUint(bytes.concat(hex"a0", bytes32(type(uint256).max)));
        vm.assertEq(v, type(uint256).max);
    }

    function test_readBytes32AndAddress_succeeds() public view {
        (bytes32 w,) = h.readBytes32(bytes.concat(hex"a0", bytes32(uint256(7))));
        vm.assertEq(w, bytes32(uint256(7)));
        (address a,) = h.readAddress(bytes.concat(hex"94", bytes20(address(0xBEEF))));
        vm.assertEq(a, address(0xBEEF));
    }

    function test_skip_items_succeeds() public view {
        bytes memory rest = h.skip(hex"c2010280");
        vm.assertEq(rest, hex"80");
    }

    // ---------------------------------------------------------------- malformed items

    function test_readItem_emptyInput_reverts() public {
        _expectRlpError(RLPReader.ERR_EMPTY);
        h.readItem("");
    }

    function test_readItem_nonCanonicalSingleByte_reverts() public {
        _expectRlpError(RLPReader.ERR_NON_CANONICAL_SINGLE_BYTE);
        h.readItem(hex"8105");
    }

    function test_readItem_zeroAsSingleByteString_reverts() public {
        _expectRlpError(RLPReader.ERR_NON_CANONICAL_SINGLE_BYTE);
        h.readItem(hex"8100");
    }

    function test_readItem_longFormShortString_reverts() public {
        _expectRlpError(RLPReader.ERR_NON_CANONICAL_LONG_FORM);
        h.readItem(hex"b803616263");
    }

    function test_readItem_longFormShortList_reverts() public {
        _expectRlpError(RLPReader.ERR_NON_CANONICAL_LONG_FORM);
        h.readItem(bytes.concat(hex"f837", new bytes(55)));
    }

    function test_readItem_leadingZeroLength_reverts() public {
        bytes memory s = new bytes(0x40);
        _expectRlpError(RLPReader.ERR_LEADING_ZERO_LENGTH);
        h.readItem(bytes.concat(hex"b90040", s));
    }

    function test_readItem_leadingZeroListLength_reverts() public {
        bytes memory s = new bytes(0x40);
        _expectRlpError(RLPReader.ERR_LEADING_ZERO_LENGTH);
        h.readItem(bytes.concat(hex"f90040", s));
    }

    function test_readItem_contentPastEnd_reverts() public {
        _expectRlpError(RLPReader.ERR_OUT_OF_BOUNDS);
        h.readItem(hex"83646f");
    }

    function test_readItem_listPastEnd_reverts() public {
        _expectRlpError(RLPReader.ERR_OUT_OF_BOUNDS);
        h.readItem(hex"c30102");
    }

    function test_readItem_lengthBytesPastEnd_reverts() public {
        _expectRlpError(RLPReader.ERR_OUT_OF_BOUNDS);
        h.readItem(hex"b9");
    }

    function test_readItem_hugeLength_reverts() public {
        _expectRlpError(RLPReader.ERR_OUT_OF_BOUNDS);
        h.readItem(hex"bfffffffffffffffff00");
    }

    function test_readItem_singleByteWithoutContent_reverts() public {
        _expectRlpError(RLPReader.ERR_OUT_OF_BOUNDS);
        h.readItem(hex"81");
    }

    function test_readUint_leadingZero_reverts() public {
        _expectRlpError(RLPReader.ERR_UINT_LEADING_ZERO);
        h.readUint(hex"820001");
    }

    function test_readUint_zeroByte_reverts() public {
        _expectRlpError(RLPReader.ERR_UINT_LEADING_ZERO);
        h.readUint(hex"00");
    }

    function test_readUint_tooLong_reverts() public {
        _expectRlpError(RLPReader.ERR_UINT_TOO_LONG);
        h.readUint(bytes.concat(hex"a101", bytes32(0)));
    }

    function test_readUint_list_reverts() public {
        _expectRlpError(RLPReader.ERR_UNEXPECTED_LIST);
        h.readUint(hex"c0");
    }

    function test_readList_string_reverts() public {
        _expectRlpError(RLPReader.ERR_UNEXPECTED_STRING);
        h.readList(hex"80");
    }

    function test_readBytes32_wrongLength_reverts() public {
        _expectRlpError(RLPReader.ERR_WRONG_LENGTH);
        h.readBytes32(bytes.concat(hex"9f", bytes31(0)));
    }

    function test_readAddress_wrongLength_reverts() public {
        _expectRlpError(RLPReader.ERR_WRONG_LENGTH);
        h.readAddress(bytes.concat(hex"95", bytes21(0)));
    }

    function test_unwrapList_trailingBytes_reverts() public {
        _expectRlpError(RLPReader.ERR_TRAILING_BYTES);
        h.unwrapList(hex"c10101");
    }

    function test_unwrapList_innerItemPastList_reverts() public {
        // the list claims 1 byte of payload, whose item claims 2 more bytes
        _expectRlpError(RLPReader.ERR_OUT_OF_BOUNDS);
        h.reencode(hex"c1820102");
    }

    // ---------------------------------------------------------------- fuzz

    /// Byte strings round-trip through the encoder and the reader.
    function testFuzz_readBytes_roundTrip_succeeds(bytes calldata s, bytes calldata tail) public view {
        bytes memory enc = RLPTestEncoder.encodeBytes(s);
        (bytes memory content, bytes memory rest) = h.readBytes(bytes.concat(enc, tail));
        vm.assertEq(content, s);
        vm.assertEq(rest, tail);
    }

    /// Integers round-trip, and only their minimal encoding is accepted.
    function testFuzz_readUint_roundTrip_succeeds(uint256 v, uint8 pad) public {
        (uint256 got,) = h.readUint(RLPTestEncoder.encodeUint(v));
        vm.assertEq(got, v);
        bytes memory padded = bytes.concat(new bytes(bound(pad, 1, 8)), RLPTestEncoder.minimal(v));
        bytes memory enc = RLPTestEncoder.encodeBytes(padded);
        vm.expectRevert();
        h.readUint(enc);
    }

    /// Lists of random strings round-trip.
    function testFuzz_reencode_listRoundTrip_succeeds(bytes calldata a, bytes calldata b, uint256 n) public view {
        n = bound(n, 0, 20);
        bytes[] memory items = new bytes[](n + 2);
        items[0] = RLPTestEncoder.encodeBytes(a);
        for (uint256 i = 1; i <= n; ++i) {
            items[i] = RLPTestEncoder.encodeUint(uint256(keccak256(abi.encode(a, i))) >> (i * 12));
        }
        bytes[] memory inner = new bytes[](1);
        inner[0] = RLPTestEncoder.encodeBytes(b);
        items[n + 1] = RLPTestEncoder.encodeList(inner);
        bytes memory enc = RLPTestEncoder.encodeList(items);
        vm.assertEq(h.reencode(enc), enc);
    }

    /// Random bytes are only ever accepted when they are the canonical encoding of what they decode to.
    function testFuzz_reencode_randomBytes_onlyCanonicalAccepted_succeeds(bytes calldata data) public view {
        try h.reencode(data) returns (bytes memory again) {
            vm.assertEq(again, data);
        } catch {}
    }

    /// Same, with inputs biased toward RLP-looking prefixes (short lists of short items).
    function testFuzz_reencode_structuredBytes_onlyCanonicalAccepted_succeeds(uint8 prefix, bytes calldata body)
        public
        view
    {
        bytes memory data = bytes.concat(bytes1(prefix), body);
        try h.reencode(data) returns (bytes memory again) {
            vm.assertEq(again, data);
        } catch {}
    }

    /// Truncating a valid encoding anywhere makes it invalid.
    function testFuzz_reencode_truncated_reverts(bytes calldata s, uint256 cut) public {
        bytes[] memory items = new bytes[](2);
        items[0] = RLPTestEncoder.encodeBytes(s);
        items[1] = RLPTestEncoder.encodeUint(cut);
        bytes memory enc = RLPTestEncoder.encodeList(items);
        cut = bound(cut, 0, enc.length - 1);
        bytes memory truncated = new bytes(cut);
        for (uint256 i; i < cut; ++i) {
            truncated[i] = enc[i];
        }
        vm.expectRevert();
        h.reencode(truncated);
    }
}
