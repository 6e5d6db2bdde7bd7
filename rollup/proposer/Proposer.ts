import { type Account, type Address, type BlockTag, encodeFunctionData, type Hex, parseEventLogs } from 'viem'
import { estimateContractGas, getBlock, getCode, readContract } from 'viem/actions'
import { opL2OutputOracleAbi } from '../../contracts/generated/index.js'
import type { ChainClient } from '../devnet/clients.js'
import { RollupError, shortMessageOf } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { runLoop } from '../shared/loop.js'
import type { Service, ServiceHealth } from '../shared/service.js'
import { TxSender, TxTimeoutError } from '../shared/txSender.js'
import { fetchOutputRoot, InvalidL2ResponseError, L2BlockNotFoundError } from './fetchOutputRoot.js'
import { computeL2Timestamp, readOracleState, revertReason } from './readOracleState.js'

/** An L1 block the proposal is bound to (`proposeL2Output`'s `_l1BlockHash`, `_l1BlockNumber`). */
export type L1Anchor = { hash: Hex; number: bigint }

export type ProposerParameters = {
  /** L1 RPC: reads the oracle, sends proposals. */
  l1: ChainClient
  /** The keystore chain's node. Checked, not trusted: headers and proofs are verified. */
  l2: ChainClient
  /** L2OutputOracle (its proxy) on L1. */
  l2OutputOracle: Address
  /** The oracle's `proposer()`: the only key it accepts outputs from. */
  account: Account
  /**
   * The L2 block tag a block must have reached before it is proposed. Default `'safe'` (the node
   * reports as safe the blocks whose batches are on L1, so anyone can re-derive them); `'latest'`
   * only for tests and devnets.
   */
  safeTag?: BlockTag | undefined
  /**
   * The L1 block each proposal is bound to. Default: the L1 head read at the start of the step,
   * before the L2's safe head is read (see the README, "reorg protection").
   */
  getL1Anchor?: ((l1: ChainClient) => Promise<L1Anchor>) | undefined
  pollIntervalMs?: number | undefined
  /** L1 blocks on top of a proposal before it counts as done. Default 0. */
  confirmations?: number | undefined
  txTimeoutMs?: number | undefined
  backoffBaseMs?: number | undefined
  backoffMaxMs?: number | undefined
  logger?: Logger | undefined
}

/** What one step did. */
export type ProposeOutcome =
  /** An output landed; there may be more to catch up on (the loop runs again at once). */
  | 'proposed'
  /** The L2 has not reached `nextBlockNumber` at `safeTag`. */
  | 'waiting-for-l2'
  /** `computeL2Timestamp(nextBlockNumber)` is not yet before the L1 head's timestamp. */
  | 'waiting-for-l1-time'
  /** The oracle moved (someone else proposed) or the anchor was reorged out: retry next poll. */
  | 'race'

type ErrorKind = 'rpc' | 'invalidL2' | 'reverted' | 'timeouts'

type ProposerStats = {
  lastProposed: {
    l2BlockNumber: string
    l2OutputIndex: string
    outputRoot: Hex
    l1Anchor: { number: string; hash: Hex }
    tx: Hex
    at: string
  } | null
  /** The oracle's `latestBlockNumber()` (the last proposed L2 block, or the starting block). */
  latestBlockNumber: string | null
  nextBlockNumber: string | null
  /** The L2 head at `safeTag`. */
  l2Head: string | null
  /** `l2Head - latestBlockNumber`: L2 blocks not yet covered by an output. */
  lagBlocks: string | null
  waitingFor: 'l2' | 'l1-time' | null
  lastOutcome: ProposeOutcome | null
  proposed: number
  races: number
  /** Proposed L2 blocks whose real timestamp differs from the oracle's `computeL2Timestamp`. */
  timestampMismatches: number
  errors: Record<ErrorKind, number>
  lastErrorKind: ErrorKind | null
  consecutiveErrors: number
  lastError: string | null
}

