import { createMerkleProof, MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { padLeft, toHex, tryToBytes } from './bytes.js'
import { ZERO_WORD } from './constants.js'
import { ProofInputError, ProofTruncatedError, ProofValueEncodingError, StorageProofError } from './errors.js'
import { seededBytes, synthesizeMainnetShapedProofs } from './testing/synthProof.js'
import { singleLeafTrie } from './testing/trie.js'
import { slotToBytes, verifyStorageProof } from './verifyStorageProof.js'

const bytes = (hex: string) => tryToBytes(hex as Hex)!

function catchError(f: () => unknown): StorageProofError {
  try {
    f()
  } catch (error) {
    if (error instanceof StorageProofError) return error
    throw error
  }
  throw new Error('expected an error')
}

describe('verifyStorageProof', () => {
  test('mainnet-shaped inclusion proof', () => {
    const p = synthesizeMainnetShapedProofs(1)
    expect(verifyStorageProof({ storageRoot: p.storageRoot, slot: p.slot, proof: p.storageProof })).toEqual({
      exists: true,
      value: p.value,
    })
  })

  test('differential: a secure storage trie built with @ethereumjs/mpt', async () => {
    const random = seededBytes(31)
    const trie = new MerklePatriciaTrie({ useKeyHashing: true })
    const slots = Array.from({ length: 300 }, (_, i) => {
      const raw = random(1 + (i % 32))
      raw[0] = raw[0]! | 1 // canonical: no leading zero
      return { slot: random(32), value: raw }
    })
    for (const { slot, value } of slots) await trie.put(slot, RLP.encode(value))
    const storageRoot = trie.root()
    for (const { slot, value } of slots.slice(0, 60)) {
      const proof = await createMerkleProof(trie, slot)
      expect(verifyStorageProof({ storageRoot, slot, proof })).toEqual({
        exists: true,
        value: toHex(padLeft(value, 32)),
      })
    }
    for (let i = 0; i < 60; i++) {
      const slot = random(32)
      const proof = await createMerkleProof(trie, slot)
      expect(verifyStorageProof({ storageRoot, slot, proof })).toEqual({ exists: false, value: ZERO_WORD })
      if (proof.length > 1)
        expect(
          catchError(() => verifyStorageProof({ storageRoot, slot, proof: proof.slice(0, -1) })),
        ).toBeInstanceOf(ProofTruncatedError)
    }
  })

  test('slots: bigint, short and odd-length hex are uint256 words', () => {
    const word = `0x${'00'.repeat(31)}07` as Hex
    for (const slot of [7n, '0x7', '0x07', word] as const) expect(toHex(slotToBytes(slot))).toBe(word)
    const { root, proof } = singleLeafTrie(bytes(word), RLP.encode(bytes('0x2a')))
    expect(verifyStorageProof({ storageRoot: root, slot: 7n, proof }).value).toBe(`0x${'00'.repeat(31)}2a`)
    for (const bad of [-1n, 1n << 256n, `0x${'00'.repeat(33)}`, '0xnothex'] as const)
      expect(catchError(() => slotToBytes(bad as Hex))).toBeInstanceOf(ProofInputError)
  })

  test('a zeroed slot kept as a leaf holding RLP(0) (anvil) reads as zero', () => {
    const slot = bytes(`0x${'00'.repeat(31)}05`)
    const { root, proof } = singleLeafTrie(slot, bytes('0x80'))
    expect(verifyStorageProof({ storageRoot: root, slot, proof })).toEqual({ exists: true, value: ZERO_WORD })
  })

  test('storage values must be canonical RLP integers', () => {
    const slot = bytes(`0x${'00'.repeat(32)}`)
    const cases: [Uint8Array, RegExp][] = [
      [RLP.encode(bytes('0x0005')), /leading zero/],
      [RLP.encode(new Uint8Array(33).fill(1)), /33 bytes/],
      [RLP.encode([bytes('0x05')]), /found a list/],
      [bytes('0x8105'), /single byte/],
      [bytes('0x820505ff'), /trailing/],
    ]
    for (const [value, reason] of cases) {
      const { root, proof } = singleLeafTrie(slot, value)
      const error = catchError(() => verifyStorageProof({ storageRoot: root, slot, proof }))
      expect(error).toBeInstanceOf(ProofValueEncodingError)
      expect((error as ProofValueEncodingError).reason).toMatch(reason)
      expect(error.proofType).toBe('storage')
    }
  })
})
