import { type Hex, hexToBytes } from 'viem'
import { getBlock } from 'viem/actions'
import { L1SloadWitness, type L1SloadWitnessEntry } from '../../precompiles/l1sload/index.js'
import { verifyProofResponse } from '../../precompiles/storage-proof/index.js'
import { InboxScanner } from '../batcher/InboxScanner.js'
import type { BatchBlockData, PostedBatch } from '../batcher/types.js'
import { type ChainClient, createDevnetClient, makeChain } from '../devnet/clients.js'
import { HeaderNotFoundError } from '../feeder/blockHeader.js'
import {
  createKeystoreChainNode,
  KEYSTORE_PREDEPLOYS,
  type KeystoreChainInputs,
} from '../keystore/keystoreChain.js'
import type { KeystoreNode, StoredBlock } from '../node/KeystoreNode.js'
import { type L1OriginBlock, L1OriginSelector } from '../node/l1Origin.js'
import { blockOrigin, deriveBlockDeposits, encodeBlockOrigin } from '../node/sequencer.js'
import { OutputChecker, type OutputCheckerHealth, type OutputMismatch } from '../proposer/OutputChecker.js'
import { RollupError } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { runLoop } from '../shared/loop.js'
import type { Service, ServiceHealth } from '../shared/service.js'

/** Why a batch could not be derived into blocks (the chain on L1 is not a valid keystore chain). */
export type DerivationFaultReason =
  | 'wrong-number'
  | 'wrong-timestamp'
  | 'origin-not-canonical'
  | 'origin-not-child'
  | 'origin-in-future'
  | 'witness-mismatch'
  | 'block-invalid'
  | 'hash-mismatch'

/** The batches on L1 do not derive a valid chain, or not the chain the sequencer claimed. */
export class DerivationFaultError extends RollupError {
  override name = 'DerivationFaultError'
  readonly reason: DerivationFaultReason
  readonly l2BlockNumber: bigint
  constructor(reason: DerivationFaultReason, l2BlockNumber: bigint, details: string, cause?: unknown) {
    super(`Derivation fault at keystore-chain block ${l2BlockNumber}: ${reason}.`, { details, cause })
    this.reason = reason
    this.l2BlockNumber = l2BlockNumber
  }
}

export type VerifierParameters = KeystoreChainInputs & {
  /** L1 RPC. Untrusted for content: headers, deposit receipts and witness values are verified. */
  l1: ChainClient
  /** The verifier's own node (LevelDB); omitted = in memory (re-derives from genesis on start). */
  dataDir?: string | undefined
  /** JSON-RPC of the verifier's node (the trusted L2 for output checks); default an ephemeral port. */
  rpc?: { host?: string | undefined; port: number } | undefined
  /** Read batches only from L1 blocks this deep. Default 0. */
  confirmations?: number | undefined
  /**
   * Check every L1SLOAD witness value against L1 (eth_getProof at the origin block, verified
   * against its state root). Default true. Values whose L1 state the RPC no longer has (pruned)
   * are counted as unverified and logged; a value that proves different is a fault.
   */
  checkWitness?: boolean | undefined
  /** Check the output roots proposed to L2OutputOracle against this node. Default true. */
  checkOutputs?: boolean | undefined
  pollIntervalMs?: number | undefined
  onFault?: ((fault: DerivationFaultError) => void) | undefined
  onOutputMismatch?: ((mismatch: OutputMismatch) => void) | undefined
  logger?: Logger | undefined
}

export type VerifierHealth = ServiceHealth & {
  head: bigint
  headHash: Hex
  /** L1 block up to which the inbox was read. */
  l1Scanned: bigint | undefined
  batchesApplied: number
  witness: { verified: number; unverified: number }
  fault: { reason: DerivationFaultReason; l2BlockNumber: bigint; details: string | undefined } | undefined
  outputs: OutputCheckerHealth | undefined
  rpcUrl: string | undefined
}