export type ProposerHealth = ServiceHealth & ProposerStats & { safeTag: string; l2OutputOracle: Address }

export class ProposerSetupError extends RollupError {
  override name = 'ProposerSetupError'
}

export class ProposalRevertedError extends RollupError {
  override name = 'ProposalRevertedError'
}

/**
 * The keystore chain's proposer. Every step, from chain state only: read L2OutputOracle's
 * `nextBlockNumber()` (and schedule) at the L1 head; wait until the L2 has that block at
 * `safeTag` and the oracle's `computeL2Timestamp(n)` is before the L1 head's timestamp; compute
 * the output root from the L2 with every input verified ({@link fetchOutputRoot}); simulate, then
 * send `proposeL2Output(root, n, l1Anchor.hash, l1Anchor.number)` (one transaction at a time,
 * re-sent on timeout). After a landing it steps again at once, so it catches up several intervals
 * in a row after downtime. No local state: a restart (or a second instance with the same key)
 * resumes from the oracle.
 *
 * Threats: a lying L2 RPC gets an error, never a proposal (headers re-hashed, the message
 * passer's account proven against the state root); a reorg of L1 below the anchor makes the
 * proposal revert instead of landing on the other branch; a key that is not the oracle's
 * proposer is refused at start.
 *
 * @example
 * const proposer = new Proposer({ l1, l2, l2OutputOracle, account: privateKeyToAccount(key) })
 * await proposer.start()
 * proposer.health() // { status, lastProposed, l2Head, lagBlocks, errors, … }
 * await proposer.stop()
 */
export class Proposer implements Service<ProposerHealth> {
  private readonly parameters: ProposerParameters
  private readonly logger: Logger
  private readonly sender: TxSender
  private readonly stats: ProposerStats = {
    lastProposed: null,
    latestBlockNumber: null,
    nextBlockNumber: null,
    l2Head: null,
    lagBlocks: null,
    waitingFor: null,
    lastOutcome: null,
    proposed: 0,
    races: 0,
    timestampMismatches: 0,
    errors: { rpc: 0, invalidL2: 0, reverted: 0, timeouts: 0 },
    lastErrorKind: null,
    consecutiveErrors: 0,
    lastError: null,
  }
  private controller: AbortController | undefined
  private loop: Promise<void> | undefined

  constructor(parameters: ProposerParameters) {
    this.parameters = parameters
    this.logger = (parameters.logger ?? silentLogger).child({ service: 'proposer' })
    this.sender = new TxSender({
      client: parameters.l1,
      account: parameters.account,
      timeoutMs: parameters.txTimeoutMs ?? 15_000,
      confirmations: parameters.confirmations ?? 0,
      logger: this.logger,
    })
  }

  private get safeTag(): BlockTag {
    return this.parameters.safeTag ?? 'safe'
  }

  /**
   * Checks the oracle exists and accepts this key, then runs the loop in the background.
   *
   * @throws {@link ProposerSetupError} when there is no contract at the address or its
   * `proposer()` is another address.
   */
  async start(): Promise<void> {
    if (this.controller) return
    await this.checkSetup()
    const controller = new AbortController()
    this.controller = controller
    this.loop = runLoop({
      signal: controller.signal,
      pollIntervalMs: this.parameters.pollIntervalMs ?? 1000,
      backoff: {
        baseMs: this.parameters.backoffBaseMs ?? 250,
        maxMs: this.parameters.backoffMaxMs ?? 15_000,
      },
      step: async () => ((await this.proposeOnce()) === 'proposed' ? 'again' : 'idle'),
      onError: (error, attempt, delayMs) => {
        const level = error instanceof InvalidL2ResponseError ? 'error' : 'warn'
        this.logger[level]('step failed', { attempt, retryInMs: delayMs, error: shortMessageOf(error) })
      },
    })
    this.logger.info('started', {
      l2OutputOracle: this.parameters.l2OutputOracle,
      account: this.parameters.account.address,
      safeTag: this.safeTag,
    })
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    await this.loop
    this.loop = undefined
    this.controller = undefined
  }

