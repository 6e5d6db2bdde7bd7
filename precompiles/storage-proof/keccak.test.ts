import { keccak_256 } from '@noble/hashes/sha3.js'
import { describe, expect, test, vi } from 'vitest'
import { toHex } from './bytes.js'
import { keccak256, keccakBackend } from './keccak.js'
import { seededBytes } from './testing/synthProof.js'

describe('keccak256', () => {
  test('uses WASM and matches @noble/hashes on all sizes (empty, 532-byte nodes, > 16 KiB chunks)', () => {
    expect(keccakBackend).toBe('wasm')
    expect(toHex(keccak256(new Uint8Array([0x80])))).toBe(
      '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
    )
    const random = seededBytes(8)
    for (const size of [0, 1, 31, 32, 135, 136, 137, 532, 16_384, 70_001]) {
      const input = random(size)
      expect(toHex(keccak256(input))).toBe(toHex(keccak_256(input)))
    }
  })

  test('returns a fresh array each call', () => {
    const a = keccak256(new Uint8Array([1]))
    const b = keccak256(new Uint8Array([2]))
    expect(a).not.toBe(b)
    expect(toHex(a)).toBe(toHex(keccak_256(new Uint8Array([1]))))
  })

  test('STORAGE_PROOF_KECCAK=noble selects the fallback', async () => {
    vi.resetModules()
    vi.stubEnv('STORAGE_PROOF_KECCAK', 'noble')
    try {
      const fallback = await import('./keccak.js')
      expect(fallback.keccakBackend).toBe('noble')
      expect(toHex(fallback.keccak256(new Uint8Array([0x80])))).toBe(toHex(keccak256(new Uint8Array([0x80]))))
    } finally {
      vi.unstubAllEnvs()
      vi.resetModules()
    }
  })
})