/**
 * Re-derives the keystore chain from L1 alone, into its own node, and checks the sequencer and the
 * proposer against it:
 *
 * - batches: read from the L1 inbox, only from the batcher address (InboxScanner);
 * - each batch block is checked before it is executed: its number and slot timestamp, an L1
 *   origin that is canonical on L1, the parent's origin or its child, and not newer than the
 *   block; the deposits are derived from L1 (L1 attributes, the L1Blocks header, the portal's
 *   deposits verified against the block's receipts root); L1SLOAD answers come from the batch's
 *   witness, each value proven against the origin's state root (`checkWitness`);
 * - the block is executed by the node in replay mode; after each batch the head must be the hash
 *   the batch claims (`lastHash`);
 * - every output root proposed to L2OutputOracle is recomputed from this node (OutputChecker).
 *
 * A fault is loud (error log, health `degraded`, `onFault`) and stops derivation at that block;
 * an output mismatch is loud (`onOutputMismatch`, with the challenger's `deleteL2Outputs` call).
 *
 * @example
 * const verifier = new Verifier({ ...keystoreChainInputs(config, addresses), l1, dataDir: 'data/verifier' })
 * await verifier.start()
 */
export class Verifier implements Service<VerifierHealth> {
  readonly #p: VerifierParameters
  readonly #log: Logger
  #node: KeystoreNode | undefined
  #scanner: InboxScanner | undefined
  #checker: OutputChecker | undefined
  #selector: L1OriginSelector
  #abort: AbortController | undefined
  #loop: Promise<void> | undefined
  #applied = 0
  #queue: PostedBatch[] = []
  #witness = { verified: 0, unverified: 0 }
  #fault: DerivationFaultError | undefined
  #status: ServiceHealth['status'] = 'starting'
  #lastError: string | undefined

  constructor(parameters: VerifierParameters) {
    this.#p = parameters
    this.#log = (parameters.logger ?? silentLogger).child({ service: 'verifier' })
    this.#selector = new L1OriginSelector({ l1: parameters.l1, confirmations: 0 })
  }

