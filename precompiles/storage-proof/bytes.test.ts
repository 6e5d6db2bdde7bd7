import { describe, expect, test } from 'vitest'
import { bytesToBigInt, decodeHexPortable, padLeft, toHex, tryToBytes } from './bytes.js'
import { seededBytes } from './testing/synthProof.js'

describe('byte helpers', () => {
  test('hex decoding: Buffer and portable paths agree, malformed input is refused', () => {
    const random = seededBytes(4)
    for (const size of [0, 1, 32, 532]) {
      const bytes = random(size)
      const hex = toHex(bytes)
      expect(tryToBytes(hex)).toEqual(bytes)
      expect(decodeHexPortable(hex)).toEqual(bytes)
      expect(tryToBytes(hex.toUpperCase().replace('0X', '0x') as `0x${string}`)).toEqual(bytes)
    }
    for (const bad of ['0x0', '12', '0x0g', '0xg0', '0x12 3', 'xx12']) {
      expect(tryToBytes(bad as `0x${string}`)).toBeUndefined()
      if (bad.startsWith('0x') && bad.length % 2 === 0) expect(decodeHexPortable(bad)).toBeUndefined()
    }
    const view = tryToBytes('0xabcd')!
    expect(Object.getPrototypeOf(view)).toBe(Uint8Array.prototype) // not a Buffer: slice() copies
  })

  test('integers and padding', () => {
    expect(bytesToBigInt(new Uint8Array())).toBe(0n)
    expect(bytesToBigInt(tryToBytes('0x0102')!)).toBe(0x102n)
    expect(bytesToBigInt(new Uint8Array(32).fill(0xff))).toBe(2n ** 256n - 1n)
    expect(toHex(padLeft(tryToBytes('0x01')!, 4))).toBe('0x00000001')
  })
})
