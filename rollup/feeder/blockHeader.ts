/**
 * Fetching an L1 header from an untrusted L1 RPC, checked against the hash asked for. Encoding
 * and verification are the storage-proof library's (`encodeBlockHeader`, `verifyBlockHeader`).
 */
import type { Hex } from 'viem'
import { getBlock } from 'viem/actions'
import {
  BlockHeaderEncodeError,
  BlockHeaderHashMismatchError,
  encodeBlockHeader,
  verifyBlockHeader,
} from '../../precompiles/storage-proof/index.js'
import type { ChainClient } from '../devnet/clients.js'
import { RollupError } from '../shared/errors.js'

export class HeaderNotFoundError extends RollupError {
  override name = 'HeaderNotFoundError'
  constructor(blockHash: Hex, cause?: unknown) {
    super(`L1 block ${blockHash} is not known to the L1 RPC.`, {
      details: 'reorged out, or the RPC lags behind; will retry',
      input: blockHash,
      cause,
    })
  }
}

/** The L1 RPC answered with a block that is not the one asked for (or not a valid block). */
export class InvalidL1HeaderError extends RollupError {
  override name = 'InvalidL1HeaderError'
}

export class HeaderHashMismatchError extends InvalidL1HeaderError {
  override name = 'HeaderHashMismatchError'
  constructor(parameters: { expected: Hex; actual: Hex; number: bigint | null; cause?: unknown }) {
    super(`Refusing the header the L1 RPC returned for ${parameters.expected}.`, {
      details: `keccak256(rlp) is ${parameters.actual}, not the hash asked for (block ${parameters.number}); the L1 RPC is wrong or lying`,
      input: parameters.expected,
      cause: parameters.cause,
    })
  }
}

export type VerifiedHeader = { hash: Hex; number: bigint; parentHash: Hex; rlp: Hex }

/**
 * Fetches a block by hash from an (untrusted) L1 RPC and returns its RLP header only if
 * `keccak256(rlp)` is the hash asked for.
 *
 * @throws HeaderNotFoundError when the RPC does not know the block.
 * @throws HeaderHashMismatchError when the returned fields do not hash to `blockHash`.
 * @throws InvalidL1HeaderError when the returned block cannot be encoded as a header.
 * @example
 * const { rlp } = await fetchVerifiedHeader(l1, anchorHash)
 */
export async function fetchVerifiedHeader(l1: ChainClient, blockHash: Hex): Promise<VerifiedHeader> {
  let block: Awaited<ReturnType<typeof getBlock>>
  try {
    block = await getBlock(l1, { blockHash })
  } catch (error) {
    if ((error as Error).name === 'BlockNotFoundError') throw new HeaderNotFoundError(blockHash, error)
    throw error
  }
  try {
    const rlp = encodeBlockHeader(block)
    const header = verifyBlockHeader({ rlp, hash: blockHash })
    return { hash: blockHash.toLowerCase() as Hex, number: header.number, parentHash: header.parentHash, rlp }
  } catch (error) {
    if (error instanceof BlockHeaderHashMismatchError)
      throw new HeaderHashMismatchError({
        expected: blockHash,
        actual: error.actualHash,
        number: block.number,
        cause: error,
      })
    if (error instanceof BlockHeaderEncodeError)
      throw new InvalidL1HeaderError(`Refusing the block the L1 RPC returned for ${blockHash}.`, {
        input: blockHash,
        cause: error,
      })
    throw error
  }
}