  /** The verifier's node (replay mode): query it like any node. */
  get node(): KeystoreNode {
    if (!this.#node) throw new Error('the verifier is not started')
    return this.#node
  }

  async start(): Promise<void> {
    const p = this.#p
    const node = await createKeystoreChainNode({
      ...p,
      role: 'verifier',
      confirmations: 0,
      rpc: p.rpc ?? { port: 0 },
      logger: p.logger,
    })
    await node.start()
    this.#node = node
    const genesis = (await node.getBlockByNumber(0n)) as StoredBlock
    this.#scanner = new InboxScanner({
      client: p.l1,
      inbox: p.keystore.batchInbox,
      batcher: p.keystore.roles.batcher,
      fromBlock: BigInt(p.keystore.genesis.l1StartBlock),
      start: { number: 1n, parentHash: genesis.hash },
      confirmations: p.confirmations ?? 0,
      retainBatches: 64,
      logger: p.logger,
    })
    if (p.checkOutputs ?? true) {
      const l2 = createDevnetClient({
        chain: makeChain({
          name: 'keystore-verifier',
          chainId: p.keystore.chainId,
          rpcUrl: node.rpcUrl as string,
        }),
        pollingIntervalMs: 250,
      })
      this.#checker = new OutputChecker({
        l1: p.l1,
        l2,
        l2OutputOracle: p.keystore.l1.L2OutputOracle,
        fromBlock: BigInt(p.keystore.genesis.l1StartBlock),
        confirmations: p.confirmations ?? 0,
        pollIntervalMs: p.pollIntervalMs ?? 500,
        onMismatch: p.onOutputMismatch,
        logger: p.logger,
      })
      await this.#checker.start()
    }
    this.#status = 'ok'
    this.#abort = new AbortController()
    this.#loop = runLoop({
      signal: this.#abort.signal,
      pollIntervalMs: p.pollIntervalMs ?? 500,
      backoff: { baseMs: 250, maxMs: 10_000 },
      step: async () => {
        await this.step()
        return 'idle'
      },
      onError: (error) => {
        this.#lastError = (error as Error).message
        this.#log.warn('step failed', { error: (error as Error).message.split('\n')[0] })
      },
    })
    this.#log.info('started', { head: node.head.number, rpc: node.rpcUrl })
  }

  async stop(): Promise<void> {
    this.#abort?.abort()
    await this.#loop
    await this.#checker?.stop()
    await this.#node?.stop()
    this.#status = 'stopped'
  }

  health(): VerifierHealth {
    const node = this.#node
    return {
      status: this.#fault
        ? 'degraded'
        : this.#checker?.health().status === 'degraded'
          ? 'degraded'
          : this.#status,
      head: node?.head.number ?? 0n,
      headHash: node?.head.hash ?? '0x',
      l1Scanned: this.#scanner?.scanned?.number,
      batchesApplied: this.#applied,
      witness: { ...this.#witness },
      fault: this.#fault
        ? {
            reason: this.#fault.reason,
            l2BlockNumber: this.#fault.l2BlockNumber,
            details: this.#fault.details,
          }
        : undefined,
      outputs: this.#checker?.health(),
      rpcUrl: node?.rpcUrl,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    }
  }

  /** One round: read new batches from L1 and derive their blocks. Stops at a fault. */
  async step(): Promise<void> {
    if (this.#fault || !this.#scanner || !this.#node) return
    // Batches accepted by the reader wait here until derived: an error (L1 RPC) in the middle of
    // one leaves it and the later ones for the next step. The reader keeps few in memory.
    const { accepted } = await this.#scanner.sync()
    this.#queue.push(...accepted)
    while (this.#queue.length > 0) {
      const batch = this.#queue[0] as PostedBatch
      const last = batch.blocks[batch.blocks.length - 1]
      if (!last || last.number <= this.#node.head.number) {
        // Already derived (restart): the batch must still lead to the block we have.
        if (last) await this.#checkKnown(batch, last.number)
        this.#queue.shift()
        continue
      }
      try {
        for (const block of batch.blocks)
          if (block.number > this.#node.head.number) await deriveBlock(this.#ctx(), this.#node, block)
        if (this.#node.head.hash !== batch.lastHash.toLowerCase())
          throw new DerivationFaultError(
            'hash-mismatch',
            last.number,
            `derived ${this.#node.head.hash}, the batch claims ${batch.lastHash}`,
          )
        this.#applied++
        this.#queue.shift()
      } catch (error) {
        if (!(error instanceof DerivationFaultError)) throw error
        this.#fault = error
        this.#log.error('DERIVATION FAULT', {
          reason: error.reason,
          l2BlockNumber: error.l2BlockNumber,
          details: error.details,
          l1Block: batch.inclusion.l1BlockNumber,
        })
        this.#p.onFault?.(error)
        return
      }
    }
  }

  #ctx(): DeriveContext {
    return {
      l1: this.#p.l1,
      inputs: this.#p,
      selector: this.#selector,
      checkWitness: this.#p.checkWitness ?? true,
      log: this.#log,
      witness: this.#witness,
    }
  }

  async #checkKnown(batch: PostedBatch, lastNumber: bigint): Promise<void> {
    const ours = await this.#node?.getBlockByNumber(lastNumber)
    if (ours && ours.hash !== batch.lastHash.toLowerCase()) {
      const fault = new DerivationFaultError(
        'hash-mismatch',
        lastNumber,
        `this node has ${ours.hash}, a batch on L1 now claims ${batch.lastHash}`,
      )
      this.#fault = fault
      this.#log.error('DERIVATION FAULT', {
        reason: fault.reason,
        l2BlockNumber: lastNumber,
        details: fault.details,
      })
      this.#p.onFault?.(fault)
    }
  }
}

function padAddress(address: Hex): Hex {
  return `0x${address.slice(2).toLowerCase().padStart(64, '0')}` as Hex
}

/** What deriving a block needs besides the node: L1, the chain's inputs, the origin checker. */
export type DeriveContext = {
  l1: ChainClient
  inputs: KeystoreChainInputs
  selector: L1OriginSelector
  checkWitness: boolean
  log: Logger
  /** Counts witness values proven on L1 / not provable (no L1 state). */
  witness: { verified: number; unverified: number }
}

/**
 * Checks one batch block against L1 and the node's head, derives its deposits from L1, and
 * executes it on `node` (replay mode).
 * @throws {DerivationFaultError} when the block is not a valid next block of the chain.
 */
