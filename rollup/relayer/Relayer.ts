/**
 * The relayer: turns withdrawals on an OP-Stack L2 (the keystore chain) into L1 calls. For each
 * `MessagePassed` event of L2ToL1MessagePasser (0x4200…0016) it waits until L2OutputOracle holds an
 * output covering the withdrawal's block, proves it (`proveWithdrawalTransaction`), waits the
 * finalization period, and finalizes it (`finalizeWithdrawalTransaction`), which for messenger
 * messages calls L1CrossDomainMessenger.relayMessage → the L1 target (L1Keystore).
 *
 * Proofs are built with viem's op-stack actions (`getL2Output`, `buildProveWithdrawal`,
 * `getWithdrawals`): the same path any OP tooling takes against these contracts.
 *
 * Threats and failure modes:
 * - A lying or forked L2 RPC: logs cannot forge a withdrawal (the portal checks a storage proof
 *   against the output root on L1), and before sending a proof the relayer recomputes the output
 *   root from the L2's block and message-passer storage root and compares it with L2OutputOracle's.
 *   A mismatch is an error (the RPC is on another chain, or the proposer posted a wrong root: the
 *   challenger's job), logged and retried with backoff; nothing is sent. Event hashes are
 *   recomputed from the event's fields, and logs from other addresses are ignored.
 * - Restarts and other relayers: every decision is made from L1 state (`finalizedWithdrawals`,
 *   `provenWithdrawals`, the output at the proven index), so a restart resumes where the chain is
 *   (e.g. finalizes what was proven before), and someone else proving or finalizing first is fine.
 *   The state file only remembers the scan position.
 * - A challenger deleting the output a withdrawal was proven against: the proven root no longer
 *   matches, so the withdrawal is proven again against the new output.
 * - A relayed call that fails on L1 (e.g. L1Keystore.updateKey whose compare-and-swap old value
 *   changed): L1CrossDomainMessenger records it in `failedMessages` and the withdrawal is final.
 *   The relayer reports it (`failed-relay`, logged as an error with the decoded call) and moves on;
 *   anyone may replay it later through `relayMessage`. It never loops on it.
 * - A withdrawal that can never be proven or finalized (bad target, gas limit above the L1 block,
 *   not in the proposed state): each reverting simulation or transaction counts as an attempt;
 *   after `maxAttempts` the withdrawal is given up and logged with its hash.
 * - L1 RPC failures: the step fails, the loop backs off exponentially (with jitter) and goes on.
 * - L2 reorgs: blocks are scanned once, up to `confirmations` below the L2 head. A withdrawal in a
 *   block that is reorged out simply never proves (and is given up); one that appears in a
 *   replacement block at an already-scanned height is missed until a rescan (restart without the
 *   state file, or `fromBlock`). That costs liveness, never safety, and anyone can relay it. Set
 *   `confirmations` to the L2's reorg depth (the keystore chain has one sequencer).
 * - Gas griefing: relaying costs L1 gas. The keystore chain's mempool only admits keystore
 *   transactions, which bounds who can create withdrawals; `filter` narrows it further.
 *
 * Transactions go out one at a time from one key (TxSender), re-sent on timeout.
 */
import {
  type Account,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  decodeFunctionData,
  ExecutionRevertedError,
  encodeAbiParameters,
  encodeFunctionData,
  type Hash,
  type Hex,
  keccak256,
  parseEventLogs,
} from 'viem'
import { getBlock, getBlockNumber, getChainId, getCode, getLogs, readContract } from 'viem/actions'
import { buildProveWithdrawal, getL2Output, getWithdrawals } from 'viem/op-stack'
import {
  l1KeystoreAbi,
  opL1CrossDomainMessengerAbi,
  opL2OutputOracleAbi,
  opL2ToL1MessagePasserAbi,
  opOptimismPortalAbi,
  opSystemConfigAbi,
} from '../../contracts/generated/index.js'
import type { ChainClient } from '../devnet/clients.js'
import { L2_CROSS_DOMAIN_MESSENGER, L2_TO_L1_MESSAGE_PASSER } from '../opstack/contracts.js'
import { computeOutputRoot } from '../opstack/outputRoot.js'
import { RollupError, shortMessageOf } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { runLoop } from '../shared/loop.js'
import type { Service, ServiceHealth } from '../shared/service.js'
import { backoffDelay } from '../shared/time.js'
import { TxSender, TxTimeoutError } from '../shared/txSender.js'
import { type RelayerState, readRelayerState, type StoredWithdrawal, writeRelayerState } from './state.js'

