import { type Hex, toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import { ProofClaimMismatchError, ProofNodeHashMismatchError, ProofResponseError } from './errors.js'
import { synthesizeMainnetShapedProofs } from './testing/synthProof.js'
import { type ProofResponse, verifyProofResponse } from './verifyProofResponse.js'

const p = synthesizeMainnetShapedProofs(5)
const response: ProofResponse = {
  address: p.address,
  nonce: toHex(p.account.nonce),
  balance: toHex(p.account.balance),
  storageHash: p.account.storageRoot,
  codeHash: p.account.codeHash,
  accountProof: p.accountProof,
  storageProof: [{ key: p.slot, value: toHex(BigInt(p.value)), proof: p.storageProof }],
}
const verify = (r: Partial<ProofResponse>, stateRoot: Hex = p.stateRoot) =>
  verifyProofResponse({ stateRoot, address: p.address, slots: [p.slot], response: { ...response, ...r } })

describe('verifyProofResponse', () => {
  test('returns only proven values', () => {
    expect(verify({})).toEqual({
      account: { address: p.address, exists: true, ...p.account },
      storage: [{ slot: p.slot, value: p.value }],
    })
  })

  test('claims that contradict the proofs are refused', () => {
    expect(() => verify({ balance: '0x0' })).toThrow(ProofClaimMismatchError)
    expect(() => verify({ codeHash: p.storageRoot })).toThrow(/codeHash/)
    expect(() => verify({ storageProof: [{ ...response.storageProof[0]!, value: '0x1' }] })).toThrow(
      /value of slot/,
    )
  })

  test('proofs for another root, account or slot are refused', () => {
    expect(() => verify({}, p.storageRoot)).toThrow(ProofNodeHashMismatchError)
    expect(() => verify({ address: '0x0000000000000000000000000000000000000001' })).toThrow(
      ProofResponseError,
    )
    expect(() => verify({ storageProof: [{ ...response.storageProof[0]!, key: '0x01' }] })).toThrow(
      /not the requested/,
    )
    expect(() => verify({ storageProof: [] })).toThrow(/1 slot\(s\) requested, 0/)
    expect(() => verify({ nonce: 'seven' as Hex })).toThrow(/not a hex quantity/)
  })
})
