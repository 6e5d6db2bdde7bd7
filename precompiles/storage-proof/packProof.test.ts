import { describe, expect, test } from 'vitest'
import { ProofInputError } from './errors.js'
import { packProof, unpackProof } from './packProof.js'
import { synthesizeMainnetShapedProofs } from './testing/synthProof.js'

describe('packProof / unpackProof', () => {
  const { accountProof, storageProof } = synthesizeMainnetShapedProofs(2)

  test('concatenates the nodes, root first, and splits them back', () => {
    const packed = packProof(accountProof)
    expect(packed).toBe(`0x${accountProof.map((n) => n.slice(2)).join('')}`)
    expect((packed.length - 2) / 2).toBe(accountProof.reduce((n, node) => n + (node.length - 2) / 2, 0))
    expect(unpackProof(packed)).toEqual(accountProof)
    expect(unpackProof(packProof(storageProof))).toEqual(storageProof)
    expect(packProof([])).toBe('0x')
    expect(unpackProof('0x')).toEqual([])
    expect(packProof(['0xABCD'])).toBe('0xabcd')
  })

  test('malformed input', () => {
    expect(() => packProof(['0x12', '0xzz'])).toThrow(ProofInputError)
    expect(() => unpackProof(packProof(accountProof).slice(0, -2) as `0x${string}`)).toThrow(/node 8/)
  })
})