/** A withdrawal as L2ToL1MessagePasser hashes it (`Types.WithdrawalTransaction`). */
export type WithdrawalTransaction = {
  nonce: bigint
  sender: Address
  target: Address
  value: bigint
  gasLimit: bigint
  data: Hex
}

export type WithdrawalStatus =
  /** No output covers its L2 block yet. */
  | 'waiting-for-output'
  | 'ready-to-prove'
  /** Proven; the finalization period is running. */
  | 'waiting-to-finalize'
  | 'ready-to-finalize'
  /** Final: `finalizedWithdrawals` is true (by us or anyone). */
  | 'finalized'
  /** Final: gave up after `maxAttempts` reverts. */
  | 'given-up'

/**
 * What finalizing did: the messenger relayed the message (`relayed`) or recorded it as failed
 * (`failed-relay`); for withdrawals not sent through the messenger, the portal's call succeeded or
 * failed (`call-succeeded` / `call-failed`).
 */
export type RelayOutcome = 'relayed' | 'failed-relay' | 'call-succeeded' | 'call-failed'

/** The call a messenger message makes on L1 (decoded from `relayMessage` calldata). */
export type RelayedCall = {
  /** The L2 sender (`xDomainMessageSender()` during the call). */
  sender: Address
  target: Address
  value: bigint
  minGasLimit: bigint
  message: Hex
  /** keccak256 of the relayMessage calldata: the key of `successfulMessages` / `failedMessages`. */
  messageHash: Hash
  /** `updateKey(…)` and its arguments when the message is an L1Keystore call. */
  call?: { functionName: string; args: readonly unknown[] } | undefined
}

export type WithdrawalRecord = {
  withdrawalHash: Hash
  l2BlockNumber: bigint
  l2TransactionHash: Hash
  withdrawal: WithdrawalTransaction
  status: WithdrawalStatus
  outcome?: RelayOutcome | undefined
  /** Set when the withdrawal is an L2CrossDomainMessenger message to our L1 messenger. */
  relayed?: RelayedCall | undefined
  proveTransaction?: Hash | undefined
  finalizeTransaction?: Hash | undefined
  /** Index of the output it was proven against. */
  l2OutputIndex?: bigint | undefined
  /** L1 timestamp from which finalizing can succeed. */
  finalizableAt?: bigint | undefined
  /** Reverting simulations/transactions so far. */
  attempts: number
  lastError?: string | undefined
  /** Not before this time (ms) after a revert. */
  retryAt?: number | undefined
}

export type RelayerParameters = {
  /** Any L1 RPC; also sends the transactions (one at a time). */
  l1: ChainClient
  /** Any OP-compatible L2 RPC (eth_getLogs, eth_getProof, blocks). Not trusted (see above). */
  l2: ChainClient
  /** Signs proofs and finalizations on L1 (a local account, or an address the node signs for). */
  account: Account | Address
  /** OptimismPortal (proxy) of the L2. */
  portal: Address
  /** Default: `portal.l2Oracle()`. */
  l2OutputOracle?: Address | undefined
  /** Default: `SystemConfig.l1CrossDomainMessenger()` of the portal's SystemConfig. */
  l1CrossDomainMessenger?: Address | undefined
  /** First L2 block to scan (default: L2OutputOracle.startingBlockNumber). */
  fromBlock?: bigint | undefined
  /** L2 blocks on top of a block before its withdrawals are picked up. Default 0. */
  confirmations?: number | undefined
  /** L2 blocks per eth_getLogs. Default 1000. */
  maxBlockRange?: number | undefined
  /** Reverting attempts per withdrawal before giving up. Default 5. */
  maxAttempts?: number | undefined
  /**
   * Which withdrawals to relay (default: all). `relayed` is the decoded messenger message, when the
   * withdrawal is one (e.g. keep only those whose L1 target is L1Keystore).
   */
  filter?: ((withdrawal: WithdrawalTransaction, relayed: RelayedCall | undefined) => boolean) | undefined
  /** Remember the scan position and open withdrawals here (JSON). */
  stateFile?: string | undefined
  pollIntervalMs?: number | undefined
  txTimeoutMs?: number | undefined
  backoffBaseMs?: number | undefined
  backoffMaxMs?: number | undefined
  /** Keep this many finished withdrawals in `withdrawals()` (default 1000). */
  keepFinished?: number | undefined
  logger?: Logger | undefined
}

