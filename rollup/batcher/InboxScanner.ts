/**
 * Reads batches from L1, incrementally and reorg-aware. Used by the verifier (through
 * `readBatches`) and by the batcher itself (to know what L1 already has), so both apply the same
 * rules and agree on the safe head.
 *
 * Who can write what: anyone can send a transaction to the inbox (an EOA nobody controls), so only
 * transactions FROM the authorised batcher TO the inbox that succeeded count; everything else in
 * them is still untrusted (a stolen batcher key) and decoded with limits. A decoding failure skips
 * that transaction with a warning and never stops the scan. The L1 RPC is trusted for L1 data
 * (sender, status, block contents), as it is for deposits: run your own L1 node.
 *
 * Ordering rule (deterministic, the same for every reader): batches are taken in L1 order (block,
 * then transaction index; a multi-frame batch at its completing frame). A batch is accepted only
 * if it starts exactly at the next expected L2 block and its `parentHash` equals the previous
 * accepted batch's `lastHash` (or the configured start). Anything else is skipped: a batch that
 * ends before the expected block is a `duplicate`, one that starts before it but reaches further
 * is an `overlap`, one that starts after it is a `gap`. Therefore for every L2 block the first
 * valid batch in L1 order that continues the chain wins. A batch must also only reference L1
 * origins strictly before the L1 block that includes it (`future-origin`).
 *
 * Blob transactions (type 3) from the batcher to the inbox carry their frame in their blobs
 * (their calldata is ignored). The blobs come from a `BlobSource` (untrusted) and each is checked
 * against the transaction's versioned hash before it is decoded; a source that lies or has lost
 * the blobs makes `sync` throw (`BlobMismatchError`, `BlobUnavailableError`) at that L1 block, with
 * nothing from the block taken: a verifier must not skip data L1 committed to, or it would derive
 * another chain than honest verifiers. A blob payload that verifies but does not decode is the
 * batcher's fault and is skipped like bad calldata.
 */
import {
  type Address,
  type Block,
  BlockNotFoundError,
  type Client,
  type Hex,
  hexToBytes,
  type Transaction,
  type TransactionReceipt,
} from 'viem'
import { getBlock, getBlockNumber, getTransactionReceipt } from 'viem/actions'
import { RollupError, shortMessageOf } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { type BlobSource, createRpcBlobSource, getVerifiedBlobs } from './blobSource.js'
import { decodeBlobPayload } from './blobs.js'
import { decodeBatch } from './codec.js'
import { type BatchLimits, DEFAULT_BATCH_LIMITS } from './constants.js'
import { BatchDecodeError, type BatchDecodeErrorReason } from './errors.js'
import { ChannelAssembler, type ChannelAssemblerState, parseFrame } from './frames.js'
import type { BlobKzg } from './kzg.js'
import type { Batch, PostedBatch } from './types.js'

/** Why inbox data was not accepted. */
export type SkipReason =
  | BatchDecodeErrorReason
  | 'reverted'
  | 'channel-timeout'
  | 'duplicate'
  | 'overlap'
  | 'gap'
  | 'parent-mismatch'
  | 'future-origin'

export type SkippedInboxData = {
  reason: SkipReason
  message: string
  l1BlockNumber: bigint
  txHash: Hex
  /** The batch's range, when it decoded. */
  range?: { first: bigint; last: bigint } | undefined
}

/** Where the next batch must start. */
export type NextBatch = { number: bigint; parentHash: Hex }

/** The last L2 block posted on (canonical) L1, and where. */
export type SafeHead = { number: bigint; hash: Hex; l1BlockNumber: bigint; l1BlockHash: Hex }

