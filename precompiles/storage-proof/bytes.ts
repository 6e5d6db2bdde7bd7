/** Small byte helpers for the verifier's hot path (internal; not exported from the package). */
import type { Hex } from 'viem'

/** Nibble value of each ASCII code, or 255 for a non-hex character. */
const HEX_VALUE = /*#__PURE__*/ (() => {
  const table = new Uint8Array(256).fill(255)
  for (let i = 0; i < 10; i++) table[48 + i] = i
  for (let i = 0; i < 6; i++) {
    table[65 + i] = 10 + i
    table[97 + i] = 10 + i
  }
  return table
})()

// Node's native hex decoder is ~4x faster than the loop below; it is used when present.
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer

/**
 * Decodes a `0x`-prefixed hex string (even length) to bytes, or returns a Uint8Array unchanged.
 * Returns `undefined` on malformed input so callers can raise their own, specific error.
 */
export function tryToBytes(value: Hex | Uint8Array): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value
  if (
    typeof value !== 'string' ||
    value.length % 2 !== 0 ||
    value[0] !== '0' ||
    (value[1] !== 'x' && value[1] !== 'X')
  )
    return undefined
  if (NodeBuffer) {
    // Buffer stops at the first non-hex character, so a short result means malformed input.
    const buf = NodeBuffer.from(value.slice(2), 'hex')
    if (buf.length !== (value.length - 2) / 2) return undefined
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.length)
  }
  return decodeHexPortable(value)
}

/** The pure-JavaScript path of {@link tryToBytes} (browsers); `value` is `0x`-prefixed and even-length. */
export function decodeHexPortable(value: string): Uint8Array | undefined {
  const out = new Uint8Array((value.length - 2) / 2)
  for (let i = 0, j = 2; i < out.length; i++, j += 2) {
    const hi = HEX_VALUE[value.charCodeAt(j)]!
    const lo = HEX_VALUE[value.charCodeAt(j + 1)]!
    if ((hi | lo) > 15) return undefined
    out[i] = (hi << 4) | lo
  }
  return out
}

const HEX_CHARS = /*#__PURE__*/ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Lower-case `0x`-prefixed hex of `bytes`. */
export function toHex(bytes: Uint8Array): Hex {
  let s = '0x'
  for (let i = 0; i < bytes.length; i++) s += HEX_CHARS[bytes[i]!]
  return s as Hex
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Big-endian unsigned integer of `bytes` (empty → 0n). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n
  if (bytes.length <= 6) {
    let n = 0
    for (let i = 0; i < bytes.length; i++) n = n * 256 + bytes[i]!
    return BigInt(n)
  }
  return BigInt(toHex(bytes))
}

/** `bytes` left-padded with zeros to `size` bytes (caller guarantees `bytes.length <= size`). */
export function padLeft(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length === size) return bytes
  const out = new Uint8Array(size)
  out.set(bytes, size - bytes.length)
  return out
}