export type RelayerHealth = ServiceHealth & {
  account: Address
  portal: Address
  l2: { head: string | null; scannedTo: string | null }
  l1: { latestOutputBlock: string | null; timestamp: string | null }
  open: number
  byStatus: Partial<Record<WithdrawalStatus, number>>
  counts: {
    seen: number
    proven: number
    finalized: number
    relayed: number
    failedRelays: number
    givenUp: number
  }
  errors: { rpc: number; reverted: number; mismatch: number; timeouts: number }
  consecutiveErrors: number
  lastError: string | null
}

export class RelayerSetupError extends RollupError {
  override name = 'RelayerSetupError'
}

/** The L2's data does not hash to the output root L2OutputOracle holds for that block. */
export class OutputRootMismatchError extends RollupError {
  override name = 'OutputRootMismatchError'
}

/** A simulation or transaction of a withdrawal reverted. */
export class WithdrawalRevertedError extends RollupError {
  override name = 'WithdrawalRevertedError'
}

/** `Hashing.hashWithdrawal`: keccak256(abi.encode(nonce, sender, target, value, gasLimit, data)). */
export function hashWithdrawal(w: WithdrawalTransaction): Hash {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'uint256' },
        { type: 'address' },
        { type: 'address' },
        { type: 'uint256' },
        { type: 'uint256' },
        { type: 'bytes' },
      ],
      [w.nonce, w.sender, w.target, w.value, w.gasLimit, w.data],
    ),
  )
}

/** Whether `error` is a contract revert (as opposed to an RPC or transport failure). */
export function isRevert(error: unknown): boolean {
  if (error instanceof WithdrawalRevertedError) return true
  if (!(error instanceof BaseError)) return false
  return Boolean(
    error.walk((e) => e instanceof ContractFunctionRevertedError || e instanceof ExecutionRevertedError),
  )
}

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/**
 * Relays withdrawals of one OP-Stack L2 to L1: prove, wait, finalize.
 *
 * @example
 * const relayer = new Relayer({ l1, l2, account: privateKeyToAccount(key), portal: addresses.OptimismPortal })
 * await relayer.start()
 * relayer.health() // { status: 'ok', open: 0, counts: { finalized: 3, … }, … }
 * await relayer.stop()
 */
export class Relayer implements Service<RelayerHealth> {
  private readonly parameters: RelayerParameters
  private readonly logger: Logger
  private readonly sender: TxSender
  private readonly records = new Map<Hash, WithdrawalRecord>()
  private controller: AbortController | undefined
  private loop: Promise<void> | undefined
  private setup:
    | { l2OutputOracle: Address; messenger: Address; l2ChainId: number; period: bigint; fromBlock: bigint }
    | undefined
  private scannedTo: bigint | undefined
  private readonly stats = {
    head: null as string | null,
    latestOutputBlock: null as string | null,
    l1Timestamp: null as string | null,
    counts: { seen: 0, proven: 0, finalized: 0, relayed: 0, failedRelays: 0, givenUp: 0 },
    errors: { rpc: 0, reverted: 0, mismatch: 0, timeouts: 0 },
    consecutiveErrors: 0,
    lastError: null as string | null,
    steps: 0,
  }

  constructor(parameters: RelayerParameters) {
    this.parameters = parameters
    this.logger = (parameters.logger ?? silentLogger).child({ service: 'relayer' })
    this.sender = new TxSender({
      client: parameters.l1,
      account: parameters.account,
      timeoutMs: parameters.txTimeoutMs ?? 30_000,
      logger: this.logger,
    })
  }

  /** The L1 address that sends. */
  get address(): Address {
    return this.sender.address
  }

  /**
   * Checks the contracts (portal code, legacy portal version), reads the oracle, messenger and
   * finalization period, loads the state file, then runs the loop in the background.
   */
  async start(): Promise<void> {
    if (this.controller) return
    await this.init()
    const controller = new AbortController()
    this.controller = controller
    this.loop = runLoop({
      signal: controller.signal,
      pollIntervalMs: this.parameters.pollIntervalMs ?? 1000,
      backoff: {
        baseMs: this.parameters.backoffBaseMs ?? 500,
        maxMs: this.parameters.backoffMaxMs ?? 30_000,
      },
      step: async () => ((await this.relayOnce()).busy ? 'again' : 'idle'),
      onError: (error, attempt, delayMs) => {
        const level = error instanceof OutputRootMismatchError ? 'error' : 'warn'
        this.logger[level]('step failed', { attempt, retryInMs: delayMs, error: shortMessageOf(error) })
      },
    })
    this.logger.info('started', {
      account: this.address,
      portal: this.parameters.portal,
      fromBlock: this.scannedTo === undefined ? undefined : this.scannedTo + 1n,
    })
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    await this.loop
    this.loop = undefined
    this.controller = undefined
  }