export async function deriveBlock(
  ctx: DeriveContext,
  node: KeystoreNode,
  block: BatchBlockData,
): Promise<StoredBlock> {
  const parent = node.head
  const n = block.number
  if (n !== parent.number + 1n)
    throw new DerivationFaultError('wrong-number', n, `expected block ${parent.number + 1n}`)
  if (block.timestamp !== node.timestampOf(n))
    throw new DerivationFaultError(
      'wrong-timestamp',
      n,
      `${block.timestamp}, the slot is ${node.timestampOf(n)}`,
    )
  const parentOrigin = blockOrigin(parent)
  const originHash = block.l1Origin.hash.toLowerCase() as Hex
  const sameEpoch = block.l1Origin.number === parentOrigin.number
  if (sameEpoch && originHash !== parentOrigin.hash)
    throw new DerivationFaultError(
      'origin-not-child',
      n,
      `origin ${originHash} replaces the parent's ${parentOrigin.hash}`,
    )
  if (!sameEpoch && block.l1Origin.number !== parentOrigin.number + 1n)
    throw new DerivationFaultError(
      'origin-not-child',
      n,
      `origin ${block.l1Origin.number} after ${parentOrigin.number}`,
    )
  let origin: L1OriginBlock
  try {
    origin = await ctx.selector.byHash(originHash)
  } catch (error) {
    if (error instanceof HeaderNotFoundError)
      throw new DerivationFaultError('origin-not-canonical', n, `L1 has no block ${originHash}`, error)
    throw error
  }
  const canonical = await getBlock(ctx.l1, { blockNumber: origin.number })
  if (canonical.hash !== originHash)
    throw new DerivationFaultError(
      'origin-not-canonical',
      n,
      `L1 block ${origin.number} is ${canonical.hash}`,
    )
  if (!sameEpoch && origin.parentHash !== parentOrigin.hash)
    throw new DerivationFaultError(
      'origin-not-child',
      n,
      `origin's parent ${origin.parentHash} ≠ ${parentOrigin.hash}`,
    )
  if (origin.timestamp > block.timestamp)
    throw new DerivationFaultError(
      'origin-in-future',
      n,
      `origin time ${origin.timestamp} > block time ${block.timestamp}`,
    )
  const sequenceNumber = sameEpoch ? parentOrigin.sequenceNumber + 1n : 0n
  const deposits = await deriveBlockDeposits({
    l1: ctx.l1,
    portal: ctx.inputs.keystore.l1.OptimismPortal,
    l1Blocks: KEYSTORE_PREDEPLOYS.L1Blocks,
    systemConfig: { batcherHash: padAddress(ctx.inputs.keystore.roles.batcher), ...ctx.inputs.scalars },
    origin,
    sequenceNumber,
    newEpoch: !sameEpoch || n === 1n,
  })
  const witness = new L1SloadWitness()
  for (const entry of block.l1sload) witness.record(entry)
  if (ctx.checkWitness) await checkWitness(ctx, n, origin.number, origin.stateRoot, block.l1sload)
  try {
    return await node.applyBlock({
      deposits,
      extra: encodeBlockOrigin({ number: origin.number, hash: originHash, sequenceNumber }),
      witness,
      txs: block.transactions.map((t) => hexToBytes(t)),
    })
  } catch (error) {
    throw new DerivationFaultError('block-invalid', n, (error as Error).message, error)
  }
}

/** Proves a batch block's L1SLOAD values against the origin's state root (eth_getProof, untrusted RPC). */
async function checkWitness(
  ctx: DeriveContext,
  n: bigint,
  originNumber: bigint,
  stateRoot: Hex,
  entries: L1SloadWitnessEntry[],
): Promise<void> {
  const byAddress = new Map<Hex, L1SloadWitnessEntry[]>()
  for (const e of entries) {
    if (e.l1BlockNumber !== originNumber)
      throw new DerivationFaultError(
        'witness-mismatch',
        n,
        `an L1SLOAD value at L1 block ${e.l1BlockNumber}, the origin is ${originNumber}`,
      )
    const list = byAddress.get(e.address) ?? []
    list.push(e)
    byAddress.set(e.address, list)
  }
  for (const [address, list] of byAddress) {
    const slots = list.map((e) => e.key)
    let response: unknown
    try {
      response = await ctx.l1.request({
        method: 'eth_getProof',
        params: [address, slots, `0x${originNumber.toString(16)}`],
      } as never)
    } catch (error) {
      ctx.witness.unverified += list.length
      ctx.log.warn('L1SLOAD witness not verifiable (no L1 state for the origin?)', {
        l2BlockNumber: n,
        address,
        error: (error as Error).message.split('\n')[0],
      })
      continue
    }
    const { storage } = verifyProofResponse({ stateRoot, address, slots, response: response as never })
    for (const [i, e] of list.entries()) {
      const proven = (storage[i]?.value ?? '0x').toLowerCase()
      if (BigInt(proven) !== BigInt(e.value))
        throw new DerivationFaultError(
          'witness-mismatch',
          n,
          `${address} slot ${e.key}: batch says ${e.value}, L1 proves ${proven}`,
        )
    }
    ctx.witness.verified += list.length
  }
}