export type InboxScannerParameters = {
  client: Client
  inbox: Address
  /** The authorised batcher (SystemConfig's batcherHash on a real deployment). */
  batcher: Address
  /** First L1 block to scan (the rollup's L1 start block, or earlier). */
  fromBlock: bigint
  /**
   * Where the first batch must start (block 1 on genesis's hash, for a verifier from genesis).
   * Omitted: the first decodable batch sets it.
   */
  start?: NextBatch | undefined
  /** Scan only L1 blocks at least this deep (0 = up to the head). */
  confirmations?: number | undefined
  /** Frames of one channel must land within this many L1 blocks. Default 100. */
  channelTimeout?: number | undefined
  limits?: Partial<BatchLimits> | undefined
  /** Scanned L1 block hashes kept for finding a fork point. Deeper reorgs rescan from `fromBlock`. Default 128. */
  reorgDepth?: number | undefined
  /** Parallel L1 requests. Default 8. */
  concurrency?: number | undefined
  /**
   * Keep only the last N accepted batches in memory (`batches`); use each `sync()`'s `accepted`
   * to see every batch. Default: all (fine for short reads; long-running readers set a bound).
   */
  retainBatches?: number | undefined
  /** L1 blocks scanned per `sync` call at most. Default 2000. */
  maxBlocksPerSync?: number | undefined
  /**
   * Where blob batches' blobs come from (untrusted: verified against the versioned hashes).
   * Default: `anvil_getBlobsByTransactionHash` on `client` (the devnet); a beacon node on real
   * networks (`createBeaconBlobSource`).
   */
  blobSource?: BlobSource | undefined
  /** KZG used to verify blobs. Default: the process-wide worker (`sharedKzg()`). */
  kzg?: BlobKzg | undefined
  logger?: Logger | undefined
  onSkip?: ((skipped: SkippedInboxData) => void) | undefined
}

/** The L1 chain changed while it was being read; the next `sync` rewinds. */
export class L1ChainChangedError extends RollupError {
  override name = 'L1ChainChangedError'
}

type Checkpoint = {
  number: bigint
  hash: Hex
  accepted: number
  next: NextBatch | undefined
  channels: ChannelAssemblerState
}

type FullBlock = Block<bigint, true, 'latest'>

/** A blob transaction's payload once verified: the frame bytes, or why it does not decode. */
type BlobPayload = { data: Uint8Array; blobs: number } | { error: BatchDecodeError; blobs: number }

/**
 * The inbox reader's state machine. `sync()` scans new L1 blocks (detecting reorgs by parent
 * hash and rewinding to the fork point); `batches` are the accepted batches in L1 order; `next`
 * is where the next batch must start; `safeHead` is the last L2 block L1 has.
 *
 * @example
 * const scanner = new InboxScanner({ client: l1, inbox: BATCH_INBOX_ADDRESS, batcher, fromBlock: 0n })
 * await scanner.sync()
 * scanner.safeHead // { number, hash, l1BlockNumber, l1BlockHash }
 */
export class InboxScanner {
  readonly #p: InboxScannerParameters
  readonly #log: Logger
  readonly #limits: BatchLimits
  readonly #assembler: ChannelAssembler
  readonly #blobSource: BlobSource
  #accepted: PostedBatch[] = []
  /** Accepted batches dropped from memory (`retainBatches`); checkpoints count from the start. */
  #pruned = 0
  #next: NextBatch | undefined
  #history: Checkpoint[] = []
  #rewinds = 0