  health(): ProposerHealth {
    const stats = structuredClone(this.stats)
    const status = !this.controller
      ? 'stopped'
      : stats.consecutiveErrors >= 3 || (stats.consecutiveErrors > 0 && stats.lastErrorKind === 'invalidL2')
        ? 'degraded'
        : stats.lastOutcome === null
          ? 'starting'
          : 'ok'
    return { status, safeTag: String(this.safeTag), l2OutputOracle: this.parameters.l2OutputOracle, ...stats }
  }

  private async checkSetup(): Promise<void> {
    const { l1, l2OutputOracle, account } = this.parameters
    const code = await getCode(l1, { address: l2OutputOracle })
    if (!code || code === '0x')
      throw new ProposerSetupError('L2OutputOracle is not deployed.', {
        details: `no code at ${l2OutputOracle} on L1`,
        input: l2OutputOracle,
      })
    const proposer = await readContract(l1, {
      address: l2OutputOracle,
      abi: opL2OutputOracleAbi,
      functionName: 'proposer',
    })
    if (proposer.toLowerCase() !== account.address.toLowerCase())
      throw new ProposerSetupError("This key is not the oracle's proposer.", {
        details: `L2OutputOracle.proposer() is ${proposer}, the key is ${account.address}`,
        input: account.address,
      })
  }

  /**
   * One step: propose the next output if the L2 and the L1 clock allow it. Counts errors by kind
   * and rethrows them.
   *
   * @returns What the step did ({@link ProposeOutcome}).
   */
  async proposeOnce(): Promise<ProposeOutcome> {
    try {
      const outcome = await this.step()
      this.stats.lastOutcome = outcome
      this.stats.consecutiveErrors = 0
      this.stats.lastErrorKind = null
      if (outcome === 'race') this.stats.races++
      return outcome
    } catch (error) {
      const kind: ErrorKind =
        error instanceof InvalidL2ResponseError
          ? 'invalidL2'
          : error instanceof ProposalRevertedError
            ? 'reverted'
            : error instanceof TxTimeoutError
              ? 'timeouts'
              : 'rpc'
      this.stats.errors[kind]++
      this.stats.lastErrorKind = kind
      this.stats.consecutiveErrors++
      this.stats.lastError = shortMessageOf(error)
      throw error
    }
  }

