import type { Address, BlockTag, Hex } from 'viem'
import { getBlock, getBlockNumber, getContractEvents, readContract } from 'viem/actions'
import { opL2OutputOracleAbi } from '../../contracts/generated/index.js'
import type { ChainClient } from '../devnet/clients.js'
import { RollupError, shortMessageOf } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { runLoop } from '../shared/loop.js'
import type { Service, ServiceHealth } from '../shared/service.js'
import {
  type FetchOutputRootReturnType,
  fetchOutputRoot,
  InvalidL2ResponseError,
  L2BlockNotFoundError,
} from './fetchOutputRoot.js'

export type OutputCheckerParameters = {
  /** L1 RPC: the oracle's `OutputProposed` events and state. */
  l1: ChainClient
  /**
   * The TRUSTED L2: the verifier's own node, which re-derived the chain from L1 data alone. The
   * check is only as good as this node; never point it at the proposer's node.
   */
  l2: ChainClient
  /** L2OutputOracle (its proxy) on L1. */
  l2OutputOracle: Address
  /** First L1 block to scan for `OutputProposed` (e.g. the oracle's deployment block). Default 0. */
  fromBlock?: bigint | undefined
  /**
   * Scan L1 only up to `head - confirmations`. An L1 reorg deeper than this can replace an
   * output the checker has already passed over; set it to the L1's reorg depth. Default 0.
   */
  confirmations?: number | undefined
  /** The trusted L2's tag that must have reached an output's block before it is checked. Default `'latest'`. */
  l2Tag?: BlockTag | undefined
  /** At most this many L1 blocks per `eth_getLogs`. Default 1000. */
  maxBlockRange?: number | undefined
  pollIntervalMs?: number | undefined
  backoffBaseMs?: number | undefined
  backoffMaxMs?: number | undefined
  /** Called for every mismatch (after the error log). Exceptions it throws are logged, not rethrown. */
  onMismatch?: ((mismatch: OutputMismatch) => void) | undefined
  /** Called for every output checked, match or mismatch. */
  onChecked?: ((check: OutputCheck) => void) | undefined
  logger?: Logger | undefined
}

/** An `OutputProposed` event. */
export type ProposedOutput = {
  l2OutputIndex: bigint
  outputRoot: Hex
  l2BlockNumber: bigint
  /** The L1 timestamp the oracle recorded (finalization counts from it). */
  l1Timestamp: bigint
  l1BlockNumber: bigint
  l1BlockHash: Hex
  transactionHash: Hex
}

export type OutputCheck = ProposedOutput & {
  result: 'match' | 'mismatch'
  /** What the trusted L2 says the output is. */
  expected: FetchOutputRootReturnType
}

/**
 * A proposed output the trusted L2 disagrees with, and what a challenger could do about it: the
 * oracle's challenger may call `deleteL2Outputs(l2OutputIndex)` (deleting it and every later
 * output) until `deadline`; after that the output is finalized and withdrawals proven against it
 * can be finalized. This checker does not send anything.
 */
export type OutputMismatch = OutputCheck & {
  result: 'mismatch'
  challenge: {
    action: 'deleteL2Outputs'
    args: [l2OutputIndex: bigint]
    challenger: Address
    /** Unix seconds: `l1Timestamp + finalizationPeriodSeconds`. */
    deadline: bigint
  }
}

type Stats = {
  /** The last L1 block scanned for events. */
  scannedTo: string | null
  l1Head: string | null
  /** The trusted L2's head at `l2Tag`. */
  l2Head: string | null
  /** Proposed outputs seen but not yet checked. */
  pending: number
  /** The output being waited for: the trusted L2 has not reached its block. */
  waitingFor: { l2OutputIndex: string; l2BlockNumber: string; l2Head: string } | null
  checked: number
  matched: number
  /** Mismatches seen since start (including outputs deleted since). */
  mismatched: number
  lastChecked: {
    l2OutputIndex: string
    l2BlockNumber: string
    outputRoot: Hex
    result: 'match' | 'mismatch'
  } | null
  errors: { rpc: number; invalidL2: number }
  consecutiveErrors: number
  lastError: string | null
}