  constructor(parameters: InboxScannerParameters) {
    this.#p = parameters
    this.#log = (parameters.logger ?? silentLogger).child({ component: 'inbox' })
    this.#limits = { ...DEFAULT_BATCH_LIMITS, ...parameters.limits }
    this.#assembler = new ChannelAssembler({
      channelTimeout: parameters.channelTimeout,
      limits: this.#limits,
    })
    this.#next = parameters.start
    this.#blobSource = parameters.blobSource ?? createRpcBlobSource({ client: parameters.client })
  }

  /** Accepted batches, in L1 order (the last `retainBatches` of them). */
  get batches(): readonly PostedBatch[] {
    return this.#accepted
  }
  /** Where the next batch must start (undefined before the first batch when no `start` was given). */
  get next(): NextBatch | undefined {
    return this.#next
  }
  /** The last L1 block scanned. */
  get scanned(): { number: bigint; hash: Hex } | undefined {
    const last = this.#history[this.#history.length - 1]
    return last ? { number: last.number, hash: last.hash } : undefined
  }
  get rewinds(): number {
    return this.#rewinds
  }
  /** Incomplete multi-frame channels held. */
  get pendingChannels(): number {
    return this.#assembler.pending
  }
  get safeHead(): SafeHead | undefined {
    const last = this.#accepted[this.#accepted.length - 1]
    const block = last?.blocks[last.blocks.length - 1]
    if (!last || !block) return undefined
    return {
      number: block.number,
      hash: last.lastHash,
      l1BlockNumber: last.inclusion.l1BlockNumber,
      l1BlockHash: last.inclusion.l1BlockHash,
    }
  }

  /**
   * Scans from the last scanned L1 block (or `fromBlock`) up to `toBlock` (default: the head minus
   * `confirmations`), at most `maxBlocksPerSync` blocks. If the last scanned block is no longer
   * canonical, first rewinds to the newest kept block that still is (or to `fromBlock`).
   *
   * @returns The batches accepted by this call and whether the scan reached `toBlock`.
   * @throws {@link L1ChainChangedError} when L1 reorganised during the scan (call again);
   *   `BlobMismatchError` / `BlobUnavailableError` when the blob source cannot give a batch
   *   transaction's blobs (nothing of that L1 block is taken; call again, or change the source);
   *   RPC errors.
   */
  async sync(
    toBlock?: bigint,
  ): Promise<{ accepted: PostedBatch[]; caughtUp: boolean; scannedTo: bigint | undefined }> {
    const client = this.#p.client
    const target =
      toBlock ?? (await getBlockNumber(client, { cacheTime: 0 })) - BigInt(this.#p.confirmations ?? 0)
    const last = this.#history[this.#history.length - 1]
    if (last) {
      const canonical = await this.#canonicalHash(last.number)
      if (canonical !== last.hash) await this.#rewind()
    }
    const from = (this.scanned?.number ?? this.#p.fromBlock - 1n) + 1n
    const to = minBig(target, from + BigInt((this.#p.maxBlocksPerSync ?? 2000) - 1))
    const before = this.#accepted.length
    const concurrency = this.#p.concurrency ?? 8
    for (let start = from; start <= to; start += BigInt(concurrency)) {
      const end = minBig(to, start + BigInt(concurrency - 1))
      const numbers: bigint[] = []
      for (let n = start; n <= end; n++) numbers.push(n)
      const blocks = await Promise.all(
        numbers.map((blockNumber) => getBlock(client, { blockNumber, includeTransactions: true })),
      )
      const receipts = await Promise.all(blocks.map((block) => this.#receiptsOf(block)))
      const payloads = await Promise.all(blocks.map((block, i) => this.#blobPayloadsOf(block, receipts[i]!)))
      for (const [i, block] of blocks.entries()) {
        const parent = this.scanned
        if (parent && block.parentHash !== parent.hash)
          throw new L1ChainChangedError(
            `L1 block ${block.number} does not build on the block scanned before it.`,
            {
              details: 'L1 reorganised during the scan; the next sync rewinds',
            },
          )
        this.#processBlock(block, receipts[i]!, payloads[i]!)
      }
    }
    const scannedTo = this.scanned?.number
    const accepted = this.#accepted.slice(before)
    // Bounded memory for long-running readers: older batches are only needed to rewind, and a
    // rewind past them rescans from the start.
    const retain = this.#p.retainBatches ?? Number.POSITIVE_INFINITY
    if (this.#accepted.length > retain) {
      const drop = this.#accepted.length - retain
      this.#accepted.splice(0, drop)
      this.#pruned += drop
    }
    return {
      accepted,
      caughtUp: scannedTo === undefined ? target < this.#p.fromBlock : scannedTo >= target,
      scannedTo,
    }
  }

  #candidates(block: FullBlock): Transaction[] {
    const inbox = this.#p.inbox.toLowerCase()
    const batcher = this.#p.batcher.toLowerCase()
    return block.transactions.filter(
      (tx) => tx.to?.toLowerCase() === inbox && tx.from.toLowerCase() === batcher,
    )
  }

  async #receiptsOf(block: FullBlock): Promise<Map<Hex, TransactionReceipt>> {
    const candidates = this.#candidates(block)
    const receipts = await Promise.all(
      candidates.map((tx) => getTransactionReceipt(this.#p.client, { hash: tx.hash })),
    )
    for (const receipt of receipts)
      if (receipt.blockHash !== block.hash)
        throw new L1ChainChangedError(
          `Receipt of ${receipt.transactionHash} is from another block ${receipt.blockHash}.`,
        )
    return new Map(receipts.map((r) => [r.transactionHash, r]))
  }

  /** Fetches, verifies and decodes the blobs of the block's successful blob batch transactions. */
  async #blobPayloadsOf(
    block: FullBlock,
    receipts: Map<Hex, TransactionReceipt>,
  ): Promise<Map<Hex, BlobPayload>> {
    const payloads = new Map<Hex, BlobPayload>()
    for (const tx of this.#candidates(block)) {
      if (tx.type !== 'eip4844' || receipts.get(tx.hash)?.status !== 'success') continue
      const versionedHashes = tx.blobVersionedHashes ?? []
      const blobs = await getVerifiedBlobs(
        this.#blobSource,
        {
          txHash: tx.hash,
          versionedHashes,
          blockNumber: block.number,
          blockHash: block.hash,
          blockTimestamp: block.timestamp,
        },
        this.#p.kzg,
      )
      try {
        payloads.set(tx.hash, { data: decodeBlobPayload(blobs), blobs: blobs.length })
      } catch (error) {
        if (!(error instanceof BatchDecodeError)) throw error
        payloads.set(tx.hash, { error, blobs: blobs.length })
      }
    }
    return payloads
  }

  #skip(skipped: SkippedInboxData): void {
    const quiet = skipped.reason === 'duplicate'
    this.#log[quiet ? 'info' : 'warn']('inbox data skipped', {
      reason: skipped.reason,
      l1Block: skipped.l1BlockNumber,
      tx: skipped.txHash,
      ...(skipped.range ? { first: skipped.range.first, last: skipped.range.last } : {}),
      error: skipped.message,
    })
    this.#p.onSkip?.(skipped)
  }

  #processBlock(
    block: FullBlock,
    receipts: Map<Hex, TransactionReceipt>,
    payloads: Map<Hex, BlobPayload>,
  ): void {
    const l1BlockNumber = block.number
    for (const id of this.#assembler.expire(l1BlockNumber))
      this.#skip({
        reason: 'channel-timeout',
        message: `channel ${id} incomplete after the timeout`,
        l1BlockNumber,
        txHash: '0x',
      })
    for (const tx of this.#candidates(block)) {
      const position = { l1BlockNumber, txHash: tx.hash }
      if (receipts.get(tx.hash)?.status !== 'success') {
        this.#skip({ reason: 'reverted', message: 'the inbox transaction failed', ...position })
        continue
      }
      let channel: Uint8Array
      let txHashes: Hex[] = [tx.hash]
      let calldataBytes: number
      let blobs: number
      try {
        // a blob transaction's frame is in its blobs (verified in #blobPayloadsOf), never its calldata
        const payload = tx.type === 'eip4844' ? payloads.get(tx.hash) : undefined
        if (payload && 'error' in payload) throw payload.error
        const data = payload ? payload.data : hexToBytes(tx.input)
        const frame = parseFrame(data, this.#limits)
        if (frame.type === 'single') {
          channel = frame.channel
          calldataBytes = payload ? 0 : data.length
          blobs = payload?.blobs ?? 0
        } else {
          const done = this.#assembler.add(frame, { ...position, blobs: payload?.blobs ?? 0 })
          if (!done) continue
          channel = done.channel
          txHashes = done.txHashes
          calldataBytes = done.calldataBytes
          blobs = done.blobs
        }
        const batch = decodeBatch(channel, this.#limits)
        const rejected = this.#consider(batch, {
          inclusion: { l1BlockNumber, l1BlockHash: block.hash, txHashes, txIndex: tx.transactionIndex ?? 0 },
          calldataBytes,
          blobs,
        })
        if (rejected) this.#skip(rejected)
      } catch (error) {
        if (!(error instanceof BatchDecodeError)) throw error
        this.#skip({ reason: error.reason, message: shortMessageOf(error), ...position })
      }
    }
    this.#history.push({
      number: block.number,
      hash: block.hash,
      accepted: this.#pruned + this.#accepted.length,
      next: this.#next,
      channels: this.#assembler.state,
    })
    const depth = this.#p.reorgDepth ?? 128
    if (this.#history.length > depth) this.#history.splice(0, this.#history.length - depth)
  }

  /** Accepts the batch if it continues the chain. @returns why not, otherwise undefined. */
  #consider(
    batch: Batch,
    where: Pick<PostedBatch, 'inclusion' | 'calldataBytes' | 'blobs'>,
  ): SkippedInboxData | undefined {
    const first = batch.blocks[0]!.number
    const last = batch.blocks[batch.blocks.length - 1]!
    const skipped = {
      l1BlockNumber: where.inclusion.l1BlockNumber,
      txHash: where.inclusion.txHashes[where.inclusion.txHashes.length - 1] as Hex,
      range: { first, last: last.number },
    }
    if (last.l1Origin.number >= where.inclusion.l1BlockNumber)
      return {
        ...skipped,
        reason: 'future-origin',
        message: `L1 origin ${last.l1Origin.number} is not before the including L1 block`,
      }
    const next = this.#next
    if (next) {
      if (first !== next.number) {
        const reason = last.number < next.number ? 'duplicate' : first < next.number ? 'overlap' : 'gap'
        return {
          ...skipped,
          reason,
          message: `starts at ${first}, the next expected block is ${next.number}`,
        }
      }
      if (batch.parentHash !== next.parentHash)
        return {
          ...skipped,
          reason: 'parent-mismatch',
          message: `parentHash ${batch.parentHash}, expected ${next.parentHash}`,
        }
    }
    const posted: PostedBatch = { ...batch, ...where }
    this.#accepted.push(posted)
    this.#next = { number: last.number + 1n, parentHash: batch.lastHash }
    this.#log.debug('batch accepted', {
      first,
      last: last.number,
      l1Block: where.inclusion.l1BlockNumber,
      bytes: where.calldataBytes,
      blobs: where.blobs,
    })
    return undefined
  }

  /** The canonical hash at `number`, or undefined when L1 is shorter now (a reorg to a shorter chain). */
  async #canonicalHash(number: bigint): Promise<Hex | undefined> {
    try {
      return (await getBlock(this.#p.client, { blockNumber: number })).hash
    } catch (error) {
      if (error instanceof BlockNotFoundError) return undefined
      throw error
    }
  }

  /** Back to the newest checkpoint still canonical, or to the very start. */
  async #rewind(): Promise<void> {
    this.#rewinds++
    for (let i = this.#history.length - 1; i >= 0; i--) {
      const checkpoint = this.#history[i] as Checkpoint
      if (checkpoint.accepted < this.#pruned) break // its batches are no longer in memory
      if ((await this.#canonicalHash(checkpoint.number)) === checkpoint.hash) {
        const dropped = this.#pruned + this.#accepted.length - checkpoint.accepted
        this.#history.splice(i + 1)
        this.#accepted.splice(checkpoint.accepted - this.#pruned)
        this.#next = checkpoint.next
        this.#assembler.state = checkpoint.channels
        this.#log.warn('L1 reorg: rewound', { toL1Block: checkpoint.number, droppedBatches: dropped })
        return
      }
    }
    this.#log.warn('L1 reorg deeper than the kept window: rescanning from the start', {
      fromBlock: this.#p.fromBlock,
    })
    this.#history = []
    this.#accepted = []
    this.#pruned = 0
    this.#next = this.#p.start
    this.#assembler.state = new Map()
  }
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b
}
