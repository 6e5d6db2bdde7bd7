import type { Chain, Client, Hex, Transport } from 'viem'
import {
  type FetchVerifiedProofParameters,
  fetchVerifiedProof,
  type VerifiedProof,
} from './fetchVerifiedProof.js'
import type { GetVerifiedStorageErrorType } from './getVerifiedStorage.js'
import { packProof } from './packProof.js'

export type GetProofForContractParameters = FetchVerifiedProofParameters

export type GetProofForContractReturnType = VerifiedProof & {
  /** The RLP block header (submit to `L1Blocks`; it hashes to `blockHash`). */
  header: Hex
  /** The account proof, packed for the Solidity verifier ({@link packProof}). */
  accountProof: Hex
  /** One packed storage proof per requested slot, in order. */
  storageProofs: Hex[]
}

export type GetProofForContractErrorType = GetVerifiedStorageErrorType

/**
 * Fetches and verifies proofs exactly like {@link getVerifiedStorage}, and returns them packed
 * for the on-chain verifier along with the RLP header, so a feeder never submits a proof that
 * would revert. Embedded nodes that some clients repeat as separate proof entries are dropped
 * (the packed proof holds only hash-referenced nodes).
 *
 * @param client - Any viem client.
 * @param parameters - {@link GetProofForContractParameters}
 * @returns The verified values plus `header`, `accountProof` and `storageProofs` ready for calldata.
 * @throws {@link GetProofForContractErrorType}
 * @example
 * const p = await getProofForContract(l1Client, { address: l1Keystore, slots: [slot], blockNumber })
 * // submit p.header to L1Blocks, then p.accountProof and p.storageProofs[0] to the verifying contract
 */
export async function getProofForContract(
  client: Client<Transport, Chain | undefined>,
  parameters: GetProofForContractParameters,
): Promise<GetProofForContractReturnType> {
  const { verified, header, response } = await fetchVerifiedProof(client, parameters)
  // Verified above, so an entry shorter than 32 bytes after the root can only be a repeated embedded node.
  const canonical = (nodes: readonly Hex[]) => nodes.filter((node, i) => i === 0 || node.length >= 2 + 64)
  return {
    ...verified,
    header,
    accountProof: packProof(canonical(response.accountProof)),
    storageProofs: response.storageProof.map((entry) => packProof(canonical(entry.proof))),
  }
}
