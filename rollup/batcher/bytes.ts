/**
 * Byte-level plumbing of the batch codec: a growable writer and a bounds-checked reader with
 * unsigned LEB128 varints (`uvar`, canonical: no overlong encodings, at most 64 bits) and zigzag
 * signed varints (`zvar`). Every read checks its bounds and throws a {@link BatchDecodeError}, so
 * untrusted input can never make the decoder read past the end or loop.
 */
import { MalformedBatchError, TruncatedBatchError } from './errors.js'

export const U64_MAX = (1n << 64n) - 1n
const I64_MIN = -(1n << 63n)
const I64_MAX = (1n << 63n) - 1n

export class ByteWriter {
  #buf = new Uint8Array(1024)
  #len = 0

  get length(): number {
    return this.#len
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return
    let size = this.#buf.length * 2
    while (size < this.#len + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.#buf.subarray(0, this.#len))
    this.#buf = next
  }

  u8(value: number): void {
    this.#reserve(1)
    this.#buf[this.#len++] = value
  }

  bytes(value: Uint8Array): void {
    this.#reserve(value.length)
    this.#buf.set(value, this.#len)
    this.#len += value.length
  }

  /** Unsigned LEB128 of 0 ≤ value < 2^64. */
  uvar(value: bigint | number): void {
    let v = BigInt(value)
    if (v < 0n || v > U64_MAX) throw new RangeError(`uvar out of range: ${v}`)
    this.#reserve(10)
    while (v >= 0x80n) {
      this.#buf[this.#len++] = Number(v & 0x7fn) | 0x80
      v >>= 7n
    }
    this.#buf[this.#len++] = Number(v)
  }

  /** Zigzag LEB128 of -2^63 ≤ value < 2^63. */
  zvar(value: bigint): void {
    if (value < I64_MIN || value > I64_MAX) throw new RangeError(`zvar out of range: ${value}`)
    this.uvar(value >= 0n ? value << 1n : (-value << 1n) - 1n)
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len)
  }
}

export class ByteReader {
  readonly data: Uint8Array
  offset = 0

  constructor(data: Uint8Array, offset = 0) {
    this.data = data
    this.offset = offset
  }

  get remaining(): number {
    return this.data.length - this.offset
  }

  u8(field: string): number {
    if (this.offset >= this.data.length)
      throw new TruncatedBatchError(field, 1, this.offset, this.data.length)
    return this.data[this.offset++] as number
  }

  bytes(n: number, field: string): Uint8Array {
    if (n > this.data.length - this.offset)
      throw new TruncatedBatchError(field, n, this.offset, this.data.length)
    const out = this.data.subarray(this.offset, this.offset + n)
    this.offset += n
    return out
  }

  /** Canonical unsigned LEB128 (< 2^64, no trailing zero group). */
  uvar(field: string): bigint {
    const start = this.offset
    let result = 0n
    for (let i = 0; i < 10; i++) {
      const byte = this.u8(field)
      result |= BigInt(byte & 0x7f) << BigInt(7 * i)
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0)
          throw new MalformedBatchError(`Non-canonical varint in ${field}.`, start, 'overlong encoding')
        if (result > U64_MAX) throw new MalformedBatchError(`Varint in ${field} exceeds 64 bits.`, start)
        return result
      }
    }
    throw new MalformedBatchError(`Varint in ${field} exceeds 64 bits.`, start)
  }

  /** A uvar that must be ≤ `max` (a safe integer), as a number. */
  count(field: string, max: number, onExceeded: (offset: number) => Error): number {
    const start = this.offset
    const value = this.uvar(field)
    if (value > BigInt(max)) throw onExceeded(start)
    return Number(value)
  }

  zvar(field: string): bigint {
    const z = this.uvar(field)
    return z & 1n ? -((z + 1n) >> 1n) : z >> 1n
  }
}
