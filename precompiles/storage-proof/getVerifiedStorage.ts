import type { Chain, Client, Transport } from 'viem'
import type {
  BlockHeaderEncodeErrorType,
  BlockHeaderHashMismatchErrorType,
  BlockMismatchErrorType,
  ProofInputErrorType,
  TrustedAnchorMismatchErrorType,
} from './errors.js'
import {
  type FetchVerifiedProofParameters,
  fetchVerifiedProof,
  type VerifiedProof,
} from './fetchVerifiedProof.js'
import type { VerifyProofResponseErrorType } from './verifyProofResponse.js'

export type GetVerifiedStorageParameters = FetchVerifiedProofParameters

export type GetVerifiedStorageReturnType = VerifiedProof

export type GetVerifiedStorageErrorType =
  | ProofInputErrorType
  | BlockHeaderEncodeErrorType
  | BlockHeaderHashMismatchErrorType
  | BlockMismatchErrorType
  | TrustedAnchorMismatchErrorType
  | VerifyProofResponseErrorType

/**
 * Reads an account and storage slots through any viem `Client` (HTTP, WebSocket, or an EIP-1193
 * provider such as an ethers or wallet provider via `custom()`), and returns only values proven
 * by Merkle proofs.
 *
 * Steps: fetch the block (by hash, number or tag) → re-encode its header and check it hashes to
 * the block hash → check the trusted anchors → `eth_getProof` at that block → verify the account
 * proof against the header's state root and each storage proof against the proven storage root →
 * check every value the RPC claimed against the proven one.
 *
 * Trust: with `trustedBlockHash` (or `trustedStateRoot`) the result is trustless — it is the
 * state of that block, whatever the RPC does (`trust` says which anchor was used). Without one,
 * the RPC cannot make the values disagree with the block it named, but nothing shows that block
 * is canonical or final: a malicious RPC could serve a self-consistent fabricated block
 * (`trust: 'rpc'`).
 *
 * @param client - Any viem client.
 * @param parameters - {@link GetVerifiedStorageParameters}
 * @returns `{ blockNumber, blockHash, stateRoot, trust, account, storage: [{ slot, value }] }`, all proven.
 * @throws {@link GetVerifiedStorageErrorType} — a typed error saying what did not verify; never a partial result.
 * @example
 * const client = createPublicClient({ transport: http(rpcUrl) })
 * const { storage } = await getVerifiedStorage(client, {
 *   address: '0x…',
 *   slots: ['0x00'],
 *   trustedBlockHash: await l1Block.read.hash(),
 * })
 */
export async function getVerifiedStorage(
  client: Client<Transport, Chain | undefined>,
  parameters: GetVerifiedStorageParameters,
): Promise<GetVerifiedStorageReturnType> {
  return (await fetchVerifiedProof(client, parameters)).verified
}
