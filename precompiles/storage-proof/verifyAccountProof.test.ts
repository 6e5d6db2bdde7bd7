import { createMerkleProof, MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { toHex, tryToBytes } from './bytes.js'
import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT } from './constants.js'
import {
  ProofInputError,
  ProofNodeHashMismatchError,
  ProofValueEncodingError,
  StorageProofError,
} from './errors.js'
import { seededBytes, synthesizeMainnetShapedProofs } from './testing/synthProof.js'
import { singleLeafTrie } from './testing/trie.js'
import { verifyAccountProof } from './verifyAccountProof.js'

const bytes = (hex: string) => tryToBytes(hex as Hex)!
const int = (n: bigint) =>
  n === 0n
    ? new Uint8Array()
    : bytes(`0x${n.toString(16).padStart(Math.ceil(n.toString(16).length / 2) * 2, '0')}`)

function catchError(f: () => unknown): StorageProofError {
  try {
    f()
  } catch (error) {
    if (error instanceof StorageProofError) return error
    throw error
  }
  throw new Error('expected an error')
}

describe('verifyAccountProof', () => {
  test('mainnet-shaped inclusion proof', () => {
    for (const seed of [1, 2, 3]) {
      const p = synthesizeMainnetShapedProofs(seed)
      expect(
        verifyAccountProof({ stateRoot: p.stateRoot, address: p.address, proof: p.accountProof }),
      ).toEqual({
        exists: true,
        ...p.account,
      })
    }
  })

  test('differential: a secure state trie built with @ethereumjs/mpt (inclusion and absence)', async () => {
    const random = seededBytes(21)
    const trie = new MerklePatriciaTrie({ useKeyHashing: true })
    const accounts = Array.from({ length: 200 }, (_, i) => ({
      address: random(20),
      nonce: BigInt(i),
      balance: BigInt(toHex(random(1 + (i % 12)))),
      storageRoot: i % 3 ? toHex(random(32)) : EMPTY_TRIE_ROOT,
      codeHash: i % 2 ? toHex(random(32)) : EMPTY_CODE_HASH,
    }))
    for (const a of accounts)
      await trie.put(
        a.address,
        RLP.encode([int(a.nonce), int(a.balance), bytes(a.storageRoot), bytes(a.codeHash)]),
      )
    const stateRoot = trie.root()
    for (const a of accounts.slice(0, 40)) {
      const proof = await createMerkleProof(trie, a.address)
      const { address, ...fields } = a
      expect(verifyAccountProof({ stateRoot, address, proof })).toEqual({ exists: true, ...fields })
    }
    for (let i = 0; i < 40; i++) {
      const address = random(20)
      const proof = await createMerkleProof(trie, address)
      expect(verifyAccountProof({ stateRoot, address, proof })).toEqual({
        exists: false,
        nonce: 0n,
        balance: 0n,
        storageRoot: EMPTY_TRIE_ROOT,
        codeHash: EMPTY_CODE_HASH,
      })
    }
  })

  test('malformed account values are rejected with ProofValueEncodingError', () => {
    const address = bytes('0x00000000000000000000000000000000000000aa')
    const h32 = new Uint8Array(32).fill(1)
    const cases: [Uint8Array, RegExp][] = [
      [RLP.encode([int(1n), int(2n), h32]), /4 fields/],
      [RLP.encode([bytes('0x0001'), int(2n), h32, h32]), /nonce has a leading zero/],
      [RLP.encode([int(1n), bytes('0x00'), h32, h32]), /balance has a leading zero/],
      [RLP.encode([new Uint8Array(9).fill(1), int(2n), h32, h32]), /nonce is 9 bytes/],
      [RLP.encode([int(1n), int(2n), h32.subarray(1), h32]), /storageRoot is 31 bytes/],
      [RLP.encode([int(1n), int(2n), h32, [h32]] as never), /codeHash must be a string/],
      [RLP.encode(h32), /expected a list/],
      [bytes('0xc481058102'), /single byte/],
    ]
    for (const [value, reason] of cases) {
      const { root, proof } = singleLeafTrie(address, value)
      const error = catchError(() => verifyAccountProof({ stateRoot: root, address, proof }))
      expect(error).toBeInstanceOf(ProofValueEncodingError)
      expect((error as ProofValueEncodingError).reason).toMatch(reason)
      expect(error.proofType).toBe('account')
      expect(error.nodeIndex).toBe(0)
    }
  })

  test('wrong state root, bad address', () => {
    const p = synthesizeMainnetShapedProofs(4)
    const error = catchError(() =>
      verifyAccountProof({ stateRoot: p.storageRoot, address: p.address, proof: p.accountProof }),
    )
    expect(error).toBeInstanceOf(ProofNodeHashMismatchError)
    expect(error.shortMessage).toMatch(/expected account root/)
    expect(
      catchError(() =>
        verifyAccountProof({ stateRoot: p.stateRoot, address: '0x1234', proof: p.accountProof }),
      ),
    ).toBeInstanceOf(ProofInputError)
  })
})