  health(): RelayerHealth {
    const byStatus: Partial<Record<WithdrawalStatus, number>> = {}
    let open = 0
    for (const r of this.records.values()) {
      byStatus[r.status] = (byStatus[r.status] ?? 0) + 1
      if (r.status !== 'finalized' && r.status !== 'given-up') open++
    }
    const s = this.stats
    return {
      status: !this.controller
        ? 'stopped'
        : s.consecutiveErrors >= 3
          ? 'degraded'
          : s.steps > 0
            ? 'ok'
            : 'starting',
      account: this.address,
      portal: this.parameters.portal,
      l2: { head: s.head, scannedTo: this.scannedTo?.toString() ?? null },
      l1: { latestOutputBlock: s.latestOutputBlock, timestamp: s.l1Timestamp },
      open,
      byStatus,
      counts: { ...s.counts },
      errors: { ...s.errors },
      consecutiveErrors: s.consecutiveErrors,
      lastError: s.lastError,
    }
  }

  /** Every withdrawal seen (open ones, and the most recent finished ones), oldest first. */
  withdrawals(): WithdrawalRecord[] {
    return [...this.records.values()].map((r) => structuredClone(r))
  }

  /** One withdrawal by hash. */
  withdrawal(hash: Hash): WithdrawalRecord | undefined {
    const r = this.records.get(hash)
    return r ? structuredClone(r) : undefined
  }

  /**
   * One step: scan the next L2 range for withdrawals, then move every open withdrawal as far as L1
   * allows (prove, finalize). Counts errors and rethrows RPC failures and output-root mismatches;
   * reverts are counted per withdrawal instead.
   *
   * @returns Whether there is more to do right away (more to scan, or a transaction was sent).
   */
  async relayOnce(): Promise<{ busy: boolean }> {
    try {
      await this.init()
      const more = await this.scan()
      const sent = await this.advanceAll()
      this.stats.consecutiveErrors = 0
      this.stats.steps++
      return { busy: more || sent }
    } catch (error) {
      const e = this.stats.errors
      if (error instanceof OutputRootMismatchError) e.mismatch++
      else if (error instanceof TxTimeoutError) e.timeouts++
      else e.rpc++
      this.stats.consecutiveErrors++
      this.stats.lastError = shortMessageOf(error)
      throw error
    }
  }

  private async init(): Promise<void> {
    if (this.setup) return
    const { l1, l2, portal } = this.parameters
    const code = await getCode(l1, { address: portal })
    if (!code || code === '0x')
      throw new RelayerSetupError('No OptimismPortal at the given address.', {
        details: portal,
        input: portal,
      })
    const version = await readContract(l1, {
      address: portal,
      abi: opOptimismPortalAbi,
      functionName: 'version',
    })
    if (Number(version.split('.')[0]) >= 3)
      throw new RelayerSetupError(
        `OptimismPortal ${version} proves against dispute games; this relayer speaks L2OutputOracle.`,
        {
          details: 'the keystore chain deploys the legacy OptimismPortal (2.x)',
        },
      )
    const l2OutputOracle =
      this.parameters.l2OutputOracle ??
      (await readContract(l1, { address: portal, abi: opOptimismPortalAbi, functionName: 'l2Oracle' }))
    const messenger =
      this.parameters.l1CrossDomainMessenger ??
      (await readContract(l1, {
        address: await readContract(l1, {
          address: portal,
          abi: opOptimismPortalAbi,
          functionName: 'systemConfig',
        }),
        abi: opSystemConfigAbi,
        functionName: 'l1CrossDomainMessenger',
      }))
    const [period, startingBlock, l2ChainId] = await Promise.all([
      readContract(l1, {
        address: l2OutputOracle,
        abi: opL2OutputOracleAbi,
        functionName: 'FINALIZATION_PERIOD_SECONDS',
      }),
      readContract(l1, {
        address: l2OutputOracle,
        abi: opL2OutputOracleAbi,
        functionName: 'startingBlockNumber',
      }),
      getChainId(l2),
    ])
    const fromBlock = this.parameters.fromBlock ?? startingBlock
    this.setup = { l2OutputOracle, messenger, l2ChainId, period, fromBlock }
    this.scannedTo = fromBlock - 1n
    if (this.parameters.stateFile) {
      let state: RelayerState | undefined
      try {
        state = readRelayerState(this.parameters.stateFile, { l2ChainId, portal })
      } catch (error) {
        this.setup = undefined
        throw error
      }
      if (state) {
        this.scannedTo = BigInt(state.scannedTo)
        for (const w of state.open) this.track(fromStored(w))
        this.logger.info('resumed from the state file', {
          scannedTo: state.scannedTo,
          open: state.open.length,
        })
      }
    }
  }