  private async step(): Promise<ProposeOutcome> {
    const { l1, l2, l2OutputOracle, account } = this.parameters
    const stats = this.stats
    // The L1 head first: the oracle is read at it, and it is the default anchor, read before the
    // L2's safe head so that whatever the L2 has derived as safe was on this L1 view or earlier.
    const l1Head = await getBlock(l1, { blockTag: 'latest' })
    const state = await readOracleState(l1, { l2OutputOracle, blockNumber: l1Head.number })
    const next = state.nextBlockNumber
    stats.nextBlockNumber = next.toString()
    stats.latestBlockNumber = state.latestBlockNumber.toString()
    const l2Head = (await getBlock(l2, { blockTag: this.safeTag })).number
    if (l2Head === null)
      throw new RollupError(`The L2 answered a pending block for tag "${this.safeTag}".`, {
        input: this.safeTag,
      })
    stats.l2Head = l2Head.toString()
    stats.lagBlocks = (l2Head - state.latestBlockNumber).toString()
    if (l2Head < next) {
      stats.waitingFor = 'l2'
      return 'waiting-for-l2'
    }
    const expectedTimestamp = computeL2Timestamp(state, next)
    // The oracle requires computeL2Timestamp(n) < block.timestamp; the including block is after
    // the head, so checking against the head's timestamp is enough.
    if (expectedTimestamp >= l1Head.timestamp) {
      stats.waitingFor = 'l1-time'
      return 'waiting-for-l1-time'
    }
    stats.waitingFor = null

    let output: Awaited<ReturnType<typeof fetchOutputRoot>>
    try {
      output = await fetchOutputRoot(l2, { blockNumber: next })
    } catch (error) {
      // The head said the block exists; it went away (L2 reorg, or an RPC behind a load balancer).
      if (error instanceof L2BlockNotFoundError) {
        stats.waitingFor = 'l2'
        return 'waiting-for-l2'
      }
      throw error
    }
    if (output.timestamp !== expectedTimestamp) {
      stats.timestampMismatches++
      this.logger.warn("L2 block timestamp differs from the oracle's schedule", {
        l2BlockNumber: next,
        timestamp: output.timestamp,
        computeL2Timestamp: expectedTimestamp,
        details: 'startingTimestamp/l2BlockTime do not match the chain; the output itself is still correct',
      })
    }

    const anchor = this.parameters.getL1Anchor
      ? await this.parameters.getL1Anchor(l1)
      : { hash: l1Head.hash, number: l1Head.number }
    const call = {
      address: l2OutputOracle,
      abi: opL2OutputOracleAbi,
      functionName: 'proposeL2Output',
      args: [output.outputRoot, next, anchor.hash, anchor.number],
    } as const
    // Simulate first: a proposal the oracle would refuse costs nothing and says why.
    let gas: bigint
    try {
      gas = await estimateContractGas(l1, { ...call, account })
    } catch (error) {
      const reason = revertReason(error)
      if (reason?.includes('block number must be equal to next expected block number')) return 'race'
      if (reason?.includes('block hash does not match')) {
        this.logger.info('L1 anchor no longer canonical (L1 reorg), recomputing', {
          anchor: anchor.number,
          hash: anchor.hash,
        })
        return 'race'
      }
      if (reason?.includes('cannot propose L2 output in the future')) {
        stats.waitingFor = 'l1-time'
        return 'waiting-for-l1-time'
      }
      if (reason)
        throw new ProposalRevertedError(`L2OutputOracle refused output ${next}: ${reason}.`, {
          input: call.args,
          cause: error,
        })
      throw error
    }
    const receipt = await this.sender.send(
      { to: l2OutputOracle, data: encodeFunctionData(call), gas: (gas * 13n) / 10n },
      { signal: this.controller?.signal },
    )
    if (receipt.status !== 'success') {
      const now = await readOracleState(l1, { l2OutputOracle, blockNumber: receipt.blockNumber })
      if (now.nextBlockNumber !== next) return 'race'
      throw new ProposalRevertedError(`proposeL2Output(${next}) reverted.`, {
        details: `tx ${receipt.transactionHash} (anchor ${anchor.number} ${anchor.hash} may have been reorged out, or is over 256 blocks old)`,
        input: call.args,
      })
    }
    const [event] = parseEventLogs({
      abi: opL2OutputOracleAbi,
      eventName: 'OutputProposed',
      logs: receipt.logs.filter((l) => l.address.toLowerCase() === l2OutputOracle.toLowerCase()),
    })
    const index = event?.args.l2OutputIndex ?? state.nextOutputIndex
    stats.proposed++
    stats.lastProposed = {
      l2BlockNumber: next.toString(),
      l2OutputIndex: index.toString(),
      outputRoot: output.outputRoot,
      l1Anchor: { number: anchor.number.toString(), hash: anchor.hash },
      tx: receipt.transactionHash,
      at: new Date().toISOString(),
    }
    stats.latestBlockNumber = next.toString()
    stats.lagBlocks = (l2Head - next).toString()
    this.logger.info('proposed output', {
      l2BlockNumber: next,
      l2OutputIndex: index,
      outputRoot: output.outputRoot,
      l2BlockHash: output.blockHash,
      l1Block: receipt.blockNumber,
      tx: receipt.transactionHash,
    })
    return 'proposed'
  }
}
