import type { Chain, Client, Hex, Transport } from 'viem'
import {
  BlockMismatchError,
  decodeBlockHeader,
  getProofForContract,
  StorageProofError,
} from '../../precompiles/storage-proof/index.js'
import { RollupError } from '../shared/errors.js'
import { computeOutputRoot, L2_TO_L1_MESSAGE_PASSER, OUTPUT_VERSION_V0 } from './computeOutputRoot.js'

export type FetchOutputRootParameters = {
  /** The L2 block to compute the output root of. */
  blockNumber: bigint
  /** If given, the block must also have this hash (pins the block against an L2 reorg). */
  blockHash?: Hex | undefined
}

/** A version-0 output root with every input it was computed from, all proven. */
export type FetchOutputRootReturnType = {
  version: Hex
  outputRoot: Hex
  blockNumber: bigint
  blockHash: Hex
  stateRoot: Hex
  messagePasserStorageRoot: Hex
  /** The L2 block's timestamp (from the verified header). */
  timestamp: bigint
}

export type FetchOutputRootErrorType = L2BlockNotFoundError | InvalidL2ResponseError

/** The L2 RPC does not have the block (yet). Not an attack: wait and retry. */
export class L2BlockNotFoundError extends RollupError {
  override name = 'L2BlockNotFoundError'
  readonly blockNumber: bigint
  constructor(blockNumber: bigint, cause?: unknown) {
    super(`The L2 RPC has no block ${blockNumber}.`, {
      details: 'the L2 has not produced it yet (or the RPC lags behind)',
      input: blockNumber,
      cause,
    })
    this.blockNumber = blockNumber
  }
}

/**
 * The L2 RPC answered something that does not verify: a block whose fields do not hash to its
 * hash, a proof that does not lead to the block's state root, or a claim (storageHash…) its own
 * proof contradicts. The RPC is broken or lying; nothing computed from it may be proposed.
 */
export class InvalidL2ResponseError extends RollupError {
  override name = 'InvalidL2ResponseError'
  readonly blockNumber: bigint
  constructor(blockNumber: bigint, cause: StorageProofError) {
    super(`Refusing the L2 RPC's data for block ${blockNumber}: ${cause.shortMessage}`, {
      details: `${cause.details ?? cause.name}; the L2 RPC is wrong or lying`,
      input: blockNumber,
      cause,
    })
    this.blockNumber = blockNumber
  }
}

/**
 * Computes the version-0 output root of an L2 block from an L2 RPC it does not trust blindly:
 * `eth_getBlockByNumber` → the header is re-encoded and must hash to the block hash →
 * `eth_getProof(L2ToL1MessagePasser, [], block)` → the account proof must lead to the header's
 * state root, and the storage root is taken from the proven account (the empty-trie root when
 * the account has no storage or does not exist).
 *
 * Threat: a lying or broken L2 RPC (a wrong `storageHash`, a forged proof node, a block whose
 * `hash` does not match its fields) gets an {@link InvalidL2ResponseError}, never a wrong root.
 * Not covered: an RPC that fabricates a whole self-consistent block (its own state root, its own
 * hash). Only re-deriving the chain from L1 catches that — the verifier's job (OutputChecker
 * against the verifier's own node).
 *
 * @param client - Any viem client on the L2 (the keystore chain's node).
 * @param parameters - {@link FetchOutputRootParameters}
 * @returns {@link FetchOutputRootReturnType}: the output root and its proven inputs.
 * @throws {@link L2BlockNotFoundError} when the L2 has no such block yet.
 * @throws {@link InvalidL2ResponseError} when the L2 RPC's answer does not verify.
 * @example
 * const { outputRoot, blockHash } = await fetchOutputRoot(l2, { blockNumber: 120n })
 */
export async function fetchOutputRoot(
  client: Client<Transport, Chain | undefined>,
  parameters: FetchOutputRootParameters,
): Promise<FetchOutputRootReturnType> {
  const { blockNumber, blockHash } = parameters
  let proof: Awaited<ReturnType<typeof getProofForContract>>
  try {
    proof = await getProofForContract(client, {
      address: L2_TO_L1_MESSAGE_PASSER,
      slots: [],
      blockNumber,
      blockHash,
    })
  } catch (error) {
    if (error instanceof BlockMismatchError && error.field === 'block')
      throw new L2BlockNotFoundError(blockNumber, error)
    if (error instanceof StorageProofError) throw new InvalidL2ResponseError(blockNumber, error)
    throw error
  }
  const { timestamp } = decodeBlockHeader(proof.header)
  const messagePasserStorageRoot = proof.account.storageRoot
  return {
    version: OUTPUT_VERSION_V0,
    outputRoot: computeOutputRoot({
      stateRoot: proof.stateRoot,
      messagePasserStorageRoot,
      blockHash: proof.blockHash,
    }),
    blockNumber: proof.blockNumber,
    blockHash: proof.blockHash,
    stateRoot: proof.stateRoot,
    messagePasserStorageRoot,
    timestamp,
  }
}