  private track(record: Omit<WithdrawalRecord, 'status' | 'attempts'>): boolean {
    if (this.records.has(record.withdrawalHash)) return false
    const relayed = this.decodeRelayed(record.withdrawal)
    this.records.set(record.withdrawalHash, { ...record, relayed, status: 'waiting-for-output', attempts: 0 })
    this.stats.counts.seen++
    return true
  }

  /** Reads the next range of MessagePassed events. @returns whether more blocks are left to scan. */
  private async scan(): Promise<boolean> {
    const { l2 } = this.parameters
    const head = await getBlockNumber(l2, { cacheTime: 0 })
    this.stats.head = head.toString()
    const safe = head - BigInt(this.parameters.confirmations ?? 0)
    const from = this.scannedTo! + 1n
    if (safe < from) return false
    const to =
      safe - from + 1n > BigInt(this.parameters.maxBlockRange ?? 1000)
        ? from + BigInt(this.parameters.maxBlockRange ?? 1000) - 1n
        : safe
    const logs = await getLogs(l2, {
      address: L2_TO_L1_MESSAGE_PASSER,
      event: opL2ToL1MessagePasserAbi.find((x) => x.type === 'event' && x.name === 'MessagePassed')!,
      fromBlock: from,
      toBlock: to,
    })
    for (const log of logs) {
      // a lying RPC may hand us logs of other contracts or blocks: drop them
      if (
        !eq(log.address, L2_TO_L1_MESSAGE_PASSER) ||
        log.blockNumber === null ||
        log.blockNumber < from ||
        log.blockNumber > to
      )
        continue
      const [w] = getWithdrawals({ logs: [log] })
      if (!w) continue
      const withdrawal: WithdrawalTransaction = {
        nonce: w.nonce,
        sender: w.sender,
        target: w.target,
        value: w.value,
        gasLimit: w.gasLimit,
        data: w.data,
      }
      if (hashWithdrawal(withdrawal) !== w.withdrawalHash) {
        this.logger.warn('ignoring a MessagePassed event whose hash does not match its fields', {
          withdrawalHash: w.withdrawalHash,
          tx: log.transactionHash,
        })
        continue
      }
      if (this.parameters.filter && !this.parameters.filter(withdrawal, this.decodeRelayed(withdrawal)))
        continue
      if (
        this.track({
          withdrawalHash: w.withdrawalHash,
          l2BlockNumber: log.blockNumber,
          l2TransactionHash: log.transactionHash!,
          withdrawal,
        })
      )
        this.logger.info('withdrawal seen', {
          withdrawalHash: w.withdrawalHash,
          l2Block: log.blockNumber,
          l2Sender: this.records.get(w.withdrawalHash)?.relayed?.sender ?? withdrawal.sender,
          l1Target: this.records.get(w.withdrawalHash)?.relayed?.target ?? withdrawal.target,
          call: this.records.get(w.withdrawalHash)?.relayed?.call?.functionName,
        })
    }
    this.scannedTo = to
    this.saveState()
    return to < safe
  }

