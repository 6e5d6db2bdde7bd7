/** A seeded random source for the fixture generators (reproducible fixtures). */
import { bytesToHex, concatBytes, type Hex, hexToBytes, keccak256, numberToBytes } from 'viem'

/** A deterministic byte stream: keccak256(seed ‖ counter) blocks. */
export class Rng {
  private counter = 0n
  private readonly seed: Uint8Array

  constructor(seed: number | bigint | string) {
    this.seed = new TextEncoder().encode(`rng:${String(seed)}`)
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 32) {
      const block = hexToBytes(
        keccak256(concatBytes([this.seed, numberToBytes(this.counter++, { size: 8 })])),
      )
      out.set(block.subarray(0, Math.min(32, n - i)), i)
    }
    return out
  }

  /** A uniform integer in [0, n) for n < 2^32. */
  int(n: number): number {
    const b = this.bytes(4)
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) % n
  }

  hex(n: number): Hex {
    return bytesToHex(this.bytes(n))
  }
}
