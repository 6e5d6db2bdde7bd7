import type { Address, Hex } from 'viem'
import { bytesToBigInt, toHex, tryToBytes } from './bytes.js'
import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT } from './constants.js'
import { ProofInputError, ProofValueEncodingError, type ProofValueEncodingErrorType } from './errors.js'
import { keccak256 } from './keccak.js'
import { RlpDecodeError, readListItems, readWhole } from './rlp.js'
import { type VerifyProofErrorType, walkProof } from './verifyProof.js'

export type VerifyAccountProofParameters = {
  /** The trusted state root (32 bytes), e.g. from a verified block header. */
  stateRoot: Hex | Uint8Array
  /** The account's address (20 bytes). */
  address: Address | Uint8Array
  /** `accountProof` from `eth_getProof`: RLP nodes, root first. */
  proof: readonly (Hex | Uint8Array)[]
}

export type VerifyAccountProofReturnType = {
  /** Whether the account exists in the state trie. */
  exists: boolean
  nonce: bigint
  balance: bigint
  /** Root of the account's storage trie ({@link EMPTY_TRIE_ROOT} when absent or without storage). */
  storageRoot: Hex
  /** keccak256 of the account's code ({@link EMPTY_CODE_HASH} when absent or without code). */
  codeHash: Hex
}

export type VerifyAccountProofErrorType = VerifyProofErrorType | ProofValueEncodingErrorType

/**
 * Verifies an account proof (inclusion or absence) against a state root.
 *
 * The trie key is `keccak256(address)`; the leaf value must be the canonical RLP list
 * `[nonce, balance, storageRoot, codeHash]`. A missing account is proven absent and reported as
 * `exists: false` with zero nonce and balance, the empty-trie root and the empty code hash.
 *
 * @param parameters - {@link VerifyAccountProofParameters}
 * @returns The proven account fields.
 * @throws {@link VerifyAccountProofErrorType} naming the failing node and the reason.
 * @example
 * const proof = await client.request({ method: 'eth_getProof', params: [address, [], 'latest'] })
 * const account = verifyAccountProof({ stateRoot: block.stateRoot, address, proof: proof.accountProof })
 */
export function verifyAccountProof({
  stateRoot,
  address,
  proof,
}: VerifyAccountProofParameters): VerifyAccountProofReturnType {
  const addressBytes = tryToBytes(address)
  if (addressBytes?.length !== 20)
    throw new ProofInputError({
      reason: 'address must be 20 bytes of hex',
      proofType: 'account',
      input: { address },
    })
  const result = walkProof({ root: stateRoot, path: keccak256(addressBytes), proof, proofType: 'account' })
  if (!result.exists)
    return { exists: false, nonce: 0n, balance: 0n, storageRoot: EMPTY_TRIE_ROOT, codeHash: EMPTY_CODE_HASH }

  const value = result.value
  const fail = (reason: string) =>
    new ProofValueEncodingError({
      proofType: 'account',
      nodeIndex: result.nodeIndex,
      reason,
      value: toHex(value),
      input: result.input(),
    })
  let fields: { list: boolean; payloadStart: number; end: number }[]
  try {
    fields = readListItems(value, readWhole(value))
  } catch (error) {
    if (error instanceof RlpDecodeError) throw fail(`account is not canonical RLP: ${error.message}`)
    throw error
  }
  if (fields.length !== 4)
    throw fail(`an account has 4 fields [nonce, balance, storageRoot, codeHash], found ${fields.length}`)
  const bytesOf = (i: number, name: string, maxLength: number, exact: boolean) => {
    const f = fields[i]!
    if (f.list) throw fail(`${name} must be a string`)
    const bytes = value.subarray(f.payloadStart, f.end)
    if (exact ? bytes.length !== maxLength : bytes.length > maxLength)
      throw fail(`${name} is ${bytes.length} bytes (must be ${exact ? '' : 'at most '}${maxLength})`)
    if (!exact && bytes[0] === 0) throw fail(`${name} has a leading zero byte`)
    return bytes
  }
  return {
    exists: true,
    nonce: bytesToBigInt(bytesOf(0, 'nonce', 8, false)),
    balance: bytesToBigInt(bytesOf(1, 'balance', 32, false)),
    storageRoot: toHex(bytesOf(2, 'storageRoot', 32, true)),
    codeHash: toHex(bytesOf(3, 'codeHash', 32, true)),
  }
}