  /** @returns whether a transaction was sent. */
  private async advanceAll(): Promise<boolean> {
    const { l1 } = this.parameters
    const setup = this.setup!
    const open = [...this.records.values()].filter((r) => r.status !== 'finalized' && r.status !== 'given-up')
    if (open.length === 0) return false
    const [latest, latestOutputBlock] = await Promise.all([
      getBlock(l1, { blockTag: 'latest' }),
      readContract(l1, {
        address: setup.l2OutputOracle,
        abi: opL2OutputOracleAbi,
        functionName: 'latestBlockNumber',
      }),
    ])
    this.stats.latestOutputBlock = latestOutputBlock.toString()
    this.stats.l1Timestamp = latest.timestamp.toString()
    let sent = false
    for (const record of open) {
      if (record.retryAt !== undefined && Date.now() < record.retryAt) continue
      try {
        sent = (await this.advance(record, { now: latest.timestamp, latestOutputBlock })) || sent
      } catch (error) {
        if (!isRevert(error)) throw error
        this.stats.errors.reverted++
        record.attempts++
        record.lastError = shortMessageOf(error)
        const maxAttempts = this.parameters.maxAttempts ?? 5
        if (record.attempts >= maxAttempts) {
          record.status = 'given-up'
          record.retryAt = undefined
          this.stats.counts.givenUp++
          this.logger.error('giving up on a withdrawal', {
            withdrawalHash: record.withdrawalHash,
            l2Block: record.l2BlockNumber,
            attempts: record.attempts,
            error: record.lastError,
            hint: 'prove/finalize it by hand (e.g. viem walletActionsL1) once the cause is fixed',
          })
          this.finish(record)
        } else {
          record.retryAt =
            Date.now() +
            backoffDelay(record.attempts - 1, {
              baseMs: this.parameters.backoffBaseMs ?? 500,
              maxMs: this.parameters.backoffMaxMs ?? 30_000,
            })
          this.logger.warn('withdrawal step reverted', {
            withdrawalHash: record.withdrawalHash,
            status: record.status,
            attempt: record.attempts,
            error: record.lastError,
          })
        }
      }
    }
    return sent
  }

  /** Moves one withdrawal on from what L1 says about it. @returns whether a transaction was sent. */
  private async advance(
    record: WithdrawalRecord,
    at: { now: bigint; latestOutputBlock: bigint },
  ): Promise<boolean> {
    const { l1, portal } = this.parameters
    const setup = this.setup!
    const hash = record.withdrawalHash
    const finalized = await readContract(l1, {
      address: portal,
      abi: opOptimismPortalAbi,
      functionName: 'finalizedWithdrawals',
      args: [hash],
    })
    if (finalized) {
      await this.readOutcome(record)
      this.markFinalized(record, 'already')
      return false
    }
    const [provenRoot, provenAt, provenIndex] = await readContract(l1, {
      address: portal,
      abi: opOptimismPortalAbi,
      functionName: 'provenWithdrawals',
      args: [hash],
    })
    if (provenAt !== 0n) {
      const output = await readContract(l1, {
        address: setup.l2OutputOracle,
        abi: opL2OutputOracleAbi,
        functionName: 'getL2Output',
        args: [provenIndex],
      })
      // otherwise the challenger replaced that output: prove again below
      if (output.outputRoot === provenRoot) {
        record.l2OutputIndex = provenIndex
        // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
        const start = provenAt > output.timestamp ? provenAt : output.timestamp
        record.finalizableAt = start + setup.period + 1n
        // the portal wants block.timestamp > start + period; blocks may share a timestamp (anvil),
        // so wait until the latest block itself is past it
        if (at.now <= start + setup.period) {
          record.status = 'waiting-to-finalize'
          return false
        }
        record.status = 'ready-to-finalize'
        await this.finalize(record)
        return true
      }
      this.logger.warn('the output this withdrawal was proven against was replaced; proving again', {
        withdrawalHash: hash,
        l2OutputIndex: provenIndex,
      })
    }
    if (at.latestOutputBlock < record.l2BlockNumber) {
      record.status = 'waiting-for-output'
      return false
    }
    record.status = 'ready-to-prove'
    await this.prove(record)
    return true
  }

  private async prove(record: WithdrawalRecord): Promise<void> {
    const { l1, l2, portal } = this.parameters
    const setup = this.setup!
    const output = await getL2Output(l1, {
      chain: undefined,
      l2BlockNumber: record.l2BlockNumber,
      // the portal's version (legacy, < 3) was checked at start: read the oracle directly
      l2OutputOracleAddress: setup.l2OutputOracle,
    })
    const withdrawal = { ...record.withdrawal, withdrawalHash: record.withdrawalHash }
    const args = await buildProveWithdrawal(l2, { chain: undefined, withdrawal, output })
    const root = computeOutputRoot(args.outputRootProof)
    if (root !== output.outputRoot)
      throw new OutputRootMismatchError('The L2 RPC disagrees with the output root on L1.', {
        details: `L2 block ${output.l2BlockNumber}: the L2 gives ${root}, L2OutputOracle output ${output.outputIndex} holds ${output.outputRoot} (wrong chain/fork, or a bad proposal for the challenger)`,
        input: { withdrawalHash: record.withdrawalHash, l2BlockNumber: output.l2BlockNumber },
      })
    const data = encodeFunctionData({
      abi: opOptimismPortalAbi,
      functionName: 'proveWithdrawalTransaction',
      args: [record.withdrawal, args.l2OutputIndex, args.outputRootProof, args.withdrawalProof],
    })
    const receipt = await this.sendOrRaced(record, { to: portal, data }, /already been proven/)
    if (!receipt) return
    if (receipt.status !== 'success')
      throw new WithdrawalRevertedError('proveWithdrawalTransaction reverted.', {
        details: `tx ${receipt.transactionHash}`,
      })
    record.proveTransaction = receipt.transactionHash
    record.l2OutputIndex = args.l2OutputIndex
    record.status = 'waiting-to-finalize'
    this.stats.counts.proven++
    this.logger.info('proved withdrawal', {
      withdrawalHash: record.withdrawalHash,
      l2OutputIndex: args.l2OutputIndex,
      tx: receipt.transactionHash,
    })
  }

