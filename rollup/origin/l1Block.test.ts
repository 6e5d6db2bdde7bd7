import { size, slice } from 'viem'
import { describe, expect, test } from 'vitest'
import { blobBaseFee, encodeSetL1BlockValuesEcotone } from './l1Block.js'

describe('encodeSetL1BlockValuesEcotone', () => {
  test('packs the fields at the offsets L1Block.sol reads', () => {
    const data = encodeSetL1BlockValuesEcotone({
      baseFeeScalar: 0x11223344,
      blobBaseFeeScalar: 0x55667788,
      sequenceNumber: 0x0102030405060708n,
      timestamp: 0x1112131415161718n,
      number: 0x2122232425262728n,
      basefee: 7n,
      blobBaseFee: 9n,
      hash: `0x${'ab'.repeat(32)}`,
      batcherHash: `0x${'cd'.repeat(32)}`,
    })
    expect(size(data)).toBe(164)
    expect(slice(data, 0, 4)).toBe('0x440a5e20') // setL1BlockValuesEcotone()
    // calldataload(4) >> 128: baseFeeScalar ‖ blobBaseFeeScalar ‖ sequenceNumber
    expect(slice(data, 4, 20)).toBe('0x11223344556677880102030405060708')
    // calldataload(20) >> 128: timestamp ‖ number
    expect(slice(data, 20, 36)).toBe('0x11121314151617182122232425262728')
    expect(BigInt(slice(data, 36, 68))).toBe(7n)
    expect(BigInt(slice(data, 68, 100))).toBe(9n)
    expect(slice(data, 100, 132)).toBe(`0x${'ab'.repeat(32)}`)
    expect(slice(data, 132, 164)).toBe(`0x${'cd'.repeat(32)}`)
  })
})

describe('blobBaseFee', () => {
  test('follows EIP-4844 fake_exponential', () => {
    expect(blobBaseFee(0n)).toBe(1n)
    // e^(excess/fraction): at excess = fraction the fee is floor(e) = 2
    expect(blobBaseFee(5007716n)).toBe(2n)
    expect(blobBaseFee(5007716n * 10n)).toBe(22026n) // floor(e^10)
  })
})
