import {
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hex,
  type TransactionReceipt,
  type Transport,
  toHex,
} from 'viem'
import { RollupError, shortMessageOf } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { runLoop } from '../shared/loop.js'
import type { Service, ServiceHealth } from '../shared/service.js'
import { TxSender } from '../shared/txSender.js'
import type { BlobSource } from './blobSource.js'
import { BYTES_PER_BLOB, blobPayloadCapacity, encodeBlobPayload, MAX_BLOBS_PER_TX } from './blobs.js'
import { type BlobSidecarVersion, BlobTxSender } from './blobTx.js'
import { batchFromBlocks, compressBody, encodeBatchBody } from './codec.js'
import { BATCH_INBOX_ADDRESS, Compression, type CompressionName, DEFAULT_BATCH_LIMITS } from './constants.js'
import { toFrames } from './frames.js'
import { InboxScanner, type NextBatch, type SafeHead, type SkippedInboxData } from './InboxScanner.js'
import { type BlobKzg, sharedKzg } from './kzg.js'
import type { BatchBlock, BatchSource } from './types.js'

/** Where batches go on L1. */
export type DataAvailability = 'calldata' | 'blobs'

export type BatcherParameters = {
  /** L1 client; also used to read the inbox back (trusted for L1 data). */
  l1: Client<Transport, Chain | undefined>
  /** The batcher key (the only sender the verifier accepts). Give it to nothing else. A local account for blobs. */
  account: Account
  source: BatchSource
  /** Default {@link BATCH_INBOX_ADDRESS}. */
  inbox?: Address | undefined
  /** L1 block to scan the inbox from on start (the rollup's L1 start block). Default 0. */
  l1StartBlock?: bigint | undefined
  /** Where the first batch starts. Default: block 1 on the source's block 0 hash. */
  start?: NextBatch | undefined
  /** Post at the latest this long after first seeing the oldest unposted block. Default 10 s. */
  maxDelayMs?: number | undefined
  /**
   * `calldata` (default): each frame is an inbox transaction's calldata. `blobs`: each frame goes
   * in the blobs of a type-3 inbox transaction (no calldata), at most `maxBlobsPerTx` blobs each:
   * ~40 gas per byte becomes 1 blob gas per byte (see the README's costs). Readers need a blob
   * source; blobs are pruned ~18 days after inclusion.
   */
  dataAvailability?: DataAvailability | undefined
  /** Target size of one batch on L1 (compressed channel bytes). Default `maxFrameBytes - 1` (one frame). */
  maxBatchBytes?: number | undefined
  /**
   * Max frame bytes per inbox transaction. Default 120,000 for calldata, and for blobs the payload
   * capacity of `maxBlobsPerTx` blobs (`blobPayloadCapacity(6)` = 761,851), which is also the most.
   */
  maxFrameBytes?: number | undefined
  /** Blobs per transaction at most (blobs only). 1..6, default 6 (the per-transaction cap since Osaka). */
  maxBlobsPerTx?: number | undefined
  /** Blob network wrapper: 1 = cell proofs (Osaka on, default), 0 = blob proofs (Cancun/Prague L1s). */
  blobSidecarVersion?: BlobSidecarVersion | undefined
  /** Most the batcher bids per blob gas (wei); above it it waits. Default: 2 × the blob base fee, no cap. */
  maxFeePerBlobGas?: bigint | undefined
  /** Where the batcher reads its blobs back (same rules as verifiers). Default anvil's RPC on `l1`. */
  blobSource?: BlobSource | undefined
  /** KZG (commitments, proofs). Default the process-wide worker, `sharedKzg()`. */
  kzg?: BlobKzg | undefined
  /** Blocks per batch at most. Default 2,000. */
  maxBlocksPerBatch?: number | undefined
  /** Default `brotli`. */
  compression?: CompressionName | undefined
  pollIntervalMs?: number | undefined
  /** L1 blocks on top of a batch transaction before the next one is sent. Default 0. */
  confirmations?: number | undefined
  /** Frames of one batch must land within this many L1 blocks (readers drop older). Default 100. */
  channelTimeout?: number | undefined
  txTimeoutMs?: number | undefined
  backoffBaseMs?: number | undefined
  backoffMaxMs?: number | undefined
  logger?: Logger | undefined
  /** Called whenever the safe head (last L2 block on canonical L1) changes, also backwards after an L1 reorg. */
  onSafeHead?: ((head: SafeHead | undefined) => void) | undefined
}