  private async finalize(record: WithdrawalRecord): Promise<void> {
    const { portal } = this.parameters
    const data = encodeFunctionData({
      abi: opOptimismPortalAbi,
      functionName: 'finalizeWithdrawalTransaction',
      args: [record.withdrawal],
    })
    const receipt = await this.sendOrRaced(
      record,
      { to: portal, data },
      /already been finalized|finalization period has not elapsed/,
    )
    if (!receipt) return
    if (receipt.status !== 'success')
      throw new WithdrawalRevertedError('finalizeWithdrawalTransaction reverted.', {
        details: `tx ${receipt.transactionHash}`,
      })
    record.finalizeTransaction = receipt.transactionHash
    const [finalized] = parseEventLogs({
      abi: opOptimismPortalAbi,
      eventName: 'WithdrawalFinalized',
      logs: receipt.logs,
    }).filter((l) => eq(l.address, portal) && l.args.withdrawalHash === record.withdrawalHash)
    if (record.relayed) {
      const messenger = this.setup!.messenger
      const events = parseEventLogs({ abi: opL1CrossDomainMessengerAbi, logs: receipt.logs }).filter((l) =>
        eq(l.address, messenger),
      )
      const ok = events.some(
        (l) => l.eventName === 'RelayedMessage' && l.args.msgHash === record.relayed!.messageHash,
      )
      const failed = events.some(
        (l) => l.eventName === 'FailedRelayedMessage' && l.args.msgHash === record.relayed!.messageHash,
      )
      record.outcome = ok ? 'relayed' : failed ? 'failed-relay' : undefined
      if (!record.outcome) await this.readOutcome(record)
    } else record.outcome = finalized?.args.success === false ? 'call-failed' : 'call-succeeded'
    this.markFinalized(record, 'now')
  }

  /**
   * Sends a prove/finalize transaction. A revert in simulation that says someone else did it
   * first, or that L1 time has not quite reached the end of the period, is not an attempt: the
   * next step re-reads L1.
   */
  private async sendOrRaced(
    record: WithdrawalRecord,
    request: { to: Address; data: Hex },
    raced: RegExp,
  ): Promise<Awaited<ReturnType<TxSender['send']>> | undefined> {
    try {
      return await this.sender.send(request, { signal: this.controller?.signal })
    } catch (error) {
      if (isRevert(error) && raced.test(`${shortMessageOf(error)} ${(error as Error).message}`)) {
        this.logger.info('not done: L1 changed since it was read (another relayer, or time)', {
          withdrawalHash: record.withdrawalHash,
          reason: shortMessageOf(error),
        })
        return undefined
      }
      throw error
    }
  }

  /** The messenger's verdict for a finalized withdrawal (from its mappings). */
  private async readOutcome(record: WithdrawalRecord): Promise<void> {
    if (!record.relayed) return
    const { l1 } = this.parameters
    const messenger = this.setup!.messenger
    const [ok, failed] = await Promise.all([
      readContract(l1, {
        address: messenger,
        abi: opL1CrossDomainMessengerAbi,
        functionName: 'successfulMessages',
        args: [record.relayed.messageHash],
      }),
      readContract(l1, {
        address: messenger,
        abi: opL1CrossDomainMessengerAbi,
        functionName: 'failedMessages',
        args: [record.relayed.messageHash],
      }),
    ])
    record.outcome = ok ? 'relayed' : failed ? 'failed-relay' : undefined
  }

