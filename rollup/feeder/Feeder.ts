import {
  type Account,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  type Hex,
  zeroHash,
} from 'viem'
import { estimateContractGas, getBlockNumber, getCode, readContract } from 'viem/actions'
import { il1BlocksAbi, opL1BlockAbi } from '../../contracts/generated/index.js'
import type { ChainClient } from '../devnet/clients.js'
import { L1_BLOCK_ADDRESS } from '../origin/l1Block.js'
import { RollupError, shortMessageOf } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { runLoop } from '../shared/loop.js'
import type { Service, ServiceHealth } from '../shared/service.js'
import { TxSender, TxTimeoutError } from '../shared/txSender.js'
import {
  fetchVerifiedHeader,
  HeaderNotFoundError,
  InvalidL1HeaderError,
  type VerifiedHeader,
} from './blockHeader.js'

export type FeederChain = {
  /** The L2's name (logs, health). */
  name: string
  client: ChainClient
  /** The L1Blocks contract on this L2. */
  l1Blocks: Address
  /** The L2's L1 origin (default: the OP predeploy 0x4200…0015). */
  l1Block?: Address | undefined
}

export type FeederParameters = {
  /** Any L1 RPC: the feeder does not trust it (every header is checked against its hash). */
  l1: ChainClient
  l2s: FeederChain[]
  /** Signs submissions (the same key may serve every L2: one sender per chain). */
  account: Account
  pollIntervalMs?: number | undefined
  /** L2 blocks on top of a submission before it counts as done. */
  confirmations?: number | undefined
  /** Keep this many parents of the latest header stored (0 = anchors only). */
  backfill?: number | undefined
  txTimeoutMs?: number | undefined
  backoffBaseMs?: number | undefined
  backoffMaxMs?: number | undefined
  logger?: Logger | undefined
}

/** What one step did on one L2. */
export type FeedOutcome =
  /** L1Block.hash() is zero: the L2 has no L1 origin yet. */
  | 'no-origin'
  /** The latest stored header is the anchor and the backfill window is full. */
  | 'up-to-date'
  | 'submitted-anchor'
  | 'submitted-backfill'
  /** The anchor moved between reading it and the submission (reverted with L1BlocksUnanchored). */
  | 'race'
  /** Someone else stored the header first. */
  | 'already-stored'

type ChainStats = {
  anchor: { number: string; hash: Hex } | null
  latest: { number: string; hash: Hex } | null
  oldest: string | null
  l1Head: string | null
  /** L1 head number minus the latest stored number. */
  lagBlocks: string | null
  lastSubmitted: { number: string; hash: Hex; kind: 'anchor' | 'backfill'; at: string } | null
  lastOutcome: FeedOutcome | null
  submitted: number
  errors: {
    rpc: number
    notFound: number
    mismatch: number
    reverted: number
    races: number
    timeouts: number
  }
  consecutiveErrors: number
  lastError: string | null
  synced: boolean
}

export type FeederChainHealth = ChainStats & { chain: string }
export type FeederHealth = ServiceHealth & { chains: Record<string, FeederChainHealth> }

export class FeederSetupError extends RollupError {
  override name = 'FeederSetupError'
}

export class SubmissionRevertedError extends RollupError {
  override name = 'SubmissionRevertedError'
}

/** The custom error name of a contract revert inside `error`, if any. */
export function revertErrorName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined
}

/**
 * The L1Blocks feeder. For each L2 it keeps `L1Blocks`' latest header equal to the L2's own L1
 * origin (`L1Block.hash()`, the only anchor the contract accepts), optionally backfills parents
 * through `parentHash`, and never trusts the L1 RPC: a header is submitted only if it hashes to
 * the hash asked for. All state is read from chain on every step, so restarts are idempotent and
 * several feeders can run side by side. RPC failures back off exponentially (with jitter) and the
 * loop keeps going; one transaction at a time per key and chain, re-sent on timeout.
 *
 * @example
 * const feeder = new Feeder({ l1, l2s: [{ name: 'l2a', client: l2a, l1Blocks }], account })
 * await feeder.start()
 * await feeder.waitUntilSynced()
 * await feeder.stop()
 */
