/**
 * Synchronous keccak-256 for the hot path of proof verification.
 *
 * Hashing dominates MPT proof verification in JavaScript (a 532-byte branch node costs ~30 µs
 * with @noble/hashes and ~3 µs with hash-wasm on a 2-core box), so the WASM hasher is the
 * default. One hasher instance is initialised once (top-level await) and reused
 * synchronously: JavaScript is single-threaded and `init → update → digest` never yields, so
 * calls cannot interleave. If WebAssembly is unavailable the @noble/hashes implementation is
 * used instead; both produce identical output.
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { createKeccak, type IHasher } from 'hash-wasm'

async function loadWasmHasher(): Promise<IHasher | undefined> {
  try {
    const hasher = await createKeccak(256)
    // Self-check against the reference implementation before trusting it.
    const probe = new Uint8Array([0x61, 0x62, 0x63])
    const a = hasher.init().update(probe).digest('binary')
    const b = keccak_256(probe)
    for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return undefined
    return hasher
  } catch {
    return undefined
  }
}

// STORAGE_PROOF_KECCAK=noble forces the fallback (for benchmarks and tests of the fallback path).
const forceNoble = typeof process !== 'undefined' && process.env?.STORAGE_PROOF_KECCAK === 'noble'
const wasmHasher = forceNoble ? undefined : await loadWasmHasher()

/** Which keccak implementation {@link keccak256} uses: `'wasm'` (hash-wasm) or `'noble'` (@noble/hashes). */
export const keccakBackend: 'wasm' | 'noble' = wasmHasher ? 'wasm' : 'noble'

/**
 * keccak-256 of `bytes` (the Ethereum hash, not NIST SHA3-256).
 *
 * @param bytes - The input bytes.
 * @returns A fresh 32-byte array.
 * @example
 * keccak256(new Uint8Array([0x80])) // the empty-trie root 0x56e81f…b421
 */
export function keccak256(bytes: Uint8Array): Uint8Array {
  if (wasmHasher) return wasmHasher.init().update(bytes).digest('binary')
  return keccak_256(bytes)
}
