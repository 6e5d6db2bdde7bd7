/**
 * Moves a sequencing node's `safe` and `finalized` heads from what L1 holds: the last L2 block
 * whose batch is in the inbox (safe), and the last one whose batch is in a finalized L1 block
 * (finalized). In the devnet the in-process Batcher reports this; when the node and the batcher
 * run as separate processes (docker-compose, `npm run keystore-node`), the node follows L1 itself
 * with this service. Reading L1 is also the right trust model: `safe` means "anyone can re-derive
 * it from L1", which the batcher's word alone does not prove.
 *
 * Threats: anyone can send to the inbox, so only successful transactions from the batcher address
 * of the deployment count (the InboxScanner's rules, the same as the verifier's). A batch from a
 * stolen batcher key, or a node that lost its data and re-sequenced, gives L1 a chain this node
 * does not have: the heads then stay where they are, health turns `degraded` with the first block
 * that differs, and an error is logged — the node never calls a block safe that L1 does not carry.
 * An L1 reorg rewinds the scanner; the heads never move backwards (KeystoreNode.setSafeHeads), so a
 * reorg deeper than the batcher's confirmations can leave them ahead of L1 until it is re-posted.
 */
import type { Address, Client, Hex } from 'viem'
import { getBlock } from 'viem/actions'
import { InboxScanner } from '../batcher/InboxScanner.js'
import type { StoredBlock } from '../node/KeystoreNode.js'
import { shortMessageOf } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { runLoop, type StepResult } from '../shared/loop.js'
import type { Service, ServiceHealth } from '../shared/service.js'

/** The node as the follower sees it (a KeystoreNode). */
export type SafeHeadNode = {
  readonly head: StoredBlock
  getBlockByNumber(number: bigint): Promise<StoredBlock | undefined>
  setSafeHeads(heads: { safe?: bigint | undefined; finalized?: bigint | undefined }): void
}

export type SafeHeadFollowerParameters = {
  node: SafeHeadNode
  /** L1 (trusted for L1 data, as for deposits: run your own L1 node). */
  l1: Client
  /** The batch inbox of the deployment (addresses file `keystore.batchInbox`). */
  inbox: Address
  /** The only sender whose inbox transactions count (addresses file `keystore.roles.batcher`). */
  batcher: Address
  /** The deployment's L1 start block (`keystore.genesis.l1StartBlock`): the scan starts here. */
  l1StartBlock: bigint
  /** The node's genesis hash: the first batch must build on it. */
  genesisHash: Hex
  /** L1 blocks a batch must be under before it counts as safe. Default 0. */
  confirmations?: number | undefined
  /** Default 1000. */
  pollIntervalMs?: number | undefined
  /** L1 blocks scanned per step at most (the rest on the next step). Default 2000. */
  maxBlocksPerSync?: number | undefined
  backoff?: { baseMs: number; maxMs: number } | undefined
  logger?: Logger | undefined
}

export type SafeHeadFollowerHealth = ServiceHealth & {
  safe: { number: bigint; l1BlockNumber: bigint } | undefined
  finalized: bigint | undefined
  l1Scanned: bigint | undefined
  batches: number
  /** L1 carries a block this node does not have, or has with another hash. */
  divergence: { number: bigint; l1Hash: Hex; nodeHash: Hex | null } | undefined
  consecutiveErrors: number
  lastError: string | undefined
}

/**
 * @example
 * const follower = new SafeHeadFollower({ node, l1, inbox: ks.batchInbox, batcher: ks.roles.batcher,
 *   l1StartBlock: BigInt(ks.genesis.l1StartBlock), genesisHash: (await node.getBlockByNumber(0n))!.hash })
 * await follower.start() // stop(), health()
 */
export class SafeHeadFollower implements Service<SafeHeadFollowerHealth> {
  readonly #p: SafeHeadFollowerParameters
  readonly #log: Logger
  readonly #scanner: InboxScanner
  #controller: AbortController | undefined
  #loop: Promise<void> | undefined
  #status: ServiceHealth['status'] = 'starting'
  #safe: SafeHeadFollowerHealth['safe']
  #finalized: bigint | undefined
  #divergence: SafeHeadFollowerHealth['divergence']
  #consecutiveErrors = 0
  #lastError: string | undefined