export class Feeder implements Service<FeederHealth> {
  private readonly parameters: FeederParameters
  private readonly logger: Logger
  private readonly chains: Map<
    string,
    { chain: FeederChain; sender: TxSender; stats: ChainStats; log: Logger; ringSize?: bigint }
  >
  private controller: AbortController | undefined
  private loops: Promise<void>[] = []

  constructor(parameters: FeederParameters) {
    this.parameters = parameters
    this.logger = (parameters.logger ?? silentLogger).child({ service: 'feeder' })
    this.chains = new Map(
      parameters.l2s.map((chain) => {
        const log = this.logger.child({ chain: chain.name })
        return [
          chain.name,
          {
            chain,
            log,
            sender: new TxSender({
              client: chain.client,
              account: parameters.account,
              timeoutMs: parameters.txTimeoutMs ?? 15_000,
              confirmations: parameters.confirmations ?? 0,
              logger: log,
            }),
            stats: {
              anchor: null,
              latest: null,
              oldest: null,
              l1Head: null,
              lagBlocks: null,
              lastSubmitted: null,
              lastOutcome: null,
              submitted: 0,
              errors: { rpc: 0, notFound: 0, mismatch: 0, reverted: 0, races: 0, timeouts: 0 },
              consecutiveErrors: 0,
              lastError: null,
              synced: false,
            },
          },
        ]
      }),
    )
  }

  /** Checks that L1Blocks exists on every L2, then runs one loop per L2 in the background. */
  async start(): Promise<void> {
    if (this.controller) return
    for (const { chain } of this.chains.values()) {
      const code = await getCode(chain.client, { address: chain.l1Blocks })
      if (!code || code === '0x')
        throw new FeederSetupError(`L1Blocks is not deployed on ${chain.name}.`, {
          details: `no code at ${chain.l1Blocks}; deploy first (npm run deploy / the devnet)`,
          input: chain.l1Blocks,
        })
    }
    const controller = new AbortController()
    this.controller = controller
    this.loops = [...this.chains.keys()].map((name) => {
      const entry = this.chains.get(name)!
      return runLoop({
        signal: controller.signal,
        pollIntervalMs: this.parameters.pollIntervalMs ?? 500,
        backoff: {
          baseMs: this.parameters.backoffBaseMs ?? 250,
          maxMs: this.parameters.backoffMaxMs ?? 15_000,
        },
        step: async () => {
          const outcome = await this.feedOnce(name)
          return outcome === 'up-to-date' || outcome === 'no-origin' || outcome === 'already-stored'
            ? 'idle'
            : 'again'
        },
        onError: (error, attempt, delayMs) => {
          const level = error instanceof InvalidL1HeaderError ? 'error' : 'warn'
          entry.log[level]('step failed', { attempt, retryInMs: delayMs, error: shortMessageOf(error) })
        },
      })
    })
    this.logger.info('started', {
      chains: [...this.chains.keys()].join(','),
      account: this.parameters.account.address,
    })
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    await Promise.all(this.loops)
    this.loops = []
    this.controller = undefined
  }

  health(): FeederHealth {
    const chains = Object.fromEntries(
      [...this.chains.entries()].map(([name, { stats }]) => [
        name,
        { chain: name, ...structuredClone(stats) },
      ]),
    )
    const all = Object.values(chains)
    const status = !this.controller
      ? 'stopped'
      : all.some((c) => c.consecutiveErrors >= 3)
        ? 'degraded'
        : all.every((c) => c.synced)
          ? 'ok'
          : 'starting'
    return { status, chains }
  }