export type BatcherHealth = ServiceHealth & {
  dataAvailability: DataAvailability
  /** Last L2 block on L1 (the node's safe head), undefined before the first batch. */
  safeHead: SafeHead | undefined
  /** Where the next batch starts. */
  next: { number: bigint; parentHash: Hex } | undefined
  sourceHead: bigint | undefined
  /** Blocks fetched and not yet posted. */
  pendingBlocks: number
  l1Scanned: bigint | undefined
  posted: {
    batches: number
    frames: number
    blocks: number
    transactions: number
    calldataBytes: number
    /** Execution gas (blob transactions: 21,000 each). */
    gasUsed: string
    blobs: number
    /** Frame bytes carried in blobs. */
    blobDataBytes: number
    blobGasUsed: string
  }
  lastBatch:
    | {
        first: bigint
        last: bigint
        frames: number
        calldataBytes: number
        blobs: number
        bodyBytes: number
        gasUsed: string
        blobGasUsed: string
        l1Block: bigint
      }
    | undefined
  reposts: number
  l1Reorgs: number
  skipped: number
  consecutiveErrors: number
  lastError: string | undefined
}

/**
 * The L2 chain the source serves no longer continues what L1 has (the node was reset, or
 * reorganised below the safe head). Posting would fork the chain; an operator must look.
 */
export class BatcherDivergedError extends RollupError {
  override name = 'BatcherDivergedError'
}

/**
 * L1 has our batch transaction but the inbox rules refused it (e.g. an L1 origin not before the
 * including block, or a codec bug). Posting again would be refused again and burn gas, so the
 * batcher stops posting until it is restarted.
 */
export class BatchRejectedError extends RollupError {
  override name = 'BatchRejectedError'
}

/** A posted batch transaction did not succeed (impossible for an EOA inbox unless out of gas). */
export class BatchTxFailedError extends RollupError {
  override name = 'BatchTxFailedError'
}

/**
 * Gas of an inbox transaction with `data` under Prague (EIP-7623): 21,000 plus the larger of the
 * standard calldata cost (4 per zero byte, 16 per other byte) and the floor (10 per token, a token
 * being 1 per zero byte and 4 per other byte). A transfer to an EOA executes nothing, so the floor
 * always wins: 10/40 gas per zero/non-zero byte.
 *
 * @example
 * inboxTxGas(new Uint8Array([1, 0])) // 21_000n + 50n
 */
export function inboxTxGas(data: Uint8Array): bigint {
  let zeros = 0
  for (const b of data) if (b === 0) zeros++
  const tokens = BigInt(zeros + 4 * (data.length - zeros))
  const standard = 4n * tokens
  const floor = 10n * tokens
  return 21_000n + (standard > floor ? standard : floor)
}

type Packed = { blocks: BatchBlock[]; channel: Uint8Array; bodyBytes: number }

/**
 * Posts the keystore chain's blocks to L1 as compressed batches (calldata, or blobs with
 * `dataAvailability: 'blobs'`, to the inbox), one transaction at a time from the batcher key.
 *
 * Every decision is taken from L1 and the source, never from local state: on start (and every
 * step) it reads the inbox back with the verifier's rules (`InboxScanner`), so the next batch
 * starts where L1's chain of batches ends. A restart therefore resumes without duplicates, and
 * a batch that disappears in an L1 reorg is posted again (the scanner rewinds, the next block
 * goes back). Blocks are packed until the batch would exceed `maxBatchBytes` or the oldest has
 * waited `maxDelayMs`. If the source's blocks stop continuing L1's batches (parent hash
 * mismatch), it refuses to post ({@link BatcherDivergedError}, health degraded).
 *
 * @example
 * const batcher = new Batcher({ l1, account: privateKeyToAccount(key), source, onSafeHead: (h) => node.setSafe(h) })
 * // or in blobs: new Batcher({ l1, account, source, dataAvailability: 'blobs', blobSource: createBeaconBlobSource({ url }) })
 * await batcher.start()
 * batcher.health().safeHead
 * await batcher.stop()
 */
