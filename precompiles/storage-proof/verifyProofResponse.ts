import type { Address, Hex } from 'viem'
import { toHex } from './bytes.js'
import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, ZERO_WORD } from './constants.js'
import {
  ProofClaimMismatchError,
  type ProofClaimMismatchErrorType,
  ProofResponseError,
  type ProofResponseErrorType,
} from './errors.js'
import { type VerifyAccountProofErrorType, verifyAccountProof } from './verifyAccountProof.js'
import { slotToBytes, type VerifyStorageProofErrorType, verifyStorageProof } from './verifyStorageProof.js'

/** An `eth_getProof` result as the JSON-RPC returns it (EIP-1186; quantities as hex). */
export type ProofResponse = {
  address: Address
  balance: Hex
  codeHash: Hex
  nonce: Hex
  storageHash: Hex
  accountProof: readonly Hex[]
  storageProof: readonly { key: Hex; value: Hex; proof: readonly Hex[] }[]
}

export type VerifyProofResponseParameters = {
  /** The state root the proofs must be valid for (from a verified header or a trusted source). */
  stateRoot: Hex
  /** The account that was asked for. */
  address: Address
  /** The storage slots that were asked for, in order. */
  slots: readonly Hex[]
  /** The RPC's `eth_getProof` result. */
  response: ProofResponse
}

export type VerifiedAccount = {
  address: Address
  /** `false` when the account is proven absent from the state trie. */
  exists: boolean
  nonce: bigint
  balance: bigint
  storageRoot: Hex
  codeHash: Hex
}

/** A proven storage value: `slot` as a 32-byte word, `value` as a 32-byte word (zero when absent). */
export type VerifiedSlot = { slot: Hex; value: Hex }

export type VerifyProofResponseReturnType = { account: VerifiedAccount; storage: VerifiedSlot[] }

export type VerifyProofResponseErrorType =
  | VerifyAccountProofErrorType
  | VerifyStorageProofErrorType
  | ProofClaimMismatchErrorType
  | ProofResponseErrorType

/**
 * Verifies an `eth_getProof` response against a state root, offline: the account proof against
 * `stateRoot`, each storage proof against the proven storage root, and every value the RPC
 * claimed (nonce, balance, storageHash, codeHash, each storage value) against the proven one.
 * Only proven values are returned.
 *
 * @param parameters - {@link VerifyProofResponseParameters}
 * @returns The proven account and storage values.
 * @throws {@link VerifyProofResponseErrorType} — a proof error, a contradicted claim, or a response for other keys.
 * @example
 * const response = await client.request({ method: 'eth_getProof', params: [address, slots, blockNumberHex] })
 * const { account, storage } = verifyProofResponse({ stateRoot, address, slots, response })
 */
export function verifyProofResponse({
  stateRoot,
  address,
  slots,
  response,
}: VerifyProofResponseParameters): VerifyProofResponseReturnType {
  if (typeof response !== 'object' || response === null)
    throw new ProofResponseError({ reason: 'eth_getProof returned no object', response })
  if (typeof response.address !== 'string' || response.address.toLowerCase() !== address.toLowerCase())
    throw new ProofResponseError({
      reason: `the proof is for account ${response.address}, not ${address}`,
      response,
    })
  if (!Array.isArray(response.accountProof) || !Array.isArray(response.storageProof))
    throw new ProofResponseError({ reason: 'accountProof and storageProof must be arrays', response })

  const proven = verifyAccountProof({ stateRoot, address, proof: response.accountProof })
  const account: VerifiedAccount = { address, ...proven }
  const claim = (field: string, claimed: string, provenValue: string, ok: boolean) => {
    if (!ok)
      throw new ProofClaimMismatchError({
        field,
        claimed,
        proven: provenValue,
        proofType: 'account',
        address,
      })
  }
  const claimedNonce = quantity(response.nonce, 'nonce', response)
  const claimedBalance = quantity(response.balance, 'balance', response)
  claim('nonce', String(response.nonce), String(proven.nonce), claimedNonce === proven.nonce)
  claim('balance', String(response.balance), String(proven.balance), claimedBalance === proven.balance)
  // Some clients report zero hashes for an absent account instead of the empty-trie / empty-code hashes.
  const sameHash = (claimed: unknown, provenHash: Hex, absentDefault: Hex) =>
    typeof claimed === 'string' &&
    (claimed.toLowerCase() === provenHash ||
      (!proven.exists && provenHash === absentDefault && claimed === ZERO_WORD))
  claim(
    'storageHash',
    String(response.storageHash),
    proven.storageRoot,
    sameHash(response.storageHash, proven.storageRoot, EMPTY_TRIE_ROOT),
  )
  claim(
    'codeHash',
    String(response.codeHash),
    proven.codeHash,
    sameHash(response.codeHash, proven.codeHash, EMPTY_CODE_HASH),
  )

  if (response.storageProof.length !== slots.length)
    throw new ProofResponseError({
      reason: `${slots.length} slot(s) requested, ${response.storageProof.length} storage proof(s) returned`,
      response,
    })
  const storage = slots.map((slot, i): VerifiedSlot => {
    const slotWord = toHex(slotToBytes(slot))
    const entry = response.storageProof[i]!
    let key: Hex
    try {
      key = toHex(slotToBytes(entry.key))
    } catch {
      throw new ProofResponseError({
        reason: `storageProof[${i}].key ${String(entry?.key)} is not a storage key`,
        response,
      })
    }
    if (key !== slotWord)
      throw new ProofResponseError({
        reason: `storageProof[${i}] is for slot ${entry.key}, not the requested ${slot}`,
        response,
      })
    const { value } = verifyStorageProof({
      storageRoot: proven.storageRoot,
      slot: slotWord,
      proof: entry.proof,
    })
    const claimedValue = quantity(entry.value, `storageProof[${i}].value`, response)
    if (claimedValue !== BigInt(value))
      throw new ProofClaimMismatchError({
        field: `value of slot ${slotWord}`,
        claimed: String(entry.value),
        proven: value,
        proofType: 'storage',
        address,
      })
    return { slot: slotWord, value }
  })
  return { account, storage }
}

function quantity(value: unknown, field: string, response: unknown): bigint {
  if (typeof value === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(value)) return BigInt(value)
  throw new ProofResponseError({ reason: `${field} ${String(value)} is not a hex quantity`, response })
}
