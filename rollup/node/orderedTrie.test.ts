import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex } from '@ethereumjs/util'
import { expect, it } from 'vitest'
import { keccak256 } from '../../precompiles/storage-proof/keccak.js'
import { orderedTrieRoot } from './orderedTrie.js'

/** Deterministic pseudo-random bytes. */
function bytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed * 2654435761 + 1
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

async function mptRoot(values: Uint8Array[]): Promise<string> {
  const trie = await createMPT({ useKeyHashingFunction: keccak256 })
  for (const [i, v] of values.entries()) await trie.put(RLP.encode(i), v)
  return bytesToHex(trie.root())
}

it('gives the @ethereumjs/mpt root of rlp(i) → value for every size (short values inlined, long hashed)', async () => {
  const sizes = [...Array.from({ length: 140 }, (_, i) => i), 255, 256, 257, 300, 1000]
  for (const n of sizes) {
    // lengths from 1 to 120 bytes: nodes below and above the 32-byte inlining threshold
    const values = Array.from({ length: n }, (_, i) => bytes(n * 7919 + i, 1 + ((i * 37 + n) % 120)))
    expect(bytesToHex(orderedTrieRoot(values)), `${n} items`).toBe(await mptRoot(values))
  }
})

it('is the empty trie root for no items', () => {
  expect(bytesToHex(orderedTrieRoot([]))).toBe(
    '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
  )
})
