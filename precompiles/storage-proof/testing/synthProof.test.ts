import { verifyMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { describe, expect, test } from 'vitest'
import { tryToBytes } from '../bytes.js'
import { synthesizeMainnetShapedProofs, synthesizeMultiSlotProofs } from './synthProof.js'

const bytes = (hex: `0x${string}`) => tryToBytes(hex)!

describe('synthesizeMainnetShapedProofs', () => {
  test('deterministic per seed, different across seeds', () => {
    expect(synthesizeMainnetShapedProofs(42)).toEqual(synthesizeMainnetShapedProofs(42))
    expect(synthesizeMainnetShapedProofs(43).stateRoot).not.toBe(synthesizeMainnetShapedProofs(42).stateRoot)
  })

  test('mainnet shape: 9-node account proof of full 532-byte branches, 6-node storage proof', () => {
    const p = synthesizeMainnetShapedProofs(1)
    expect(p.accountProof).toHaveLength(9)
    for (const node of p.accountProof.slice(0, 8)) expect((node.length - 2) / 2).toBe(532)
    expect(p.storageProof).toHaveLength(6)
    for (const node of p.storageProof.slice(0, 4)) expect((node.length - 2) / 2).toBe(532)
  })

  test('valid for the synthesized roots (checked with @ethereumjs/mpt)', async () => {
    for (const seed of [1, 2]) {
      const p = synthesizeMainnetShapedProofs(seed)
      const account = await verifyMerkleProof(bytes(p.address), p.accountProof.map(bytes), {
        root: bytes(p.stateRoot),
        useKeyHashing: true,
      })
      const [nonce, balance, storageRoot, codeHash] = RLP.decode(account!) as Uint8Array[]
      expect({ nonce, balance, storageRoot, codeHash }).toEqual({
        nonce: RLP.decode(RLP.encode(p.account.nonce)),
        balance: RLP.decode(RLP.encode(p.account.balance)),
        storageRoot: bytes(p.storageRoot),
        codeHash: bytes(p.account.codeHash),
      })
      const value = await verifyMerkleProof(bytes(p.slot), p.storageProof.map(bytes), {
        root: storageRoot!,
        useKeyHashing: true,
      })
      expect(RLP.decode(value!)).toEqual(bytes(p.value))
    }
  })
})

describe('synthesizeMultiSlotProofs', () => {
  test('several slots under one storage root, each proof valid (checked with @ethereumjs/mpt)', async () => {
    const address = '0x00000000000000000000000000000000000000aa'
    const slots = [`0x${'01'.padStart(64, '0')}`, `0x${'02'.padStart(64, '0')}`] as const
    const p = synthesizeMultiSlotProofs({ seed: 7, address, slots })
    expect(p.accountProof).toHaveLength(9)
    const account = await verifyMerkleProof(bytes(address), p.accountProof.map(bytes), {
      root: bytes(p.stateRoot),
      useKeyHashing: true,
    })
    const storageRoot = (RLP.decode(account!) as Uint8Array[])[2]!
    expect(storageRoot).toEqual(bytes(p.storageRoot))
    for (const [i, slot] of slots.entries()) {
      expect(p.storageProofs[i]).toHaveLength(6)
      const value = await verifyMerkleProof(bytes(slot), p.storageProofs[i]!.map(bytes), {
        root: storageRoot,
        useKeyHashing: true,
      })
      expect(RLP.decode(value!)).toEqual(bytes(p.values[i]!))
    }
  })
})
