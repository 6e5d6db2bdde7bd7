import { createMerkleProof, MerklePatriciaTrie, verifyMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { toHex, tryToBytes } from './bytes.js'
import { EMPTY_TRIE_ROOT } from './constants.js'
import {
  ProofInputError,
  ProofNodeDecodeError,
  ProofNodeHashMismatchError,
  ProofTrailingNodesError,
  ProofTruncatedError,
  StorageProofError,
} from './errors.js'
import { keccak256 } from './keccak.js'
import { hexPrefix, seededBytes, synthesizeMainnetShapedProofs } from './testing/synthProof.js'
import { verifyProof } from './verifyProof.js'

const bytes = (hex: string) => tryToBytes(hex as Hex)!
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Runs `f` and returns the error it throws (failing the test if it returns). */
function catchError(f: () => unknown): StorageProofError {
  try {
    const result = f()
    throw new Error(
      `expected an error, got ${JSON.stringify(result, (_, v) => (v instanceof Uint8Array ? toHex(v) : v))}`,
    )
  } catch (error) {
    if (!(error instanceof StorageProofError)) throw error
    return error
  }
}

type Entry = { key: Uint8Array; value: Uint8Array }

async function buildTrie(entries: Entry[]) {
  const trie = new MerklePatriciaTrie()
  for (const { key, value } of entries) await trie.put(key, value)
  return trie
}

/** Proof without the embedded nodes @ethereumjs/mpt repeats (geth's eth_getProof omits them). */
const gethStyle = (proof: Uint8Array[]) => proof.filter((node, i) => i === 0 || node.length >= 32)

async function differential(trie: MerklePatriciaTrie, keys: Uint8Array[]) {
  const root = trie.root()
  let inlineSeen = 0
  for (const key of keys) {
    const proof = await createMerkleProof(trie, key)
    const expected = await verifyMerkleProof(key, proof, { root })
    const ours = verifyProof({ root, path: key, proof })
    expect(ours.exists).toBe(expected !== null)
    expect(toHex(ours.value)).toBe(expected ? toHex(expected) : '0x')
    const stripped = gethStyle(proof)
    if (stripped.length !== proof.length) inlineSeen++
    const geth = verifyProof({ root, path: key, proof: stripped.map(toHex) })
    expect(geth).toEqual(ours)
  }
  return inlineSeen
}

describe('verifyProof: differential against @ethereumjs/mpt', () => {
  test('32-byte keys (secure-trie shape), inclusion and absence', async () => {
    const random = seededBytes(11)
    const entries = Array.from({ length: 400 }, () => ({
      key: random(32),
      value: random(1 + (random(1)[0]! % 40)),
    }))
    const trie = await buildTrie(entries)
    const present = entries.slice(0, 60).map((e) => e.key)
    const absent = Array.from({ length: 60 }, () => random(32))
    await differential(trie, [...present, ...absent])
  })

  test('short keys with tiny values: embedded nodes and branch values', async () => {
    for (const seed of [1, 2, 3]) {
      const random = seededBytes(seed)
      const entries = Array.from({ length: 150 }, () => ({
        key: random(1 + (random(1)[0]! % 3)),
        value: random(1 + (random(1)[0]! % 2)),
      }))
      const trie = await buildTrie(entries)
      const keys = [
        ...entries.map((e) => e.key),
        ...Array.from({ length: 80 }, () => random(1 + (random(1)[0]! % 4))),
      ]
      const inline = await differential(trie, keys)
      expect(inline).toBeGreaterThan(0) // the case under test actually occurred
    }
  })

  test('tiny tries: single leaf, branch value slot, empty key', async () => {
    const one = await buildTrie([{ key: bytes('0x01'), value: bytes('0x05') }])
    await differential(one, [bytes('0x01'), bytes('0x02'), bytes('0x0102'), new Uint8Array()])
    const prefix = await buildTrie([
      { key: bytes('0x12'), value: bytes('0xaa') },
      { key: bytes('0x1234'), value: bytes('0xbb') },
      { key: bytes('0x1235'), value: bytes('0xcc') },
    ])
    await differential(prefix, [
      bytes('0x12'),
      bytes('0x1234'),
      bytes('0x1235'),
      bytes('0x1236'),
      bytes('0x13'),
    ])
  })
})

describe('verifyProof: empty trie', () => {
  test('empty proof or a lone 0x80 under the empty root proves absence', () => {
    expect(verifyProof({ root: EMPTY_TRIE_ROOT, path: '0x01', proof: [] })).toEqual({
      exists: false,
      value: new Uint8Array(),
    })
    expect(verifyProof({ root: EMPTY_TRIE_ROOT, path: '0x01', proof: ['0x80'] }).exists).toBe(false)
  })
  test('an empty proof under a non-empty root is truncated, not absent', () => {
    const root = synthesizeMainnetShapedProofs(1).stateRoot
    const error = catchError(() => verifyProof({ root, path: '0x01', proof: [] }))
    expect(error).toBeInstanceOf(ProofTruncatedError)
    expect(error.nodeIndex).toBe(0)
  })
  test('nodes under the empty root are rejected', () => {
    const error = catchError(() =>
      verifyProof({ root: EMPTY_TRIE_ROOT, path: '0x01', proof: ['0x80', '0x80'] }),
    )
    expect(error).toBeInstanceOf(ProofTrailingNodesError)
  })
})

const mutationCases = (() => {
  const p = synthesizeMainnetShapedProofs(7)
  return [
    {
      proofType: 'account' as const,
      root: p.stateRoot,
      path: keccak256(bytes(p.address)),
      proof: p.accountProof.map(bytes),
    },
    {
      proofType: 'storage' as const,
      root: p.storageRoot,
      path: keccak256(bytes(p.slot)),
      proof: p.storageProof.map(bytes),
    },
  ]
})()

describe.each(mutationCases)(
  'verifyProof: every mutation of a $proofType proof is a specific error',
  ({ proofType, root, path, proof }) => {
    const verify = (nodes: Uint8Array[]) => () => verifyProof({ root, path, proof: nodes, proofType })

    test('the unmutated proof verifies', () => {
      expect(verifyProof({ root, path, proof }).exists).toBe(true)
    })

    test.each(proof.map((_, i) => i))('node %i flipped, truncated, extended, dropped', (i) => {
      const flipped = proof.slice()
      flipped[i] = proof[i]!.slice()
      flipped[i]![Math.floor(proof[i]!.length / 2)]! ^= 0x01
      const truncated = proof.slice()
      truncated[i] = proof[i]!.subarray(0, proof[i]!.length - 1)
      const extended = proof.slice()
      extended[i] = cat(proof[i]!, new Uint8Array([0]))
      for (const mutated of [flipped, truncated, extended]) {
        const error = catchError(verify(mutated))
        expect(error).toBeInstanceOf(ProofNodeHashMismatchError)
        expect(error.nodeIndex).toBe(i)
        expect(error.proofType).toBe(proofType)
        if (i === 0) expect((error as ProofNodeHashMismatchError).expectedHash).toBe(root)
      }
      const dropped = proof.filter((_, j) => j !== i)
      const error = catchError(verify(dropped))
      if (i === proof.length - 1) {
        expect(error).toBeInstanceOf(ProofTruncatedError)
        expect((error as ProofTruncatedError).missingHash).toBe(toHex(keccak256(proof[i]!)))
      } else expect(error).toBeInstanceOf(ProofNodeHashMismatchError)
      expect(error.nodeIndex).toBe(i)
    })

    test('a proof cut short at any branch is rejected, never read as absent', () => {
      for (let k = 0; k < proof.length; k++) {
        const error = catchError(verify(proof.slice(0, k)))
        expect(error).toBeInstanceOf(ProofTruncatedError)
        expect(error.nodeIndex).toBe(k)
      }
    })

    test('trailing nodes are rejected', () => {
      for (const extra of [proof[0]!, bytes('0x80'), proof[proof.length - 1]!]) {
        const error = catchError(verify([...proof, extra]))
        expect(error).toBeInstanceOf(ProofTrailingNodesError)
        expect(error.nodeIndex).toBe(proof.length)
      }
    })
  },
)

describe('verifyProof: mutations of absence proofs and random mutations', () => {
  const p = synthesizeMainnetShapedProofs(7)

  test('absence proofs: truncation is rejected, trailing nodes are rejected', async () => {
    const random = seededBytes(5)
    const trie = await buildTrie(Array.from({ length: 300 }, () => ({ key: random(32), value: random(20) })))
    const root = trie.root()
    for (let n = 0; n < 20; n++) {
      const key = random(32)
      const absent = gethStyle(await createMerkleProof(trie, key))
      expect(verifyProof({ root, path: key, proof: absent }).exists).toBe(false)
      if (absent.length > 1) {
        const error = catchError(() => verifyProof({ root, path: key, proof: absent.slice(0, -1) }))
        expect(error).toBeInstanceOf(ProofTruncatedError)
      }
      const trailing = catchError(() => verifyProof({ root, path: key, proof: [...absent, absent[0]!] }))
      expect(trailing).toBeInstanceOf(ProofTrailingNodesError)
    }
  })

  test('random byte mutations only ever raise StorageProofErrors', () => {
    const random = seededBytes(99)
    const storage = p.storageProof.map(bytes)
    const storagePath = keccak256(bytes(p.slot))
    for (let n = 0; n < 1500; n++) {
      const nodes = storage.slice()
      const i = random(1)[0]! % nodes.length
      const node = nodes[i]!.slice()
      const kind = random(1)[0]! % 3
      const at = ((random(1)[0]! << 8) | random(1)[0]!) % node.length
      let mutated: Uint8Array
      if (kind === 0) {
        node[at] = node[at]! ^ (random(1)[0]! | 1)
        mutated = node
      } else if (kind === 1) mutated = node.subarray(0, at)
      else mutated = cat(node.subarray(0, at), random(1 + (random(1)[0]! % 3)), node.subarray(at))
      nodes[i] = mutated
      // Re-anchor the root (and the parent's reference) where possible, so that decoding is exercised.
      const rootOf = i === 0 ? toHex(keccak256(mutated)) : p.storageRoot
      try {
        const result = verifyProof({ root: rootOf, path: storagePath, proof: nodes, proofType: 'storage' })
        // Only a re-anchored root node may change and still verify; it then proves that trie's content.
        expect(i).toBe(0)
        expect(typeof result.exists).toBe('boolean')
      } catch (error) {
        expect(error).toBeInstanceOf(StorageProofError)
      }
    }
  })
})

describe('verifyProof: strict node decoding', () => {
  /** A one-node trie: the root is the node's hash, so only decoding can fail. */
  const single =
    (node: Uint8Array, path: Hex = '0x01') =>
    () =>
      verifyProof({ root: keccak256(node), path, proof: [node] })
  const decodeReason = (node: Uint8Array, path?: Hex) => {
    const error = catchError(single(node, path))
    expect(error).toBeInstanceOf(ProofNodeDecodeError)
    return (error as ProofNodeDecodeError).reason
  }
  const leafPath = hexPrefix([0, 1], true) // 0x2001

  test('a canonical leaf decodes', () => {
    expect(
      toHex(
        verifyProof({
          root: keccak256(RLP.encode([leafPath, bytes('0x05')])),
          path: '0x01',
          proof: [RLP.encode([leafPath, bytes('0x05')])],
        }).value,
      ),
    ).toBe('0x05')
  })
  test('non-canonical single byte', () => {
    // [0x2001, 0x81 0x05]: 0x05 must be encoded as itself
    expect(decodeReason(bytes('0xc58220018105'))).toMatch(/single byte/)
  })
  test('long form used for a short length', () => {
    expect(decodeReason(bytes('0xf806822001820505'))).toMatch(/long form/)
  })
  test('leading zero in a length prefix', () => {
    const value = new Uint8Array(60).fill(7)
    const node = cat(bytes('0xf842822001b9003c'), value)
    expect(decodeReason(node)).toMatch(/leading zero/)
  })
  test('trailing bytes after the node', () => {
    expect(decodeReason(cat(RLP.encode([leafPath, bytes('0x05')]), bytes('0x00')))).toMatch(/trailing/)
  })
  test('an item running past the end of its list', () => {
    expect(decodeReason(bytes('0xc6822001830505'))).toMatch(/remain/)
  })
  test('invalid hex-prefix flag and padding nibble', () => {
    expect(decodeReason(RLP.encode([bytes('0x4001'), bytes('0x05')]))).toMatch(/flag/)
    expect(decodeReason(RLP.encode([bytes('0x2101'), bytes('0x05')]))).toMatch(/padding/)
  })
  test('wrong item count, string root, empty leaf value, empty extension path', () => {
    expect(decodeReason(RLP.encode([leafPath, bytes('0x05'), bytes('0x05')]))).toMatch(/2 or 17 items/)
    expect(decodeReason(RLP.encode(bytes('0x1234')))).toMatch(/must be an RLP list/)
    expect(decodeReason(RLP.encode([leafPath, new Uint8Array()]))).toMatch(/non-empty string/)
    expect(decodeReason(RLP.encode([bytes('0x00'), new Uint8Array(32)]))).toMatch(/non-empty path/)
  })
  test('bad child references: 31-byte hash, oversized embedded node, hashed short node', () => {
    const children: (Uint8Array | Uint8Array[])[] = Array.from({ length: 17 }, () => new Uint8Array())
    children[0] = new Uint8Array(31).fill(1)
    expect(decodeReason(RLP.encode(children as Uint8Array[]), '0x00')).toMatch(/31-byte string/)
    children[0] = [leafPath, new Uint8Array(40).fill(1)] as unknown as Uint8Array
    expect(decodeReason(RLP.encode(children as Uint8Array[]), '0x00')).toMatch(/embedded node of \d+ bytes/)
    // A short node must be embedded in its parent, not referenced by its hash.
    const small = RLP.encode([hexPrefix([1], true), bytes('0x05')])
    children[0] = keccak256(small)
    const branch = RLP.encode(children as Uint8Array[])
    const error = catchError(() =>
      verifyProof({ root: keccak256(branch), path: '0x01', proof: [branch, small] }),
    )
    expect(error).toBeInstanceOf(ProofNodeDecodeError)
    expect(error.nodeIndex).toBe(1)
  })
  test('malformed inputs', () => {
    expect(catchError(() => verifyProof({ root: '0x1234', path: '0x01', proof: [] }))).toBeInstanceOf(
      ProofInputError,
    )
    expect(catchError(() => verifyProof({ root: EMPTY_TRIE_ROOT, path: '0xzz', proof: [] }))).toBeInstanceOf(
      ProofInputError,
    )
    const node = RLP.encode([leafPath, bytes('0x05')])
    expect(
      catchError(() => verifyProof({ root: keccak256(node), path: '0x01', proof: ['0x0g'] })),
    ).toBeInstanceOf(ProofInputError)
  })
  test('errors carry the offending input and say which node failed', () => {
    const p = synthesizeMainnetShapedProofs(3)
    const proof = p.storageProof.slice()
    proof[2] = `${proof[2]!.slice(0, -2)}00` as Hex
    const error = catchError(() =>
      verifyProof({ root: p.storageRoot, path: keccak256(bytes(p.slot)), proof, proofType: 'storage' }),
    )
    expect(error).toBeInstanceOf(ProofNodeHashMismatchError)
    expect(error.shortMessage).toMatch(/node 2 does not hash/)
    expect(error.metaMessages?.join('\n')).toMatch(/Proof type: storage/)
    expect(error.input).toMatchObject({ root: p.storageRoot, proof })
  })
})