  constructor(parameters: SafeHeadFollowerParameters) {
    this.#p = parameters
    this.#log = (parameters.logger ?? silentLogger).child({ service: 'safe-head' })
    this.#scanner = new InboxScanner({
      client: parameters.l1,
      inbox: parameters.inbox,
      batcher: parameters.batcher,
      fromBlock: parameters.l1StartBlock,
      start: { number: 1n, parentHash: parameters.genesisHash },
      confirmations: parameters.confirmations,
      maxBlocksPerSync: parameters.maxBlocksPerSync,
      // bounded memory: the finalized head is looked up among the recent batches only
      retainBatches: 1024,
      logger: parameters.logger,
    })
  }

  async start(): Promise<void> {
    if (this.#loop) return
    this.#controller = new AbortController()
    this.#loop = runLoop({
      signal: this.#controller.signal,
      step: () => this.step(),
      pollIntervalMs: this.#p.pollIntervalMs ?? 1000,
      backoff: this.#p.backoff ?? { baseMs: 500, maxMs: 15_000 },
      onSuccess: () => {
        this.#consecutiveErrors = 0
      },
      onError: (error, attempt, delayMs) => {
        this.#consecutiveErrors++
        this.#lastError = shortMessageOf(error)
        this.#log[attempt >= 3 ? 'error' : 'warn']('L1 scan failed', {
          error: this.#lastError,
          attempt,
          retryInMs: delayMs,
        })
      },
    })
    this.#log.info('started', { inbox: this.#p.inbox, batcher: this.#p.batcher, from: this.#p.l1StartBlock })
  }

  async stop(): Promise<void> {
    this.#controller?.abort()
    await this.#loop
    this.#loop = undefined
    this.#status = 'stopped'
  }

  /** One round: scan L1 further, then move the node's heads. Exposed for callers that drive it. */
  async step(): Promise<StepResult> {
    const { caughtUp } = await this.#scanner.sync()
    const safe = this.#scanner.safeHead
    if (safe) {
      const block = await this.#p.node.getBlockByNumber(safe.number)
      if (!block || block.hash !== safe.hash) {
        const divergence = { number: safe.number, l1Hash: safe.hash, nodeHash: block?.hash ?? null }
        if (this.#divergence?.number !== divergence.number || this.#divergence.l1Hash !== divergence.l1Hash)
          this.#log.error(
            block
              ? 'L1 carries another chain than this node: safe head not moved'
              : 'L1 carries blocks this node does not have: safe head not moved',
            { ...divergence, nodeHead: this.#p.node.head.number },
          )
        this.#divergence = divergence
        this.#status = 'degraded'
        return caughtUp ? 'idle' : 'again'
      }
      this.#divergence = undefined
      const finalized = await this.#finalizedFrom()
      this.#p.node.setSafeHeads({ safe: safe.number, finalized })
      if (this.#safe?.number !== safe.number)
        this.#log.debug('safe head', { number: safe.number, l1Block: safe.l1BlockNumber, finalized })
      this.#safe = { number: safe.number, l1BlockNumber: safe.l1BlockNumber }
      if (finalized !== undefined) this.#finalized = finalized
    }
    this.#status = 'ok'
    return caughtUp ? 'idle' : 'again'
  }

  /** The last L2 block whose batch is in a finalized L1 block (undefined if none or unknown). */
  async #finalizedFrom(): Promise<bigint | undefined> {
    let l1Finalized: bigint
    try {
      l1Finalized = (await getBlock(this.#p.l1, { blockTag: 'finalized' })).number
    } catch {
      return undefined // an L1 without the tag: no finalized head
    }
    const batches = this.#scanner.batches
    for (let i = batches.length - 1; i >= 0; i--) {
      const b = batches[i]!
      if (b.inclusion.l1BlockNumber <= l1Finalized) return b.blocks[b.blocks.length - 1]!.number
    }
    return undefined
  }

  health(): SafeHeadFollowerHealth {
    return {
      status: this.#consecutiveErrors >= 3 ? 'degraded' : this.#status,
      safe: this.#safe,
      finalized: this.#finalized,
      l1Scanned: this.#scanner.scanned?.number,
      batches: this.#scanner.batches.length,
      divergence: this.#divergence,
      consecutiveErrors: this.#consecutiveErrors,
      lastError: this.#lastError,
    }
  }
}
