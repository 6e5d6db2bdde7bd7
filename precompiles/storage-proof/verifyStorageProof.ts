import type { Hex } from 'viem'
import { padLeft, toHex, tryToBytes } from './bytes.js'
import { ZERO_WORD } from './constants.js'
import { ProofInputError, ProofValueEncodingError, type ProofValueEncodingErrorType } from './errors.js'
import { keccak256 } from './keccak.js'
import { RlpDecodeError, readWhole } from './rlp.js'
import { type VerifyProofErrorType, walkProof } from './verifyProof.js'

export type VerifyStorageProofParameters = {
  /** The account's storage root, e.g. from {@link verifyAccountProof}. */
  storageRoot: Hex | Uint8Array
  /** The storage slot (at most 32 bytes; shorter values are left-padded, like a uint256). */
  slot: Hex | Uint8Array | bigint
  /** `storageProof[i].proof` from `eth_getProof`: RLP nodes, root first. */
  proof: readonly (Hex | Uint8Array)[]
}

export type VerifyStorageProofReturnType = {
  /**
   * Whether the trie has a leaf for the slot. Ethereum clients delete zeroed slots, so this is
   * normally `value !== 0`; anvil keeps zeroed slots as leaves holding 0 (`exists: true`, value 0).
   */
  exists: boolean
  /** The slot's value as a 32-byte word (all zeros when absent). */
  value: Hex
}

export type VerifyStorageProofErrorType = VerifyProofErrorType | ProofValueEncodingErrorType

/**
 * Verifies a storage proof (inclusion or absence) against an account's storage root.
 *
 * The trie key is `keccak256(slot)`; the leaf value must be the RLP encoding of the value as a
 * big-endian integer without leading zero bytes (at most 32 bytes). An absent slot is proven and
 * reported as the zero word.
 *
 * @param parameters - {@link VerifyStorageProofParameters}
 * @returns `{ exists, value }` with `value` as a 32-byte hex word.
 * @throws {@link VerifyStorageProofErrorType} naming the failing node and the reason.
 * @example
 * const { value } = verifyStorageProof({ storageRoot: account.storageRoot, slot: '0x00', proof: p.storageProof[0].proof })
 */
export function verifyStorageProof({
  storageRoot,
  slot,
  proof,
}: VerifyStorageProofParameters): VerifyStorageProofReturnType {
  const slotBytes = slotToBytes(slot)
  const result = walkProof({ root: storageRoot, path: keccak256(slotBytes), proof, proofType: 'storage' })
  if (!result.exists) return { exists: false, value: ZERO_WORD }

  const raw = result.value
  const fail = (reason: string) =>
    new ProofValueEncodingError({
      proofType: 'storage',
      nodeIndex: result.nodeIndex,
      reason,
      value: toHex(raw),
      input: result.input(),
    })
  let item: { list: boolean; payloadStart: number; end: number }
  try {
    item = readWhole(raw)
  } catch (error) {
    if (error instanceof RlpDecodeError) throw fail(`storage value is not canonical RLP: ${error.message}`)
    throw error
  }
  if (item.list) throw fail('a storage value must be an RLP string, found a list')
  const value = raw.subarray(item.payloadStart, item.end)
  // Ethereum clients delete zeroed slots, but some dev nodes (anvil) keep them as a leaf holding
  // RLP(0) = 0x80. The root commits to it, and 0x80 is the canonical encoding of 0: read it as 0.
  if (value.length === 0) return { exists: true, value: ZERO_WORD }
  if (value.length > 32) throw fail(`storage value is ${value.length} bytes (at most 32)`)
  if (value[0] === 0) throw fail('storage value has a leading zero byte')
  return { exists: true, value: toHex(padLeft(value, 32)) }
}

/** The 32-byte storage key for `slot` (a uint256: shorter inputs are left-padded). */
export function slotToBytes(slot: Hex | Uint8Array | bigint): Uint8Array {
  if (typeof slot === 'bigint') {
    if (slot < 0n || slot >= 1n << 256n)
      throw new ProofInputError({ reason: 'slot must be a uint256', proofType: 'storage', input: { slot } })
    return tryToBytes(`0x${slot.toString(16).padStart(64, '0')}`)!
  }
  const normalized = typeof slot === 'string' && slot.length % 2 === 1 ? (`0x0${slot.slice(2)}` as Hex) : slot
  const bytes = tryToBytes(normalized)
  if (!bytes || bytes.length > 32)
    throw new ProofInputError({
      reason: 'slot must be at most 32 bytes of hex',
      proofType: 'storage',
      input: { slot },
    })
  return padLeft(bytes, 32)
}
