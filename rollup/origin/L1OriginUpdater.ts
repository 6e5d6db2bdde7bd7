import type { Address, Hex } from 'viem'
import { getBlock, getBlockNumber, readContract } from 'viem/actions'
import { opL1BlockAbi } from '../../contracts/generated/index.js'
import type { AnvilClient, ChainClient } from '../devnet/clients.js'
import { RollupError, shortMessageOf } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { runLoop } from '../shared/loop.js'
import type { Service, ServiceHealth } from '../shared/service.js'
import { TxSender } from '../shared/txSender.js'
import {
  DEPOSITOR_ACCOUNT,
  encodeSetL1BlockValuesEcotone,
  installL1Block,
  L1_BLOCK_ADDRESS,
  l1BlockValuesFromBlock,
} from './l1Block.js'

export type L1OriginUpdaterParameters = {
  /** The L2's name, for logs and health. */
  name: string
  l1: ChainClient
  /** The anvil L2 (test actions: impersonation). */
  l2: AnvilClient
  /** The origin trails the L1 head by this many blocks. */
  lag: number
  pollIntervalMs?: number | undefined
  baseFeeScalar?: number | undefined
  blobBaseFeeScalar?: number | undefined
  batcher?: Address | undefined
  /** Install the L1Block bytecode if it is missing (default true). */
  install?: boolean | undefined
  txTimeoutMs?: number | undefined
  backoffBaseMs?: number | undefined
  backoffMaxMs?: number | undefined
  logger?: Logger | undefined
}

type UpdaterState = {
  origin: { number: string; hash: Hex } | null
  l1Head: string | null
  updates: number
  errors: number
  lastError: string | null
}

export type L1OriginUpdaterHealth = ServiceHealth & UpdaterState & { chain: string }

export type UpdateOnceReturnType = { number: bigint; hash: Hex; changed: boolean }

export class L1OriginUpdateError extends RollupError {
  override name = 'L1OriginUpdateError'
}

/**
 * Plays the OP sequencer's L1-attributes role on an anvil L2: follows L1 and, from the
 * impersonated depositor account, calls the genuine L1Block's `setL1BlockValuesEcotone()` with
 * the L1 block `lag` blocks behind the L1 head. State lives on chain (it compares L1Block.hash()
 * with the canonical L1 block at the target height), so after an L1 reorg it switches to the new
 * canonical block, and a restart needs no memory.
 *
 * @example
 * const updater = new L1OriginUpdater({ name: 'l2a', l1, l2, lag: 2 })
 * await updater.start() // the origin is set when this resolves
 * await updater.stop()
 */
export class L1OriginUpdater implements Service<L1OriginUpdaterHealth> {
  private readonly parameters: L1OriginUpdaterParameters
  private readonly logger: Logger
  private readonly sender: TxSender
  private controller: AbortController | undefined
  private loop: Promise<void> | undefined
  private state: UpdaterState = {
    origin: null,
    l1Head: null,
    updates: 0,
    errors: 0,
    lastError: null,
  }
  private consecutiveErrors = 0

  constructor(parameters: L1OriginUpdaterParameters) {
    this.parameters = parameters
    this.logger = (parameters.logger ?? silentLogger).child({ service: 'origin', chain: parameters.name })
    this.sender = new TxSender({
      client: parameters.l2,
      account: DEPOSITOR_ACCOUNT,
      timeoutMs: parameters.txTimeoutMs ?? 10_000,
      logger: this.logger,
    })
  }

  /** Installs L1Block if needed, sets the first origin, then follows L1 in the background. */
  async start(): Promise<void> {
    if (this.loop) return
    if (this.parameters.install ?? true) {
      if (await installL1Block(this.parameters.l2)) this.logger.info('installed L1Block predeploy')
    }
    await this.updateOnce()
    this.controller = new AbortController()
    this.loop = runLoop({
      signal: this.controller.signal,
      pollIntervalMs: this.parameters.pollIntervalMs ?? 500,
      backoff: {
        baseMs: this.parameters.backoffBaseMs ?? 250,
        maxMs: this.parameters.backoffMaxMs ?? 10_000,
      },
      step: async () => ((await this.updateOnce()).changed ? 'again' : 'idle'),
      onError: (error, attempt, delayMs) => {
        this.logger.warn('origin update failed', {
          attempt,
          retryInMs: delayMs,
          error: shortMessageOf(error),
        })
      },
    })
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    await this.loop
    this.loop = undefined
    this.controller = undefined
  }

  health(): L1OriginUpdaterHealth {
    const status = !this.loop
      ? this.state.origin
        ? 'stopped'
        : 'starting'
      : this.consecutiveErrors > 2
        ? 'degraded'
        : 'ok'
    return { status, chain: this.parameters.name, ...this.state }
  }

  /**
   * One step: reads the L1 head, and if L1Block does not hold the canonical block `lag` behind
   * it, sets it.
   *
   * @returns The origin now in L1Block and whether this call changed it.
   */
  async updateOnce(): Promise<UpdateOnceReturnType> {
    try {
      const result = await this.update()
      this.consecutiveErrors = 0
      return result
    } catch (error) {
      this.consecutiveErrors++
      this.state.errors++
      this.state.lastError = shortMessageOf(error)
      throw error
    }
  }

  private async update(): Promise<UpdateOnceReturnType> {
    const { l1, l2, lag } = this.parameters
    const head = await getBlockNumber(l1, { cacheTime: 0 })
    this.state.l1Head = head.toString()
    const target = head > BigInt(lag) ? head - BigInt(lag) : 0n
    const block = await getBlock(l1, { blockNumber: target })
    const current = await readContract(l2, {
      address: L1_BLOCK_ADDRESS,
      abi: opL1BlockAbi,
      functionName: 'hash',
    })
    if (current === block.hash) {
      this.state.origin = { number: target.toString(), hash: block.hash }
      return { number: target, hash: block.hash, changed: false }
    }
    const data = encodeSetL1BlockValuesEcotone(
      l1BlockValuesFromBlock(block, {
        baseFeeScalar: this.parameters.baseFeeScalar ?? 1368,
        blobBaseFeeScalar: this.parameters.blobBaseFeeScalar ?? 810949,
        batcher: this.parameters.batcher ?? '0x0000000000000000000000000000000000000000',
      }),
    )
    // An OP sequencer puts the L1-attributes deposit first in its block. anvil orders by tip, and
    // a high tip here would also raise the tip anvil suggests to everyone else (it follows recent
    // blocks), so this is an ordinary transaction: the origin changes in the block it lands in.
    const receipt = await this.sender.send(
      { to: L1_BLOCK_ADDRESS, data, gas: 200_000n },
      { signal: this.controller?.signal },
    )
    if (receipt.status !== 'success')
      throw new L1OriginUpdateError('setL1BlockValuesEcotone reverted.', {
        details: `tx ${receipt.transactionHash}; is the genuine L1Block installed and the depositor impersonated?`,
      })
    this.state.origin = { number: target.toString(), hash: block.hash }
    this.state.updates++
    this.logger.info('L1 origin set', { number: target, hash: block.hash, l1Head: head })
    return { number: target, hash: block.hash, changed: true }
  }
}
