/** Helpers for tests: one-leaf secure tries with hand-chosen (possibly malformed) leaf values. */
import { RLP } from '@ethereumjs/rlp'
import type { Hex } from 'viem'
import { toHex } from '../bytes.js'
import { keccak256 } from '../keccak.js'
import { hexPrefix } from './synthProof.js'

/** A trie whose only leaf stores `value` (raw leaf bytes) at `keccak256(key)`; returns its root and proof. */
export function singleLeafTrie(key: Uint8Array, value: Uint8Array): { root: Hex; proof: Hex[] } {
  const path: number[] = []
  for (const b of keccak256(key)) path.push(b >> 4, b & 0x0f)
  const leaf = RLP.encode([hexPrefix(path, true), value])
  return { root: toHex(keccak256(leaf)), proof: [toHex(leaf)] }
}