/** A mismatch still in the oracle, as health reports it (bigints as strings). */
export type ActiveMismatch = {
  l2OutputIndex: string
  l2BlockNumber: string
  proposed: Hex
  expected: Hex
  l1BlockNumber: string
  transactionHash: Hex
  challengeDeadline: string
}

export type OutputCheckerHealth = ServiceHealth &
  Stats & {
    /** Mismatched outputs the oracle still holds. Any makes the status `degraded`. */
    mismatches: ActiveMismatch[]
  }

/**
 * The verifier's output check. Watches L2OutputOracle's `OutputProposed` events on L1 (past ones
 * from `fromBlock`, then new ones), recomputes each output root from the trusted L2 (the
 * verifier's own node, re-derived from L1) with {@link fetchOutputRoot}, and reports match or
 * mismatch. A mismatch is loud: an `error` log with both roots, `health().status === 'degraded'`
 * with the details while the oracle still holds the output, and `onMismatch`. When the trusted L2
 * has not reached an output's block yet, it waits (in order) instead of calling it a mismatch.
 *
 * Threats: a proposer posting a wrong root (the whole point); the proposer's node lying (not
 * consulted); the trusted node itself answering inconsistently (an {@link InvalidL2ResponseError},
 * counted and retried, never a verdict). Restart-safe: it rescans from `fromBlock`.
 *
 * @example
 * const checker = new OutputChecker({ l1, l2: verifierNode, l2OutputOracle, fromBlock: deployBlock,
 *   onMismatch: (m) => alert(m) })
 * await checker.start()
 * checker.health() // { status, checked, matched, mismatches, waitingFor, … }
 */
export class OutputChecker implements Service<OutputCheckerHealth> {
  private readonly parameters: OutputCheckerParameters
  private readonly logger: Logger
  private cursor: bigint
  private queue: ProposedOutput[] = []
  private readonly active = new Map<string, OutputMismatch>()
  private readonly stats: Stats = {
    scannedTo: null,
    l1Head: null,
    l2Head: null,
    pending: 0,
    waitingFor: null,
    checked: 0,
    matched: 0,
    mismatched: 0,
    lastChecked: null,
    errors: { rpc: 0, invalidL2: 0 },
    consecutiveErrors: 0,
    lastError: null,
  }
  private stepped = false
  private controller: AbortController | undefined
  private loop: Promise<void> | undefined

  constructor(parameters: OutputCheckerParameters) {
    this.parameters = parameters
    this.logger = (parameters.logger ?? silentLogger).child({ service: 'output-checker' })
    this.cursor = parameters.fromBlock ?? 0n
  }

  async start(): Promise<void> {
    if (this.controller) return
    const controller = new AbortController()
    this.controller = controller
    this.loop = runLoop({
      signal: controller.signal,
      pollIntervalMs: this.parameters.pollIntervalMs ?? 1000,
      backoff: {
        baseMs: this.parameters.backoffBaseMs ?? 250,
        maxMs: this.parameters.backoffMaxMs ?? 15_000,
      },
      step: async () => ((await this.checkOnce()).more ? 'again' : 'idle'),
      onError: (error, attempt, delayMs) => {
        const level = error instanceof InvalidL2ResponseError ? 'error' : 'warn'
        this.logger[level]('step failed', { attempt, retryInMs: delayMs, error: shortMessageOf(error) })
      },
    })
    this.logger.info('started', {
      l2OutputOracle: this.parameters.l2OutputOracle,
      fromBlock: this.parameters.fromBlock ?? 0n,
    })
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    await this.loop
    this.loop = undefined
    this.controller = undefined
  }

  health(): OutputCheckerHealth {
    const stats = structuredClone(this.stats)
    const mismatches = [...this.active.values()].map(
      (m): ActiveMismatch => ({
        l2OutputIndex: m.l2OutputIndex.toString(),
        l2BlockNumber: m.l2BlockNumber.toString(),
        proposed: m.outputRoot,
        expected: m.expected.outputRoot,
        l1BlockNumber: m.l1BlockNumber.toString(),
        transactionHash: m.transactionHash,
        challengeDeadline: m.challenge.deadline.toString(),
      }),
    )
    const status = !this.controller
      ? 'stopped'
      : mismatches.length > 0 || stats.consecutiveErrors >= 3
        ? 'degraded'
        : this.stepped
          ? 'ok'
          : 'starting'
    return { status, ...stats, mismatches }
  }