export class Batcher implements Service<BatcherHealth> {
  readonly inbox: Address
  readonly #p: BatcherParameters
  readonly #log: Logger
  readonly #sender: TxSender
  readonly #blobSender: BlobTxSender | undefined
  readonly #maxBlobsPerTx: number
  #scanner: InboxScanner | undefined
  #controller: AbortController | undefined
  #loop: Promise<void> | undefined
  #start: NextBatch | undefined
  /** Fetched, not yet posted blocks, contiguous from the scanner's `next`. */
  #pending: BatchBlock[] = []
  #firstSeen = new Map<bigint, number>()
  #sourceHead: bigint | undefined
  /** The last batch sent whose L1 block the scanner has not yet reached. */
  #inflight: { last: bigint; l1BlockNumber: bigint; txHashes: Hex[] } | undefined
  /** Why the scanner skipped our own transactions (by hash), to tell a refusal from a reorg. */
  #ownSkips = new Map<Hex, SkippedInboxData>()
  #blocked: BatchRejectedError | undefined
  #aheadWarned: bigint | undefined
  #highestPosted = 0n
  #ratio = 1
  #lastSafe: string | undefined
  #stats = {
    batches: 0,
    frames: 0,
    blocks: 0,
    transactions: 0,
    calldataBytes: 0,
    gasUsed: 0n,
    blobs: 0,
    blobDataBytes: 0,
    blobGasUsed: 0n,
    reposts: 0,
    skipped: 0,
    consecutiveErrors: 0,
    lastError: undefined as string | undefined,
    started: false,
    lastBatch: undefined as BatcherHealth['lastBatch'],
  }

  constructor(parameters: BatcherParameters) {
    this.#p = parameters
    this.inbox = parameters.inbox ?? BATCH_INBOX_ADDRESS
    this.#log = (parameters.logger ?? silentLogger).child({ service: 'batcher' })
    this.#sender = new TxSender({
      client: parameters.l1,
      account: parameters.account,
      timeoutMs: parameters.txTimeoutMs ?? 30_000,
      confirmations: parameters.confirmations ?? 0,
      logger: this.#log,
    })
    this.#maxBlobsPerTx = parameters.maxBlobsPerTx ?? MAX_BLOBS_PER_TX
    if (parameters.dataAvailability === 'blobs') {
      const account = parameters.account
      if (account.type !== 'local')
        throw new RollupError('Blob batches need a local account.', {
          details: 'the blob network wrapper is built around a transaction signed in this process',
        })
      if (
        !Number.isInteger(this.#maxBlobsPerTx) ||
        this.#maxBlobsPerTx < 1 ||
        this.#maxBlobsPerTx > MAX_BLOBS_PER_TX
      )
        throw new RollupError(`maxBlobsPerTx must be 1..${MAX_BLOBS_PER_TX}.`, {
          input: parameters.maxBlobsPerTx,
        })
      const capacity = blobPayloadCapacity(this.#maxBlobsPerTx)
      if ((parameters.maxFrameBytes ?? 0) > capacity)
        throw new RollupError(
          `maxFrameBytes ${parameters.maxFrameBytes} exceeds ${this.#maxBlobsPerTx} blob(s).`,
          {
            details: `at most ${capacity}`,
          },
        )
      this.#blobSender = new BlobTxSender({
        client: parameters.l1,
        account,
        sidecarVersion: parameters.blobSidecarVersion,
        maxFeePerBlobGas: parameters.maxFeePerBlobGas,
        kzg: parameters.kzg,
        timeoutMs: parameters.txTimeoutMs ?? 30_000,
        confirmations: parameters.confirmations ?? 0,
        logger: this.#log,
      })
    }
  }

  /** Where this batcher posts. */
  get dataAvailability(): DataAvailability {
    return this.#blobSender ? 'blobs' : 'calldata'
  }

  get address(): Address {
    return this.#p.account.address
  }

  /** The last L2 block on canonical L1 (the node's safe head). */
  get safeHead(): SafeHead | undefined {
    return this.#scanner?.safeHead
  }

  /** Resolves the start (the source's genesis hash), then runs the loop in the background. */
  async start(): Promise<void> {
    if (this.#controller) return
    if (!this.#start) {
      if (this.#p.start) this.#start = this.#p.start
      else {
        const genesis = await this.#p.source.getBatchBlock(0n)
        if (!genesis)
          throw new RollupError('The batch source has no block 0.', {
            details: 'pass `start` or serve genesis from the source',
          })
        this.#start = { number: 1n, parentHash: genesis.hash }
      }
    }
    this.#scanner = new InboxScanner({
      client: this.#p.l1,
      inbox: this.inbox,
      batcher: this.address,
      fromBlock: this.#p.l1StartBlock ?? 0n,
      start: this.#start,
      channelTimeout: this.#p.channelTimeout,
      blobSource: this.#p.blobSource,
      kzg: this.#p.kzg,
      logger: this.#log,
      onSkip: (s: SkippedInboxData) => {
        this.#stats.skipped++
        if (this.#inflight?.txHashes.includes(s.txHash)) this.#ownSkips.set(s.txHash, s)
      },
    })
    if (this.#blobSender) {
      // load the KZG trusted setup (~15–25 s of worker CPU) while the inbox is being read
      void (this.#p.kzg ?? sharedKzg())
        .blobToCommitment(new Uint8Array(BYTES_PER_BLOB))
        .catch((error) => this.#log.warn('KZG warm-up failed', { error: shortMessageOf(error) }))
    }
    const controller = new AbortController()
    this.#controller = controller
    this.#loop = runLoop({
      signal: controller.signal,
      pollIntervalMs: this.#p.pollIntervalMs ?? 500,
      backoff: { baseMs: this.#p.backoffBaseMs ?? 250, maxMs: this.#p.backoffMaxMs ?? 15_000 },
      step: () => this.step(controller.signal),
      onSuccess: () => {
        this.#stats.started = true
        this.#stats.consecutiveErrors = 0
      },
      onError: (error, attempt, delayMs) => {
        this.#stats.consecutiveErrors++
        this.#stats.lastError = shortMessageOf(error)
        const level =
          error instanceof BatcherDivergedError || error instanceof BatchRejectedError ? 'error' : 'warn'
        this.#log[level]('step failed', { attempt, retryInMs: delayMs, error: shortMessageOf(error) })
      },
    })
    this.#log.info('started', {
      batcher: this.address,
      inbox: this.inbox,
      start: this.#start.number,
      dataAvailability: this.dataAvailability,
    })
  }

  async stop(): Promise<void> {
    this.#blocked = undefined
    this.#controller?.abort()
    await this.#loop
    this.#loop = undefined
    this.#controller = undefined
    this.#log.info('stopped', { safeHead: this.safeHead?.number })
  }

  health(): BatcherHealth {
    const s = this.#stats
    const status = !this.#controller
      ? 'stopped'
      : s.consecutiveErrors >= 3
        ? 'degraded'
        : s.started
          ? 'ok'
          : 'starting'
    return {
      status,
      dataAvailability: this.dataAvailability,
      safeHead: this.safeHead,
      next: this.#scanner?.next ?? this.#start,
      sourceHead: this.#sourceHead,
      pendingBlocks: this.#pending.length,
      l1Scanned: this.#scanner?.scanned?.number,
      posted: {
        batches: s.batches,
        frames: s.frames,
        blocks: s.blocks,
        transactions: s.transactions,
        calldataBytes: s.calldataBytes,
        gasUsed: s.gasUsed.toString(),
        blobs: s.blobs,
        blobDataBytes: s.blobDataBytes,
        blobGasUsed: s.blobGasUsed.toString(),
      },
      lastBatch: s.lastBatch,
      reposts: s.reposts,
      l1Reorgs: this.#scanner?.rewinds ?? 0,
      skipped: s.skipped,
      consecutiveErrors: s.consecutiveErrors,
      lastError: s.lastError,
    }
  }

  /**
   * One round: read L1 back, fetch new blocks, post a batch if one is due. Exposed for tests and
   * for callers that drive the batcher themselves (no `start()`); `start()` runs it in a loop.
   *
   * @returns `again` after posting (more may be due), `idle` otherwise.
   */
  async step(signal?: AbortSignal): Promise<'again' | 'idle'> {
    const scanner = this.#scanner
    if (!scanner || !this.#start) throw new RollupError('Batcher.step() before start().')
    if (this.#blocked) throw this.#blocked
    const { caughtUp } = await scanner.sync()
    this.#reportSafeHead()
    if (!caughtUp) return 'again'
    const inflight = this.#inflight
    if (inflight) {
      if ((scanner.scanned?.number ?? -1n) < inflight.l1BlockNumber) return 'idle'
      this.#inflight = undefined
      const refused = inflight.txHashes
        .map((h) => this.#ownSkips.get(h))
        .find((x) => x !== undefined && x.reason !== 'duplicate' && x.reason !== 'overlap')
      this.#ownSkips.clear()
      if ((scanner.next?.number ?? 0n) <= inflight.last) {
        if (refused) {
          this.#blocked = new BatchRejectedError(
            `L1 refused our batch ending at block ${inflight.last}: ${refused.reason}.`,
            {
              details: `${refused.message} (tx ${refused.txHash}); not posting again until restarted`,
            },
          )
          throw this.#blocked
        }
        this.#log.warn('a posted batch is not on L1 (reorged out?): posting again', { last: inflight.last })
      }
    }
    const next = scanner.next ?? this.#start
    const head = await this.#p.source.head()
    this.#sourceHead = head
    if (head < next.number) {
      this.#pending = []
      return 'idle'
    }
    await this.#fill(next, head)
    const pending = this.#pending
    if (pending.length === 0) return 'idle'
    const maxBatchBytes = this.#maxBatchBytes()
    const maxBlocks = this.#p.maxBlocksPerBatch ?? 2000
    const seen = this.#firstSeen.get(next.number) ?? Date.now()
    const repost = next.number <= this.#highestPosted
    const due = repost || Date.now() - seen >= (this.#p.maxDelayMs ?? 10_000)
    const rawBytes = pending.reduce((sum, b) => sum + estimateRawBytes(b), 0)
    const mayBeFull = rawBytes * this.#ratio >= maxBatchBytes || pending.length >= maxBlocks
    if (!due && !mayBeFull) return 'idle'
    // Readers refuse a batch naming an L1 origin at or after its own L1 block: post only blocks
    // whose origin L1 already has (origins never decrease, so that is a prefix).
    const l1Head = scanner.scanned?.number ?? -1n
    let ready = 0
    while (ready < Math.min(pending.length, maxBlocks) && pending[ready]!.l1Origin.number <= l1Head) ready++
    if (ready < pending.length && pending[ready]!.l1Origin.number !== this.#aheadWarned) {
      this.#aheadWarned = pending[ready]!.l1Origin.number
      this.#log.warn('L1 origin ahead of the L1 head: waiting', {
        block: pending[ready]!.number,
        origin: this.#aheadWarned,
        l1Head,
      })
    }
    if (ready === 0) return 'idle'
    const packed = this.#pack(pending.slice(0, ready), maxBatchBytes)
    if (!due && packed.blocks.length === ready && ready < maxBlocks) return 'idle'
    if (repost) this.#stats.reposts++
    await this.#post(packed, signal)
    return 'again'
  }

  #maxFrameBytes(): number {
    return this.#p.maxFrameBytes ?? (this.#blobSender ? blobPayloadCapacity(this.#maxBlobsPerTx) : 120_000)
  }

  #maxBatchBytes(): number {
    return this.#p.maxBatchBytes ?? this.#maxFrameBytes() - 1
  }

  /** Keeps `#pending` = the source's blocks from `next.number` on, checking every parent link. */
  async #fill(next: NextBatch, head: bigint): Promise<void> {
    const first = this.#pending[0]
    if (first && first.number !== next.number) {
      const skip = Number(next.number - first.number)
      this.#pending = skip > 0 && skip <= this.#pending.length ? this.#pending.slice(skip) : []
    }
    for (const n of this.#firstSeen.keys()) if (n < next.number) this.#firstSeen.delete(n)
    const limit = next.number + BigInt(this.#p.maxBlocksPerBatch ?? 2000) * 2n - 1n
    const to = head < limit ? head : limit
    const tail = this.#pending[this.#pending.length - 1]
    for (let n = tail ? tail.number + 1n : next.number; n <= to; n++) {
      const block = await this.#p.source.getBatchBlock(n)
      if (!block) break
      if (block.number !== n)
        throw new RollupError(`The source answered block ${block.number} for block ${n}.`)
      const parent = this.#pending[this.#pending.length - 1]
      if (parent && block.parentHash.toLowerCase() !== parent.hash.toLowerCase()) {
        // the source reorganised while we were reading it: start over from `next`
        this.#pending = []
        throw new RollupError(`Source block ${n} does not build on block ${parent.number} fetched before.`, {
          details: 'the L2 chain changed under the batcher; retrying',
        })
      }
      if (!parent && block.parentHash.toLowerCase() !== next.parentHash.toLowerCase())
        throw new BatcherDivergedError(`The L2 chain no longer continues the batches on L1 at block ${n}.`, {
          details: `block ${n}'s parentHash is ${block.parentHash}; L1's batches end on ${next.parentHash}. The node was reset or reorganised below the safe head`,
        })
      this.#pending.push(block)
      if (!this.#firstSeen.has(n)) this.#firstSeen.set(n, Date.now())
    }
  }

  /** The longest prefix of `blocks` whose channel fits `maxBatchBytes` (at least one block). */
  #pack(blocks: BatchBlock[], maxBatchBytes: number): Packed {
    const compression = this.#p.compression ?? 'brotli'
    const encode = (n: number): Packed => {
      const slice = blocks.slice(0, n)
      const body = encodeBatchBody(batchFromBlocks(slice))
      const compressed = compressBody(body, compression)
      const channel = new Uint8Array(1 + compressed.length)
      channel[0] = Compression[compression]
      channel.set(compressed, 1)
      return { blocks: slice, channel, bodyBytes: body.length }
    }
    let n = blocks.length
    let packed = encode(n)
    this.#ratio = packed.channel.length / Math.max(1, packed.bodyBytes)
    while (packed.channel.length > maxBatchBytes && n > 1) {
      const shrink = Math.floor((n * maxBatchBytes) / packed.channel.length)
      n = Math.max(1, Math.min(n - 1, Math.floor(shrink * 0.98)))
      packed = encode(n)
    }
    return packed
  }

  async #post(packed: Packed, signal: AbortSignal | undefined): Promise<void> {
    const frames = toFrames(packed.channel, {
      maxFrameBytes: this.#maxFrameBytes(),
      maxFrames: DEFAULT_BATCH_LIMITS.maxFrames,
    })
    const first = packed.blocks[0]!.number
    const last = packed.blocks[packed.blocks.length - 1]!.number
    let gasUsed = 0n
    let blobGasUsed = 0n
    let blobs = 0
    let receipt: TransactionReceipt | undefined
    const txHashes: Hex[] = []
    for (const frame of frames) {
      if (this.#blobSender) {
        const frameBlobs = encodeBlobPayload(frame, { maxBlobs: this.#maxBlobsPerTx })
        receipt = await this.#blobSender.send({ to: this.inbox, blobs: frameBlobs }, { signal })
        blobs += frameBlobs.length
        blobGasUsed += receipt.blobGasUsed ?? 0n
      } else
        receipt = await this.#sender.send(
          { to: this.inbox, data: toHex(frame), gas: inboxTxGas(frame) },
          { signal },
        )
      if (receipt.status !== 'success')
        throw new BatchTxFailedError('A batch transaction failed.', { details: receipt.transactionHash })
      txHashes.push(receipt.transactionHash)
      gasUsed += receipt.gasUsed
    }
    const frameBytes = frames.reduce((sum, f) => sum + f.length, 0)
    const calldataBytes = this.#blobSender ? 0 : frameBytes
    const txs = packed.blocks.reduce((sum, b) => sum + b.transactions.length, 0)
    this.#inflight = { last, l1BlockNumber: receipt!.blockNumber, txHashes }
    if (last > this.#highestPosted) this.#highestPosted = last
    const s = this.#stats
    s.batches++
    s.frames += frames.length
    s.blocks += packed.blocks.length
    s.transactions += txs
    s.calldataBytes += calldataBytes
    s.gasUsed += gasUsed
    s.blobs += blobs
    if (blobs > 0) s.blobDataBytes += frameBytes
    s.blobGasUsed += blobGasUsed
    s.lastBatch = {
      first,
      last,
      frames: frames.length,
      calldataBytes,
      blobs,
      bodyBytes: packed.bodyBytes,
      gasUsed: gasUsed.toString(),
      blobGasUsed: blobGasUsed.toString(),
      l1Block: receipt!.blockNumber,
    }
    this.#log.info('batch posted', {
      first,
      last,
      txs,
      frames: frames.length,
      bytes: frameBytes,
      blobs,
      gasUsed,
      blobGasUsed,
      gasPerTx: txs ? Number(gasUsed / BigInt(txs)) : undefined,
      l1Block: receipt!.blockNumber,
    })
  }

  #reportSafeHead(): void {
    const head = this.#scanner?.safeHead
    const key = head ? `${head.number}:${head.hash}:${head.l1BlockHash}` : undefined
    if (key === this.#lastSafe) return
    this.#lastSafe = key
    this.#log.debug('safe head', { number: head?.number, l1Block: head?.l1BlockNumber })
    this.#p.onSafeHead?.(head)
  }
}

/** Uncompressed size of a block in a batch body, close enough to decide when to compress. */
function estimateRawBytes(block: BatchBlock): number {
  let bytes = 4
  for (const tx of block.transactions) bytes += (tx.length - 2) / 2 + 2
  return bytes + block.l1sload.length * 86
}
