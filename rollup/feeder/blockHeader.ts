/**
 * RLP of an execution-layer block header from a viem `Block`, and fetching a header from an
 * untrusted L1 RPC with the hash checked against the one asked for.
 *
 * TODO(tsproofs): `encodeBlockHeader` moves to precompiles/storage-proof; import it from there once
 * that branch is merged and delete the local copy below.
 */
import { type Block, type Hex, keccak256, numberToHex, toRlp } from 'viem'
import { getBlock } from 'viem/actions'
import type { ChainClient } from '../devnet/clients.js'
import { RollupError } from '../shared/errors.js'

/** Minimal big-endian bytes of an integer (0 -> empty string), as RLP encodes header integers. */
function quantity(value: bigint): Hex {
  return value === 0n ? '0x' : numberToHex(value)
}

type HeaderSource = Block & { requestsHash?: Hex | null | undefined }

/**
 * RLP-encodes a header: the 15 pre-London fields, then the fields added by later forks (base fee,
 * withdrawals root, blob gas used, excess blob gas, parent beacon root, requests hash) for as long
 * as they are present.
 *
 * @param block a block as viem returns it (`getBlock`).
 * @returns The RLP bytes; `keccak256` of them is the block hash.
 * @example
 * const rlp = encodeBlockHeader(await client.getBlock({ blockHash }))
 */
export function encodeBlockHeader(block: HeaderSource): Hex {
  if (block.number === null || block.hash === null || block.nonce === null || block.logsBloom === null)
    throw new RollupError('Cannot encode a pending block header.', { input: block.number })
  const fields: Hex[] = [
    block.parentHash,
    block.sha3Uncles,
    block.miner,
    block.stateRoot,
    block.transactionsRoot,
    block.receiptsRoot,
    block.logsBloom,
    quantity(block.difficulty),
    quantity(block.number),
    quantity(block.gasLimit),
    quantity(block.gasUsed),
    quantity(block.timestamp),
    block.extraData,
    block.mixHash,
    block.nonce,
  ]
  const later: (Hex | undefined)[] = [
    block.baseFeePerGas === null || block.baseFeePerGas === undefined
      ? undefined
      : quantity(block.baseFeePerGas),
    block.withdrawalsRoot ?? undefined,
    block.blobGasUsed === undefined || block.blobGasUsed === null ? undefined : quantity(block.blobGasUsed),
    block.excessBlobGas === undefined || block.excessBlobGas === null
      ? undefined
      : quantity(block.excessBlobGas),
    block.parentBeaconBlockRoot ?? undefined,
    block.requestsHash ?? undefined,
  ]
  for (const field of later) {
    if (field === undefined) break
    fields.push(field)
  }
  return toRlp(fields)
}

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

export class HeaderHashMismatchError extends RollupError {
  override name = 'HeaderHashMismatchError'
  constructor(parameters: { expected: Hex; actual: Hex; number: bigint | null }) {
    super(`Refusing the header the L1 RPC returned for ${parameters.expected}.`, {
      details: `keccak256(rlp) is ${parameters.actual}, not the hash asked for (block ${parameters.number}); the L1 RPC is wrong or lying`,
      input: parameters.expected,
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
 * @example
 * const { rlp } = await fetchVerifiedHeader(l1, anchorHash)
 */
export async function fetchVerifiedHeader(l1: ChainClient, blockHash: Hex): Promise<VerifiedHeader> {
  let block: HeaderSource
  try {
    block = await getBlock(l1, { blockHash })
  } catch (error) {
    if ((error as Error).name === 'BlockNotFoundError') throw new HeaderNotFoundError(blockHash, error)
    throw error
  }
  const rlp = encodeBlockHeader(block)
  const actual = keccak256(rlp)
  if (actual !== blockHash.toLowerCase())
    throw new HeaderHashMismatchError({ expected: blockHash, actual, number: block.number })
  return { hash: actual, number: block.number!, parentHash: block.parentHash, rlp }
}
