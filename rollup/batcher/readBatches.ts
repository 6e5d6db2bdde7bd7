import type { Address, Client } from 'viem'
import { getBlockNumber } from 'viem/actions'
import type { Logger } from '../shared/logger.js'
import type { BlobSource, BlobSourceError } from './blobSource.js'
import type { BatchLimits } from './constants.js'
import type { BlobMismatchError, BlobUnavailableError } from './errors.js'
import {
  InboxScanner,
  L1ChainChangedError,
  type L1ChainChangedError as L1ChainChangedErrorType,
  type NextBatch,
  type SkippedInboxData,
} from './InboxScanner.js'
import type { BlobKzg } from './kzg.js'
import type { PostedBatch } from './types.js'

export type ReadBatchesParameters = {
  /** The batch inbox (`BATCH_INBOX_ADDRESS` for chain 901). */
  inbox: Address
  /** The only sender whose inbox transactions count (SystemConfig's batcherHash on a real deployment). */
  batcher: Address
  fromBlock: bigint
  /** Last L1 block to read. Default (and at most): the head when called. */
  toBlock?: bigint | undefined
  /** Where the first batch must start (`{ number: 1n, parentHash: genesisHash }` from genesis). */
  start?: NextBatch | undefined
  channelTimeout?: number | undefined
  limits?: Partial<BatchLimits> | undefined
  concurrency?: number | undefined
  /**
   * Where blob batches' blobs come from (untrusted, verified against the versioned hashes).
   * Default: `anvil_getBlobsByTransactionHash` on `client`; `createBeaconBlobSource` on real networks.
   */
  blobSource?: BlobSource | undefined
  /** KZG used to verify blobs. Default `sharedKzg()`. */
  kzg?: BlobKzg | undefined
  /** Retries when L1 reorganises during the read. Default 3. */
  retries?: number | undefined
  logger?: Logger | undefined
  /** Called for every skipped inbox transaction or batch (also logged as a warning). */
  onSkip?: ((skipped: SkippedInboxData) => void) | undefined
}

export type ReadBatchesReturnType = PostedBatch[]

export type ReadBatchesErrorType =
  | L1ChainChangedErrorType
  | BlobMismatchError
  | BlobUnavailableError
  | BlobSourceError
  | Error

/**
 * Reads the batches posted to the inbox between two L1 blocks, in L1 order, with the rules of
 * {@link InboxScanner}: only successful transactions from `batcher` to `inbox`, calldata or blobs;
 * undecodable data is skipped with a warning; a batch counts only if it continues the chain (first
 * valid wins). Blobs are verified against their versioned hashes before decoding; a blob source
 * that cannot serve them makes the read fail (it never skips what L1 committed to).
 * Multi-frame batches whose first frame lies before `fromBlock` are not seen: start at the
 * rollup's L1 start block.
 *
 * @param client any viem client on L1 (trusted for L1 data).
 * @param parameters - {@link ReadBatchesParameters}
 * @returns Accepted batches in L1 order, each with its inclusion (L1 block, transactions).
 * @example
 * const batches = await readBatches(l1, { inbox: BATCH_INBOX_ADDRESS, batcher, fromBlock: 0n })
 * for (const batch of batches) for (const block of batch.blocks) derive(block)
 */
export async function readBatches(
  client: Client,
  parameters: ReadBatchesParameters,
): Promise<ReadBatchesReturnType> {
  const head = await getBlockNumber(client, { cacheTime: 0 })
  const toBlock = parameters.toBlock !== undefined && parameters.toBlock < head ? parameters.toBlock : head
  const retries = parameters.retries ?? 3
  for (let attempt = 0; ; attempt++) {
    const scanner = new InboxScanner({
      client,
      inbox: parameters.inbox,
      batcher: parameters.batcher,
      fromBlock: parameters.fromBlock,
      start: parameters.start,
      channelTimeout: parameters.channelTimeout,
      limits: parameters.limits,
      concurrency: parameters.concurrency,
      blobSource: parameters.blobSource,
      kzg: parameters.kzg,
      logger: parameters.logger,
      onSkip: parameters.onSkip,
    })
    try {
      for (;;) {
        const { caughtUp } = await scanner.sync(toBlock)
        if (caughtUp) return [...scanner.batches]
      }
    } catch (error) {
      if (!(error instanceof L1ChainChangedError) || attempt >= retries) throw error
    }
  }
}