  /** Mismatched outputs the oracle still holds (full details, bigints). */
  activeMismatches(): OutputMismatch[] {
    return [...this.active.values()]
  }

  /**
   * One step: scan up to `maxBlockRange` more L1 blocks for `OutputProposed`, check every queued
   * output the trusted L2 can answer for (in order), and drop mismatches the oracle no longer
   * holds. Counts errors and rethrows them.
   *
   * @returns `more`: L1 blocks remain to scan (the loop steps again at once).
   */
  async checkOnce(): Promise<{ more: boolean }> {
    try {
      const result = await this.step()
      this.stepped = true
      this.stats.consecutiveErrors = 0
      return result
    } catch (error) {
      if (error instanceof InvalidL2ResponseError) this.stats.errors.invalidL2++
      else this.stats.errors.rpc++
      this.stats.consecutiveErrors++
      this.stats.lastError = shortMessageOf(error)
      throw error
    }
  }

  private async step(): Promise<{ more: boolean }> {
    const { l1, l2OutputOracle } = this.parameters
    const stats = this.stats
    const l1Head = await getBlockNumber(l1, { cacheTime: 0 })
    stats.l1Head = l1Head.toString()
    const confirmations = BigInt(this.parameters.confirmations ?? 0)
    const last = l1Head - confirmations
    let more = false
    if (this.cursor <= last) {
      const range = BigInt(Math.max(1, this.parameters.maxBlockRange ?? 1000))
      const toBlock = this.cursor + range - 1n < last ? this.cursor + range - 1n : last
      more = toBlock < last
      const events = await getContractEvents(l1, {
        address: l2OutputOracle,
        abi: opL2OutputOracleAbi,
        eventName: 'OutputProposed',
        fromBlock: this.cursor,
        toBlock,
        strict: true,
      })
      for (const event of events) {
        if (event.removed || event.blockNumber === null || event.blockHash === null) continue
        this.queue.push({
          l2OutputIndex: event.args.l2OutputIndex,
          outputRoot: event.args.outputRoot,
          l2BlockNumber: event.args.l2BlockNumber,
          l1Timestamp: event.args.l1Timestamp,
          l1BlockNumber: event.blockNumber,
          l1BlockHash: event.blockHash,
          transactionHash: event.transactionHash,
        })
      }
      this.cursor = toBlock + 1n
      stats.scannedTo = toBlock.toString()
    }
    await this.checkQueue()
    await this.resolveDeleted()
    stats.pending = this.queue.length
    return { more }
  }

  private async checkQueue(): Promise<void> {
    const stats = this.stats
    if (this.queue.length === 0) {
      stats.waitingFor = null
      return
    }
    const l2Head = (await getBlock(this.parameters.l2, { blockTag: this.parameters.l2Tag ?? 'latest' }))
      .number
    if (l2Head === null) throw new RollupError('The trusted L2 answered a pending block for its head.')
    stats.l2Head = l2Head.toString()
    while (this.queue.length > 0) {
      const output = this.queue[0]!
      if (output.l2BlockNumber > l2Head) {
        this.wait(output, l2Head)
        return
      }
      let expected: FetchOutputRootReturnType
      try {
        expected = await fetchOutputRoot(this.parameters.l2, { blockNumber: output.l2BlockNumber })
      } catch (error) {
        if (error instanceof L2BlockNotFoundError) {
          this.wait(output, l2Head)
          return
        }
        throw error
      }
      this.queue.shift()
      await this.record(output, expected)
    }
    stats.waitingFor = null
  }

  private wait(output: ProposedOutput, l2Head: bigint): void {
    if (this.stats.waitingFor?.l2OutputIndex !== output.l2OutputIndex.toString())
      this.logger.info('trusted L2 is behind the proposed output, waiting', {
        l2OutputIndex: output.l2OutputIndex,
        l2BlockNumber: output.l2BlockNumber,
        l2Head,
      })
    this.stats.waitingFor = {
      l2OutputIndex: output.l2OutputIndex.toString(),
      l2BlockNumber: output.l2BlockNumber.toString(),
      l2Head: l2Head.toString(),
    }
  }