  /**
   * Resolves once, on every L2, the latest stored header has equalled the L2's L1 origin at least
   * once since start (seen up to date, or an anchor submission landed).
   */
  async waitUntilSynced(parameters: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (parameters.timeoutMs ?? 60_000)
    while (![...this.chains.values()].every((c) => c.stats.synced)) {
      if (Date.now() > deadline) {
        const behind = [...this.chains.values()].filter((c) => !c.stats.synced)
        throw new RollupError('The feeder did not sync in time.', {
          details: behind
            .map((c) => `${c.chain.name}: ${c.stats.lastError ?? c.stats.lastOutcome}`)
            .join('; '),
        })
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /**
   * One step on one L2: submit the anchor if L1Blocks' latest differs from it, else backfill one
   * parent if the window is short. Counts errors by kind and rethrows them.
   *
   * @param name the L2's name.
   * @returns What the step did.
   */
  async feedOnce(name: string): Promise<FeedOutcome> {
    const entry = this.chains.get(name)
    if (!entry) throw new RollupError(`Unknown L2 "${name}".`)
    try {
      const outcome = await this.step(entry)
      entry.stats.lastOutcome = outcome
      entry.stats.consecutiveErrors = 0
      if (outcome === 'up-to-date' || outcome === 'submitted-anchor') entry.stats.synced = true
      if (outcome === 'race') entry.stats.errors.races++
      return outcome
    } catch (error) {
      const e = entry.stats.errors
      if (error instanceof InvalidL1HeaderError) e.mismatch++
      else if (error instanceof HeaderNotFoundError) e.notFound++
      else if (error instanceof SubmissionRevertedError) e.reverted++
      else if (error instanceof TxTimeoutError) e.timeouts++
      else e.rpc++
      entry.stats.consecutiveErrors++
      entry.stats.lastError = shortMessageOf(error)
      throw error
    }
  }

  private async step(entry: {
    chain: FeederChain
    sender: TxSender
    stats: ChainStats
    log: Logger
    ringSize?: bigint
  }): Promise<FeedOutcome> {
    const { chain, stats } = entry
    const { client, l1Blocks } = chain
    const l1Block = chain.l1Block ?? L1_BLOCK_ADDRESS
    // One consistent snapshot of the L2: origin and stored window at the same block.
    const blockNumber = await getBlockNumber(client, { cacheTime: 0 })
    const [anchorHash, anchorNumber, latest] = await Promise.all([
      readContract(client, { address: l1Block, abi: opL1BlockAbi, functionName: 'hash', blockNumber }),
      readContract(client, { address: l1Block, abi: opL1BlockAbi, functionName: 'number', blockNumber }),
      this.readLatest(client, l1Blocks, blockNumber),
    ])
    const l1Head = await getBlockNumber(this.parameters.l1, { cacheTime: 0 })
    stats.l1Head = l1Head.toString()
    stats.latest = latest ? { number: latest.number.toString(), hash: latest.hash } : null
    stats.lagBlocks = latest ? (l1Head - latest.number).toString() : null
    if (anchorHash === zeroHash) {
      stats.anchor = null
      return 'no-origin'
    }
    stats.anchor = { number: anchorNumber.toString(), hash: anchorHash }

    if (latest?.hash !== anchorHash) {
      const header = await fetchVerifiedHeader(this.parameters.l1, anchorHash)
      return this.submit(entry, header, 'anchor')
    }

    const backfill = BigInt(this.parameters.backfill ?? 0)
    if (backfill === 0n) return 'up-to-date'
    entry.ringSize ??= await readContract(client, {
      address: l1Blocks,
      abi: il1BlocksAbi,
      functionName: 'RING_SIZE',
    })
    const oldest = await readContract(client, {
      address: l1Blocks,
      abi: il1BlocksAbi,
      functionName: 'oldestBlockNumber',
      blockNumber,
    })
    stats.oldest = oldest.toString()
    const want = backfill < entry.ringSize - 1n ? backfill : entry.ringSize - 1n
    if (latest.number - oldest >= want || oldest === 0n) return 'up-to-date'
    const oldestHash = await readContract(client, {
      address: l1Blocks,
      abi: il1BlocksAbi,
      functionName: 'l1Blockhash',
      args: [oldest],
      blockNumber,
    })
    const oldestHeader = await fetchVerifiedHeader(this.parameters.l1, oldestHash)
    const parent = await fetchVerifiedHeader(this.parameters.l1, oldestHeader.parentHash)
    return this.submit(entry, parent, 'backfill')
  }

  private async readLatest(
    client: ChainClient,
    l1Blocks: Address,
    blockNumber: bigint,
  ): Promise<{ hash: Hex; number: bigint } | null> {
    try {
      const [hash, number] = await Promise.all([
        readContract(client, {
          address: l1Blocks,
          abi: il1BlocksAbi,
          functionName: 'latestL1Blockhash',
          blockNumber,
        }),
        readContract(client, {
          address: l1Blocks,
          abi: il1BlocksAbi,
          functionName: 'latestBlockNumber',
          blockNumber,
        }),
      ])
      return hash === zeroHash ? null : { hash, number }
    } catch (error) {
      if (revertErrorName(error) === 'L1BlocksNoHeaders') return null
      throw error
    }
  }

  private async submit(
    entry: { chain: FeederChain; sender: TxSender; stats: ChainStats; log: Logger },
    header: VerifiedHeader,
    kind: 'anchor' | 'backfill',
  ): Promise<FeedOutcome> {
    const { chain, sender, stats, log } = entry
    const call = {
      address: chain.l1Blocks,
      abi: il1BlocksAbi,
      functionName: 'setL1BlockHeader',
      args: [header.rlp],
    } as const
    // Estimate (= simulate) first: a header that no longer chains (the anchor moved) costs nothing,
    // and the revert is decoded with the L1Blocks ABI.
    let gas: bigint
    try {
      gas = await estimateContractGas(chain.client, { ...call, account: this.parameters.account })
    } catch (error) {
      const reason = revertErrorName(error)
      if (reason === 'L1BlocksUnanchored') {
        log.debug('anchor moved before submission', { number: header.number, kind })
        return 'race'
      }
      if (reason === 'L1BlocksAlreadyStored') return 'already-stored'
      if (reason)
        throw new SubmissionRevertedError(`L1Blocks rejected header ${header.number}: ${reason}.`, {
          input: header.hash,
          cause: error,
        })
      throw error
    }
    const receipt = await sender.send(
      { to: chain.l1Blocks, data: encodeFunctionData(call), gas: (gas * 13n) / 10n },
      { signal: this.controller?.signal },
    )
    if (receipt.status !== 'success') {
      // Most likely the rollover race: the origin changed in a block before ours. The next step
      // reads the new anchor; count it as a race if the anchor indeed moved.
      const anchor = await readContract(chain.client, {
        address: chain.l1Block ?? L1_BLOCK_ADDRESS,
        abi: opL1BlockAbi,
        functionName: 'hash',
        blockNumber: receipt.blockNumber,
      })
      if (kind === 'backfill' || anchor !== header.hash) {
        log.info('submission reverted: anchor moved, retrying', { number: header.number, kind })
        return 'race'
      }
      throw new SubmissionRevertedError(`setL1BlockHeader(${header.number}) reverted.`, {
        details: `tx ${receipt.transactionHash}`,
        input: header.hash,
      })
    }
    stats.submitted++
    stats.lastSubmitted = {
      number: header.number.toString(),
      hash: header.hash,
      kind,
      at: new Date().toISOString(),
    }
    log.info(kind === 'anchor' ? 'stored L1 header' : 'backfilled L1 header', {
      number: header.number,
      hash: header.hash,
      tx: receipt.transactionHash,
    })
    return kind === 'anchor' ? 'submitted-anchor' : 'submitted-backfill'
  }
}