  private markFinalized(record: WithdrawalRecord, when: 'now' | 'already'): void {
    record.status = 'finalized'
    record.retryAt = undefined
    if (when === 'now') this.stats.counts.finalized++
    const fields = {
      withdrawalHash: record.withdrawalHash,
      outcome: record.outcome,
      tx: record.finalizeTransaction,
      l1Target: record.relayed?.target ?? record.withdrawal.target,
      l2Sender: record.relayed?.sender ?? record.withdrawal.sender,
      call: record.relayed?.call?.functionName,
    }
    if (record.outcome === 'relayed' && when === 'now') this.stats.counts.relayed++
    if (record.outcome === 'failed-relay' || record.outcome === 'call-failed') {
      if (when === 'now') this.stats.counts.failedRelays++
      this.logger.error(
        record.outcome === 'failed-relay'
          ? 'the relayed call failed on L1 (L1CrossDomainMessenger.failedMessages); not retried'
          : 'the withdrawal call failed on L1; not retried',
        {
          ...fields,
          args: record.relayed?.call?.args,
          hint:
            record.relayed?.call?.functionName === 'updateKey'
              ? 'a compare-and-swap whose old value no longer matches L1Keystore; the L2 sender must write again'
              : 'anyone may replay it through L1CrossDomainMessenger.relayMessage once it can succeed',
        },
      )
    } else this.logger.info(when === 'now' ? 'finalized withdrawal' : 'withdrawal already finalized', fields)
    this.finish(record)
  }

  /** A finished withdrawal leaves the state file; old finished records are forgotten. */
  private finish(_record: WithdrawalRecord): void {
    const keep = this.parameters.keepFinished ?? 1000
    const finished = [...this.records.values()].filter(
      (r) => r.status === 'finalized' || r.status === 'given-up',
    )
    for (const r of finished.slice(0, Math.max(0, finished.length - keep)))
      this.records.delete(r.withdrawalHash)
    this.saveState()
  }

  private decodeRelayed(w: WithdrawalTransaction): RelayedCall | undefined {
    if (!eq(w.sender, L2_CROSS_DOMAIN_MESSENGER)) return undefined
    const messenger = this.setup?.messenger ?? this.parameters.l1CrossDomainMessenger
    if (messenger && !eq(w.target, messenger)) return undefined
    try {
      const { functionName, args } = decodeFunctionData({ abi: opL1CrossDomainMessengerAbi, data: w.data })
      if (functionName !== 'relayMessage') return undefined
      const [, sender, target, value, minGasLimit, message] = args
      let call: RelayedCall['call']
      try {
        const decoded = decodeFunctionData({ abi: l1KeystoreAbi, data: message })
        call = { functionName: decoded.functionName, args: decoded.args ?? [] }
      } catch {
        call = undefined
      }
      // relayMessage's versioned hash is keccak256 of exactly this calldata (Hashing.hashCrossDomainMessageV1)
      return { sender, target, value, minGasLimit, message, messageHash: keccak256(w.data), call }
    } catch {
      return undefined
    }
  }

  private saveState(): void {
    const path = this.parameters.stateFile
    if (!path || !this.setup || this.scannedTo === undefined) return
    const state: RelayerState = {
      version: 1,
      l2ChainId: this.setup.l2ChainId,
      portal: this.parameters.portal,
      scannedTo: this.scannedTo.toString(),
      open: [...this.records.values()]
        .filter((r) => r.status !== 'finalized' && r.status !== 'given-up')
        .map(toStored),
    }
    writeRelayerState(path, state)
  }
}

function toStored(r: WithdrawalRecord): StoredWithdrawal {
  const w = r.withdrawal
  return {
    withdrawalHash: r.withdrawalHash,
    l2BlockNumber: r.l2BlockNumber.toString(),
    l2TransactionHash: r.l2TransactionHash,
    nonce: w.nonce.toString(),
    sender: w.sender,
    target: w.target,
    value: w.value.toString(),
    gasLimit: w.gasLimit.toString(),
    data: w.data,
  }
}

function fromStored(s: StoredWithdrawal): Omit<WithdrawalRecord, 'status' | 'attempts'> {
  return {
    withdrawalHash: s.withdrawalHash,
    l2BlockNumber: BigInt(s.l2BlockNumber),
    l2TransactionHash: s.l2TransactionHash,
    withdrawal: {
      nonce: BigInt(s.nonce),
      sender: s.sender,
      target: s.target,
      value: BigInt(s.value),
      gasLimit: BigInt(s.gasLimit),
      data: s.data,
    },
  }
}