  private async record(output: ProposedOutput, expected: FetchOutputRootReturnType): Promise<void> {
    const stats = this.stats
    const match = output.outputRoot.toLowerCase() === expected.outputRoot.toLowerCase()
    const check: OutputCheck = { ...output, result: match ? 'match' : 'mismatch', expected }
    stats.checked++
    stats.lastChecked = {
      l2OutputIndex: output.l2OutputIndex.toString(),
      l2BlockNumber: output.l2BlockNumber.toString(),
      outputRoot: output.outputRoot,
      result: check.result,
    }
    if (match) {
      stats.matched++
      this.logger.info('output root matches', {
        l2OutputIndex: output.l2OutputIndex,
        l2BlockNumber: output.l2BlockNumber,
        outputRoot: output.outputRoot,
      })
      this.notify(this.parameters.onChecked, check)
      return
    }
    const { l1, l2OutputOracle } = this.parameters
    const [challenger, finalizationPeriodSeconds] = await Promise.all([
      readContract(l1, { address: l2OutputOracle, abi: opL2OutputOracleAbi, functionName: 'challenger' }),
      readContract(l1, {
        address: l2OutputOracle,
        abi: opL2OutputOracleAbi,
        functionName: 'finalizationPeriodSeconds',
      }),
    ])
    const mismatch: OutputMismatch = {
      ...check,
      result: 'mismatch',
      challenge: {
        action: 'deleteL2Outputs',
        args: [output.l2OutputIndex],
        challenger,
        deadline: output.l1Timestamp + finalizationPeriodSeconds,
      },
    }
    stats.mismatched++
    this.active.set(output.l2OutputIndex.toString(), mismatch)
    this.logger.error('OUTPUT ROOT MISMATCH: the proposed output disagrees with the re-derived chain', {
      l2OutputIndex: output.l2OutputIndex,
      l2BlockNumber: output.l2BlockNumber,
      proposed: output.outputRoot,
      expected: expected.outputRoot,
      expectedBlockHash: expected.blockHash,
      expectedStateRoot: expected.stateRoot,
      expectedMessagePasserStorageRoot: expected.messagePasserStorageRoot,
      l1BlockNumber: output.l1BlockNumber,
      tx: output.transactionHash,
      challenge: `challenger ${challenger} may call deleteL2Outputs(${output.l2OutputIndex}) until ${new Date(Number(mismatch.challenge.deadline) * 1000).toISOString()}`,
    })
    this.notify(this.parameters.onChecked, check)
    this.notify(this.parameters.onMismatch, mismatch)
  }

  private notify<value>(callback: ((v: value) => void) | undefined, value: value): void {
    if (!callback) return
    try {
      callback(value)
    } catch (error) {
      this.logger.error('callback failed', { error: shortMessageOf(error) })
    }
  }

  /** Drops active mismatches whose output the oracle no longer holds (deleted by the challenger). */
  private async resolveDeleted(): Promise<void> {
    if (this.active.size === 0) return
    const { l1, l2OutputOracle } = this.parameters
    const count = await readContract(l1, {
      address: l2OutputOracle,
      abi: opL2OutputOracleAbi,
      functionName: 'nextOutputIndex',
    })
    for (const [key, mismatch] of this.active) {
      let still = false
      if (mismatch.l2OutputIndex < count) {
        const held = await readContract(l1, {
          address: l2OutputOracle,
          abi: opL2OutputOracleAbi,
          functionName: 'getL2Output',
          args: [mismatch.l2OutputIndex],
        })
        still = held.outputRoot.toLowerCase() === mismatch.outputRoot.toLowerCase()
      }
      if (!still) {
        this.active.delete(key)
        this.logger.warn('mismatched output is no longer in the oracle (deleted by the challenger)', {
          l2OutputIndex: mismatch.l2OutputIndex,
          proposed: mismatch.outputRoot,
        })
      }
    }
  }
}
