import { mkdirSync } from 'node:fs'
import type { Server } from 'node:http'
import { type BlockHeader, createBlock, createBlockHeader } from '@ethereumjs/block'
import type { Common, CustomCrypto } from '@ethereumjs/common'
import { type AddPrecompile, EVMError, type ExecResult } from '@ethereumjs/evm'
import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { createFeeMarket1559Tx, createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { Address, bytesToHex, hexToBytes, ValueEncoding } from '@ethereumjs/util'
import { Bloom, createVM, encodeReceipt, type RunTxResult, runTx, type VM } from '@ethereumjs/vm'
import type { Client, Hex } from 'viem'
import {
  type CreateL1SloadPrecompileReturnType,
  createL1SloadPrecompile,
  createReplayL1Sload,
  type L1Origin,
  type L1SloadPrecompile,
  L1SloadUnavailableError,
  L1SloadWitness,
  type L1SloadWitnessEntry,
  l1SloadGas,
  parseL1SloadInput,
} from '../../precompiles/l1sload/index.js'
import { DEPOSIT_TX_TYPE, type DepositTx, decodeDepositTx, encodeDepositTx } from '../derivation/deposits.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import type { Service, ServiceHealth } from '../shared/service.js'
import { encodeBlockExtra, readL1BlocksLatest } from './blockExtra.js'
import { BlockStore, type NodeTx, type StoredBlock, type StoredReceipt } from './blockStore.js'
import { applyGenesisAlloc, createKeystoreCommon, type GenesisAlloc } from './chain.js'
import { fastCrypto } from './crypto.js'
import { executeDeposit, formatDepositTransaction } from './deposit.js'
import { JsonRpcError, KeystoreNodeError } from './errors.js'
import { type Kv, type KvOp, LevelKv, MemoryKv } from './kv.js'
import { Mempool, type PendingTx } from './mempool.js'
import { orderedTrieRoot } from './orderedTrie.js'
import { startRpcServer } from './rpcServer.js'
import { TrieDb } from './trieDb.js'
import { fastEipLookup, installSyncSteps, sharedTxCommon } from './vmTuning.js'

export type { NodeTx, StoredBlock, StoredReceipt } from './blockStore.js'

/** A custom precompile as `createVM({ evmOpts: { customPrecompiles } })` takes it. */
export type NodePrecompile = AddPrecompile

/** What goes into a block besides pool transactions (from the sequencer's planner or a batch). */
export type BlockPlan = {
  /** Executed first, in order: the L1-attributes deposit, then system and user deposits. */
  deposits: DepositTx[]
  /** The planner's data stored with the block (the sequencer's L1 origin, sequence number). */
  extra: Uint8Array
  /** Replay only: the L1SLOAD values of the block (from its batch). */
  witness?: L1SloadWitness | undefined
}

/** Plans block `number` on top of `parent` (the sequencer: L1 origin, L1 attributes, deposits). */
export type PlanBlock = (context: {
  number: bigint
  timestamp: bigint
  parent: StoredBlock
}) => Promise<BlockPlan>

/**
 * The node's L1SLOAD precompile (RIP-7728, 0x…0101): `live` proves answers from an L1 RPC against
 * the state root in the chain's L1Blocks and records a witness per block; `replay` (verifiers)
 * answers only from the witness given with each applied block. The trust anchor, the latest header
 * in L1Blocks, is read from the executing state itself.
 */
export type NodeL1Sload = {
  /** The L1Blocks predeploy on this chain and its ring size. */
  l1Blocks: Hex
  ringSize: bigint
} & (
  | {
      mode: 'live'
      l1Client: Client
      /**
       * Optional: the L1 storage a pool transaction will read with L1SLOAD, known from its calldata
       * (e.g. the keystore chain's L2Keystore calls). Used to prefetch proofs before a block runs
       * without a dry run of that transaction; `undefined` = unknown (dry run). A wrong guess costs
       * only time: values are proven either way and served only when actually read.
       */
      predictReads?: L1SloadReadPredictor | undefined
    }
  | { mode: 'replay' }
)

/** What a transaction will read with L1SLOAD: (L1 address, storage keys) pairs, or undefined. */
export type L1SloadReadPredictor = (tx: {
  from: Hex
  to: Hex
  data: Uint8Array
}) => { address: Hex; keys: Hex[] }[] | undefined

export type KeystoreNodeParameters = {
  /** Genesis state: address → { code, storage, balance, nonce }. */
  alloc: GenesisAlloc
  /** `to` addresses the mempool accepts (the keystore predeploys). */
  allowedRecipients: readonly Hex[]
  chainId?: number | undefined
  precompiles?: NodePrecompile[] | undefined
  /** The L1SLOAD precompile (omitted: none). */
  l1sload?: NodeL1Sload | undefined
  /** Plans each produced block (omitted: no deposits; only pool transactions). */
  planBlock?: PlanBlock | undefined
  /** Give up planning a block (L1 reads) after this long; the slot is retried. Default 10 s. */
  planTimeoutMs?: number | undefined
  /** Planner data of the genesis block (the sequencer's genesis L1 origin). */
  genesisExtra?: Uint8Array | undefined
  /**
   * LevelDB directory for blocks, receipts, state and the pool journal. Omitted: in memory
   * (nothing survives the process). Re-opening resumes at the stored head; the genesis given must
   * match the stored one.
   */
  dataDir?: string | undefined
  /** Seconds per block: block n has timestamp genesisTimestamp + n × blockTime (OP rule). Default 1. */
  blockTime?: number | undefined
  /**
   * Produce blocks on the slot schedule once started (catching up on missed slots at once).
   * Default false: blocks only on `produceBlock()`.
   */
  produceBlocks?: boolean | undefined
  /** Default 30,000,000. */
  blockGasLimit?: bigint | undefined
  /** Genesis base fee, wei. Default 1 gwei; later blocks follow EIP-1559. */
  initialBaseFee?: bigint | undefined
  /** Suggested priority fee (eth_maxPriorityFeePerGas). Default 1,000,000 wei (0.001 gwei). */
  priorityFee?: bigint | undefined
  /** Max raw transaction size, bytes. Default 128 KiB. */
  maxTxBytes?: number | undefined
  /** Max transactions per block. Default 5000. */
  maxTxsPerBlock?: number | undefined
  /** Genesis timestamp (seconds) when the chain is created. Default: now. Ignored when resuming. */
  genesisTimestamp?: bigint | undefined
  feeRecipient?: Hex | undefined
  /** JSON-RPC HTTP server; omitted = no server (library use). */
  rpc?: { host?: string | undefined; port: number; maxBodyBytes?: number | undefined } | undefined
  /** Default: native secp256k1 recovery and WASM keccak (`fastCrypto`). */
  customCrypto?: CustomCrypto | undefined
  /** Memory bounds: trie nodes and blocks kept in LRU caches. */
  cache?:
    | {
        /** Trie nodes kept in memory (LRU). Default 200,000. */
        trieNodes?: number | undefined
        /** Recent blocks kept decoded (LRU). Default 256. */
        blocks?: number | undefined
        /** …holding at most this many transactions in all. Default 10,000. */
        blockTxs?: number | undefined
        /**
         * The executing state's account/storage caches are emptied (after a block, all written to
         * the trie) once this many transactions ran since the last time: @ethereumjs's storage
         * cache keeps every slot of a contract, and every update adds one to the message passer.
         * Default 10,000.
         */
        stateTxs?: number | undefined
      }
    | undefined
  logger?: Logger | undefined
}

export type KeystoreNodeHealth = ServiceHealth & {
  head: bigint
  pending: number
  rpcUrl: string | undefined
}

const PREVRANDAO = new Uint8Array(32)
const ZERO_ADDRESS = new Address(new Uint8Array(20))

/**
 * The keystore chain's node: an @ethereumjs/vm chain (Osaka rules, chain id 901), an action-specific
 * mempool, its own block assembly around `runTx`, a JSON-RPC server, and a LevelDB store.
 *
 * Durability (issue 3 §8): a transaction hash is returned only after the raw transaction is in the
 * pool journal on disk (synced; concurrent submissions share one fsync). A block is committed in
 * one synced atomic batch with the trie nodes it created, the new head and the removal of its
 * transactions from the journal. After `kill -9` the node reopens at the last committed block and
 * re-admits the journal, so no acknowledged transaction is lost.
 *
 * @example
 * const node = await KeystoreNode.create({ alloc, allowedRecipients: [L2_KEYSTORE], dataDir: 'data/keystore', rpc: { port: 9545 } })
 * await node.start()
 * await node.produceBlock()
 */
export class KeystoreNode implements Service<KeystoreNodeHealth> {
  readonly common: Common
  readonly vm: VM
  readonly mempool: Mempool
  readonly log: Logger
  readonly store: BlockStore
  readonly #p: KeystoreNodeParameters
  readonly #trieDb: TrieDb
  readonly #genesisTimestamp: bigint
  /** eth_call / estimateGas precompiles: L1SLOAD without a witness (nothing recorded). */
  readonly #callPrecompiles: NodePrecompile[]
  #head: StoredBlock
  #lock: Promise<unknown> = Promise.resolve()
  /** Serializes admissions (among themselves only: they run beside block production). */
  #admitLock: Promise<unknown> = Promise.resolve()
  /** A read-only view of the head state for admission, replaced when the head moves. */
  #headView: { block: StoredBlock; sm: Promise<MerkleStateManager> } | undefined
  #timer: NodeJS.Timeout | undefined
  #server: Server | undefined
  #rpcUrl: string | undefined
  #status: ServiceHealth['status'] = 'starting'
  #lastError: string | undefined
  #ackBatch: { ops: KvOp[]; promise: Promise<void> } | undefined
  #ackWriter: Promise<void> = Promise.resolve()
  #closed = false
  /** Decodes batch transactions without a Common copy each. */
  readonly #txCommon: Common
  /** What the block precompile sees of the block being built: its witness, the dry-run collector. */
  readonly #l1sload: L1SloadBlockState
  /** The live L1SLOAD precompile (prefetching); undefined in replay mode or without L1SLOAD. */
  readonly #l1sloadLive: CreateL1SloadPrecompileReturnType | undefined
  #safeHead = 0n
  /** Transactions executed since the executing state's caches were last emptied. */
  #txsSinceCacheClear = 0
  #finalizedHead = 0n

  private constructor(
    p: KeystoreNodeParameters,
    parts: {
      common: Common
      vm: VM
      store: BlockStore
      trieDb: TrieDb
      head: StoredBlock
      genesis: StoredBlock
      l1sload: L1SloadBlockState
      l1sloadLive: CreateL1SloadPrecompileReturnType | undefined
    },
  ) {
    this.#txCommon = sharedTxCommon(parts.common)
    this.#l1sload = parts.l1sload
    this.#l1sloadLive = parts.l1sloadLive
    this.#p = p
    this.common = parts.common
    this.vm = parts.vm
    this.store = parts.store
    this.#trieDb = parts.trieDb
    this.#head = parts.head
    this.#genesisTimestamp = parts.genesis.header.timestamp
    this.log = (p.logger ?? silentLogger).child({ service: 'node' })
    this.#callPrecompiles = [
      ...(p.precompiles ?? []),
      ...(p.l1sload ? [makeL1Sload(p.l1sload, { witness: undefined, collect: undefined }).precompile] : []),
    ]
    this.mempool = new Mempool({
      common: parts.common,
      allowedRecipients: p.allowedRecipients,
      maxTxBytes: p.maxTxBytes ?? 128 * 1024,
      blockGasLimit: this.blockGasLimit,
    })
  }

  /**
   * Opens the chain: creates genesis from `parameters.alloc` in an empty store, or resumes a stored
   * chain at its head (re-admitting the pool journal).
   * @throws {KeystoreNodeError} when the data directory holds another chain (genesis mismatch).
   */
  static async create(parameters: KeystoreNodeParameters): Promise<KeystoreNode> {
    const common = fastEipLookup(
      createKeystoreCommon({
        ...(parameters.chainId ? { chainId: parameters.chainId } : {}),
        customCrypto: parameters.customCrypto ?? fastCrypto(),
      }),
    )
    await installSyncSteps()
    let kv: Kv
    if (parameters.dataDir) {
      mkdirSync(parameters.dataDir, { recursive: true })
      kv = await LevelKv.open(parameters.dataDir)
    } else kv = new MemoryKv()
    const trieDb = new TrieDb(kv, { cacheSize: parameters.cache?.trieNodes })
    const store = new BlockStore(kv, common, {
      decodeDeposit: decodeStoredDeposit,
      cacheBlocks: parameters.cache?.blocks,
      cacheTxs: parameters.cache?.blockTxs,
    })
    try {
      const trie = await createMPT({
        db: trieDb,
        useKeyHashing: true,
        valueEncoding: ValueEncoding.Bytes,
        common,
      })
      const sm = new MerkleStateManager({ common, trie, caches: new Caches() })
      const l1sloadState: L1SloadBlockState = { witness: undefined, collect: undefined }
      const l1sload = parameters.l1sload
        ? makeL1Sload(parameters.l1sload, l1sloadState, l1SloadCacheSize(parameters))
        : undefined
      const blockPrecompiles = [...(parameters.precompiles ?? []), ...(l1sload ? [l1sload.precompile] : [])]
      const vm = await KeystoreNode.#makeVm(common, sm, blockPrecompiles)
      const allocRoot = await applyGenesisAlloc(sm, parameters.alloc)
      const stored = await store.getBlockByNumber(0n)
      let genesis: StoredBlock
      let head: StoredBlock
      if (stored) {
        trieDb.discard() // the alloc's nodes are on disk already (or the check below fails)
        if (bytesToHex(stored.header.stateRoot) !== bytesToHex(allocRoot))
          throw new KeystoreNodeError(
            `the data directory ${parameters.dataDir} holds another chain: its genesis state root is ` +
              `${bytesToHex(stored.header.stateRoot)}, the configured alloc gives ${bytesToHex(allocRoot)}`,
          )
        const headNumber = (await store.headNumber()) ?? 0n
        genesis = stored
        head = (await store.getBlockByNumber(headNumber)) ?? stored
        await sm.setStateRoot(head.header.stateRoot)
      } else {
        const header = createBlockHeader(
          {
            number: 0n,
            gasLimit: parameters.blockGasLimit ?? 30_000_000n,
            timestamp: parameters.genesisTimestamp ?? BigInt(Math.floor(Date.now() / 1000)),
            stateRoot: allocRoot,
            baseFeePerGas: parameters.initialBaseFee ?? 1_000_000_000n,
            withdrawalsRoot: EMPTY_TRIE_ROOT,
          },
          { common },
        )
        genesis = {
          header,
          hash: bytesToHex(header.hash()) as Hex,
          number: 0n,
          txs: [],
          receipts: [],
          size: createBlock({ header, withdrawals: [] }, { common }).serialize().length,
          extra: encodeBlockExtra(parameters.genesisExtra ?? new Uint8Array(), []),
        }
        await store.commitBlock(genesis, trieDb.drain())
        head = genesis
      }
      const node = new KeystoreNode(parameters, {
        common,
        vm,
        store,
        trieDb,
        head,
        genesis,
        l1sload: l1sloadState,
        l1sloadLive: l1sload?.live,
      })
      await node.#readmitJournal()
      return node
    } catch (error) {
      await store.close().catch(() => {})
      throw error
    }
  }

  static async #makeVm(
    common: Common,
    stateManager: MerkleStateManager,
    precompiles?: NodePrecompile[],
  ): Promise<VM> {
    return createVM({
      common,
      stateManager,
      ...(precompiles?.length ? { evmOpts: { customPrecompiles: precompiles } } : {}),
    })
  }

  /** Puts the stored pool journal back into the mempool; entries no longer valid are dropped. */
  async #readmitJournal(): Promise<void> {
    const entries = await this.store.loadPool()
    if (entries.length === 0) return
    const sm = await this.stateAt(this.#head)
    const stale: KvOp[] = []
    let readmitted = 0
    for (const { key, raw } of entries) {
      try {
        const entry = await this.mempool.add(
          raw,
          { getAccount: async (a) => (await sm.getAccount(a)) ?? { nonce: 0n, balance: 0n } },
          this.nextBaseFee,
        )
        entry.journalKey = key
        entry.durable = true
        readmitted++
      } catch (error) {
        stale.push(BlockStore.poolDel(key))
        this.log.warn('journal tx not readmitted', { key, error: (error as Error).message })
      }
    }
    await this.store.kv.write(stale, true)
    this.log.info('pool journal readmitted', { readmitted, dropped: stale.length })
  }

  get chainId(): bigint {
    return this.common.chainId()
  }
  get blockGasLimit(): bigint {
    return this.#p.blockGasLimit ?? 30_000_000n
  }
  get priorityFee(): bigint {
    return this.#p.priorityFee ?? 1_000_000n
  }
  get rpcUrl(): string | undefined {
    return this.#rpcUrl
  }
  get head(): StoredBlock {
    return this.#head
  }
  /** The L1SLOAD witness of the block being built, if any. */
  get currentWitness(): L1SloadWitness | undefined {
    return this.#l1sload.witness
  }
  /** Seconds per block. */
  get blockTime(): number {
    return this.#p.blockTime ?? 1
  }
  get genesisTimestamp(): bigint {
    return this.#genesisTimestamp
  }
  /** Timestamp of block `number`: genesisTimestamp + number × blockTime. */
  timestampOf(number: bigint): bigint {
    return this.#genesisTimestamp + number * BigInt(this.blockTime)
  }
  /** Highest block whose data is on L1 (set by the batcher); `safe` in JSON-RPC. */
  get safeHead(): bigint {
    return this.#safeHead
  }
  /** Highest block whose data is on a finalized L1 block; `finalized` in JSON-RPC. */
  get finalizedHead(): bigint {
    return this.#finalizedHead
  }
  /** Moves the safe/finalized heads (the batcher's view of L1); never past the head or backwards. */
  setSafeHeads(heads: { safe?: bigint | undefined; finalized?: bigint | undefined }): void {
    const clamp = (n: bigint) => (n > this.#head.number ? this.#head.number : n)
    if (heads.safe !== undefined && clamp(heads.safe) > this.#safeHead) this.#safeHead = clamp(heads.safe)
    if (heads.finalized !== undefined && clamp(heads.finalized) > this.#finalizedHead)
      this.#finalizedHead = clamp(heads.finalized)
    if (this.#finalizedHead > this.#safeHead) this.#safeHead = this.#finalizedHead
  }
  /** Base fee of the next block. */
  get nextBaseFee(): bigint {
    return this.#head.header.calcNextBaseFee()
  }

  async start(): Promise<void> {
    if (this.#p.rpc) {
      const { server, url } = await startRpcServer(this, this.#p.rpc)
      this.#server = server
      this.#rpcUrl = url
    }
    if (this.#p.produceBlocks) this.#schedule()
    this.#status = 'ok'
    this.log.info('started', {
      chainId: this.chainId,
      head: this.#head.number,
      rpc: this.#rpcUrl,
      blockTime: this.blockTime,
      producing: this.#p.produceBlocks ?? false,
    })
  }

  /** Produces every slot that is due (catching up after downtime), then waits for the next one. */
  #schedule(failures = 0): void {
    const next = this.timestampOf(this.#head.number + 1n)
    // After a failure (L1 down…) back off instead of retrying an overdue slot in a hot loop.
    const backoff = failures > 0 ? Math.min(250 * 2 ** (failures - 1), 10_000) : 0
    const delay = Math.max(backoff, Number(next) * 1000 - Date.now())
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      let failed = false
      this.produceBlock()
        .catch((error: Error) => {
          failed = true
          this.#lastError = error.message
          this.log.error('block production failed', {
            error: error.message.split('\n')[0],
            failures: failures + 1,
          })
        })
        .finally(() => {
          if (!this.#closed && this.#status !== 'stopped') this.#schedule(failed ? failures + 1 : 0)
        })
    }, delay)
  }

  async stop(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#lock.catch(() => {})
    await this.#admitLock.catch(() => {})
    await this.#ackWriter
    const server = this.#server
    this.#server = undefined
    if (server) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    await this.store.close()
    this.#status = 'stopped'
    this.log.info('stopped', { head: this.#head.number })
  }

  health(): KeystoreNodeHealth {
    // Producing, but the next slot is overdue (L1 down, a failing deposit…): say so.
    const overdueMs =
      Date.now() - Number(this.timestampOf(this.#head.number + 1n)) * 1000 - (this.#p.planTimeoutMs ?? 10_000)
    const stalled = this.#p.produceBlocks && this.#status === 'ok' && overdueMs > 3 * this.blockTime * 1000
    return {
      status: stalled ? 'degraded' : this.#status,
      head: this.#head.number,
      pending: this.mempool.size,
      rpcUrl: this.#rpcUrl,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    }
  }

  /** Serializes block production and application. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new KeystoreNodeError('the node is stopped'))
    const run = this.#lock.then(fn, fn)
    this.#lock = run.catch(() => {})
    return run
  }

  /**
   * Serializes admissions. They do not wait for a block being built: they read the head state
   * (a view replaced when the head moves) and the pool, which the block producer changes only
   * together, in one synchronous step after its commit (see `MempoolStateReader.version`); the
   * block takes a snapshot of the durable pool entries when it starts.
   */
  #admit<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new KeystoreNodeError('the node is stopped'))
    const run = this.#admitLock.then(fn, fn)
    this.#admitLock = run.catch(() => {})
    return run
  }

  /** The head state for admission (one view per head, with its own caches). */
  #headState(): Promise<MerkleStateManager> {
    const head = this.#head
    if (this.#headView?.block !== head) this.#headView = { block: head, sm: this.stateAt(head) }
    return this.#headView.sm
  }

  /** What the mempool reads: accounts at the head, versioned by the head block. */
  readonly #headReader = {
    getAccount: async (a: Address) =>
      (await (await this.#headState()).getAccount(a)) ?? { nonce: 0n, balance: 0n },
    version: () => this.#head,
  }

  /**
   * Journals `op` durably (synced). Submissions that arrive while a write is in flight share the
   * next write: one fsync per group, not per transaction.
   */
  #journal(op: KvOp): Promise<void> {
    if (!this.#ackBatch) {
      const ops: KvOp[] = []
      const batch = {
        ops,
        promise: this.#ackWriter.then(() => {
          if (this.#ackBatch === batch) this.#ackBatch = undefined
          return this.store.kv.write(ops, true)
        }),
      }
      this.#ackBatch = batch
      this.#ackWriter = batch.promise.catch(() => {})
    }
    this.#ackBatch.ops.push(op)
    return this.#ackBatch.promise
  }

  /**
   * Validates and pools a raw signed transaction. Resolves with the hash once the transaction is
   * durable: a crash after this point cannot lose it.
   * @returns the tx hash. @throws {KeystoreTxRejectedError}
   */
  async sendRawTransaction(raw: Uint8Array): Promise<Hex> {
    const entry = await this.#admit(async () => {
      const e = await this.mempool.add(raw, this.#headReader, this.nextBaseFee)
      const { key, op } = this.store.poolPut(raw)
      e.journalKey = key
      return { e, op }
    })
    try {
      await this.#journal(entry.op)
      entry.e.durable = true
    } catch (error) {
      this.mempool.remove([entry.e.hash])
      this.#lastError = (error as Error).message
      throw new JsonRpcError(
        -32000,
        `transaction not accepted: could not persist it (${(error as Error).message})`,
      )
    }
    this.log.debug('tx accepted', { hash: entry.e.hash, from: entry.e.sender, nonce: entry.e.tx.nonce })
    return entry.e.hash
  }

  /**
   * Builds, executes and commits the next block (possibly empty): the deposits of the block plan
   * (L1 attributes first), then the pool. Own assembly around `runTx` (no `buildBlock`, whose
   * per-tx block rebuild is quadratic): one pass over the pooled txs, one state-root computation
   * at the end. A pool tx that fails to execute (e.g. its fee fell below the base fee, or L1SLOAD
   * could not prove an answer) is dropped from the pool and logged. If a deposit cannot execute
   * (L1 unreachable), nothing is committed and the slot is retried.
   */
  async produceBlock(): Promise<StoredBlock> {
    return this.#exclusive(async () => {
      // Pool deletions in the block batch must land after the journal writes of those txs.
      await this.#ackWriter
      const number = this.#head.number + 1n
      let plan: BlockPlan = { deposits: [], extra: new Uint8Array() }
      if (this.#p.planBlock)
        try {
          // A hanging L1 RPC must not hold the node's lock (admission waits on it): time out.
          plan = await withTimeout(
            this.#p.planBlock({ number, timestamp: this.timestampOf(number), parent: this.#head }),
            this.#p.planTimeoutMs ?? 10_000,
            `planning block ${number} (L1 RPC) timed out`,
          )
        } catch (error) {
          this.#lastError = (error as Error).message
          throw error
        }
      return this.#build(plan, 'pool')
    })
  }

  /**
   * Verifier/replay: executes the next block from `plan` and the given signed `txs` (from a batch),
   * all of which must execute, and commits it. L1SLOAD answers come from `plan.witness`.
   * @throws when a transaction cannot be decoded or executed: nothing is committed.
   */
  async applyBlock(plan: BlockPlan & { txs: Uint8Array[] }): Promise<StoredBlock> {
    return this.#exclusive(() => this.#build(plan, plan.txs))
  }

  async #build(plan: BlockPlan, source: 'pool' | Uint8Array[]): Promise<StoredBlock> {
    const parent = this.#head
    const number = parent.number + 1n
    const baseFee = parent.header.calcNextBaseFee()
    const headerBase = {
      parentHash: hexToBytes(parent.hash),
      number,
      timestamp: this.timestampOf(number),
      gasLimit: this.blockGasLimit,
      baseFeePerGas: baseFee,
      coinbase: this.#p.feeRecipient ?? '0x4200000000000000000000000000000000000011',
      mixHash: PREVRANDAO,
      withdrawalsRoot: EMPTY_TRIE_ROOT,
    }
    const context = createBlock({ header: headerBase, withdrawals: [] }, { common: this.common })
    const sm = this.vm.stateManager as MerkleStateManager
    if (this.#p.l1sload?.mode === 'replay') this.#l1sload.witness = plan.witness ?? new L1SloadWitness()
    else this.#l1sload.witness = this.#p.l1sload ? new L1SloadWitness() : undefined
    const txs: NodeTx[] = []
    const receipts: StoredReceipt[] = []
    const encodedReceipts: Uint8Array[] = []
    const included: PendingTx[] = []
    const dropped: PendingTx[] = []
    let gasUsed = 0n
    let logIndex = 0
    const logsOf = (logs: [Uint8Array, Uint8Array[], Uint8Array][]) =>
      logs.map(([address, topics, data]) => ({
        address: bytesToHex(address) as Hex,
        topics: topics.map((t) => bytesToHex(t) as Hex),
        data: bytesToHex(data) as Hex,
        logIndex: logIndex++,
      }))
    try {
      for (const deposit of plan.deposits) {
        const r = await executeDeposit(this.vm, deposit, context, gasUsed)
        gasUsed = r.receipt.cumulativeGasUsed
        const index = txs.length
        txs.push(depositNodeTx(deposit, r.hash, r.receipt.depositNonce))
        encodedReceipts.push(r.encodedReceipt)
        receipts.push({
          txHash: r.hash,
          index,
          type: DEPOSIT_TX_TYPE,
          from: deposit.from.toLowerCase() as Hex,
          to: (deposit.to?.toLowerCase() as Hex | undefined) ?? null,
          status: r.receipt.status,
          gasUsed: r.receipt.gasUsed,
          cumulativeGasUsed: r.receipt.cumulativeGasUsed,
          effectiveGasPrice: 0n,
          logsBloom: bytesToHex(r.receipt.bloom) as Hex,
          logs: logsOf(r.receipt.logs),
          depositNonce: r.receipt.depositNonce,
          depositReceiptVersion: 1n,
          ...(r.receipt.contractAddress ? { contractAddress: r.receipt.contractAddress } : {}),
        })
      }
      // Pool: the durable entries as of now (admissions go on during the build; see #admit).
      const candidates: PendingTx[] =
        source === 'pool'
          ? this.mempool.list().filter((e) => e.durable)
          : source.map((raw) => this.#decodeSigned(raw))
      const max = this.#p.maxTxsPerBlock ?? 5000
      if (source === 'pool' && this.#l1sloadLive && candidates.length > 0)
        await this.#prefetchL1Sload(candidates.slice(0, max), context)
      // One state-trie flush per block instead of one per transaction: an outer checkpoint keeps
      // the transactions' writes in the state caches until the block's end (the accounts every
      // update touches, like the messenger's, are written to the trie once). Each transaction
      // still sees EIP-2200 original values as of its own start (cleared after each below, as a
      // depth-0 commit would).
      await sm.checkpoint()
      let executed = 0
      for (const entry of candidates) {
        if (source === 'pool' && included.length >= max) break
        // Let the event loop serve requests now and then: the EVM's awaits are microtasks only, so
        // without this a big block would hold JSON-RPC (and acknowledgements) until it is done.
        if (++executed % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve))
        if (gasUsed + entry.tx.gasLimit > this.blockGasLimit) {
          if (source === 'pool') continue
          throw new KeystoreNodeError(`transaction ${entry.hash} does not fit in block ${number}`)
        }
        const depth = checkpointDepth(sm)
        let result: RunTxResult
        try {
          result = await runTx(this.vm, {
            tx: entry.tx,
            block: context,
            blockGasUsed: gasUsed,
            skipHardForkValidation: true,
          })
        } catch (error) {
          // An exception thrown from inside the EVM (L1SLOAD that cannot prove its answer, behind a
          // CALL) leaves the inner frames' checkpoints open: runTx reverts only one. Unwind the
          // journal to where this transaction started, so a dropped transaction leaves no trace
          // (nonce, fee, storage) in the block's state.
          while (checkpointDepth(sm) > depth) await this.vm.evm.journal.revert()
          sm.originalStorageCache.clear()
          if (source !== 'pool')
            throw new KeystoreNodeError(`transaction ${entry.hash} of block ${number} cannot execute`, {
              cause: error,
            })
          dropped.push(entry)
          this.log.warn('tx dropped', { hash: entry.hash, error: (error as Error).message.split('\n')[0] })
          continue
        }
        sm.originalStorageCache.clear()
        gasUsed += result.totalGasSpent
        included.push(entry)
        const index = txs.length
        txs.push({ kind: 'signed', tx: entry.tx, hash: entry.hash, from: entry.sender, raw: entry.raw })
        encodedReceipts.push(encodeReceipt(result.receipt, entry.tx.type))
        receipts.push({
          txHash: entry.hash,
          index,
          type: entry.tx.type,
          from: entry.sender,
          to: (entry.tx.to?.toString() as Hex | undefined) ?? null,
          status: 'status' in result.receipt ? ((result.receipt.status as number) === 1 ? 1 : 0) : 1,
          gasUsed: result.totalGasSpent,
          cumulativeGasUsed: result.receipt.cumulativeBlockGasUsed,
          effectiveGasPrice: baseFee + entry.tx.getEffectivePriorityFee(baseFee),
          logsBloom: bytesToHex(result.bloom.bitvector) as Hex,
          logs: logsOf(result.receipt.logs),
        })
      }
      await sm.commit()
      const stateRoot = await sm.getStateRoot()
      const bloom = new Bloom()
      for (const r of receipts) bloom.or(new Bloom(hexToBytes(r.logsBloom)))
      const transactionsTrie = orderedTrieRoot(txs.map((t) => t.raw))
      const receiptTrie = orderedTrieRoot(encodedReceipts)
      const header = createBlockHeader(
        {
          ...headerBase,
          stateRoot,
          gasUsed,
          transactionsTrie,
          receiptTrie,
          logsBloom: bloom.bitvector,
        },
        { common: this.common },
      )
      const extra = encodeBlockExtra(plan.extra, this.#l1sload.witness?.entries() ?? [])
      const stored: StoredBlock = {
        header,
        hash: bytesToHex(header.hash()) as Hex,
        number,
        txs,
        receipts,
        size: blockSize(header, txs),
        extra,
      }
      const poolDeletes = [...included, ...dropped].flatMap((e) =>
        e.journalKey ? [BlockStore.poolDel(e.journalKey)] : [],
      )
      await this.store.commitBlock(stored, [...this.#trieDb.drain(), ...poolDeletes])

      this.#head = stored
      this.mempool.remove([...included, ...dropped].map((e) => e.hash))
      this.#txsSinceCacheClear += txs.length
      if (this.#txsSinceCacheClear >= (this.#p.cache?.stateTxs ?? 10_000)) {
        // Everything is in the trie (flushed for the state root): only re-reads are lost.
        sm.clearCaches()
        this.#txsSinceCacheClear = 0
      }
      this.log.info('block produced', {
        number,
        hash: stored.hash,
        txs: txs.length,
        deposits: plan.deposits.length,
        gasUsed,
        dropped: dropped.length,
      })
      return stored
    } catch (error) {
      // Nothing was committed: back to the parent's state (nodes written since are unreachable).
      while (checkpointDepth(sm) > 0) await this.vm.evm.journal.revert()
      this.vm.evm.journal.cleanJournal()
      this.#trieDb.discard()
      await sm.setStateRoot(parent.header.stateRoot)
      this.#lastError = (error as Error).message
      throw error
    } finally {
      this.#l1sload.witness = undefined
    }
  }

  /**
   * Proves, ahead of execution, the L1 storage the block's pool transactions will read with
   * L1SLOAD: a dry run of each transaction's call (on a checkpoint, reverted: no state, nonce,
   * fee or witness trace) stops at its first L1SLOAD and collects the keys; then ONE
   * `eth_getProof` per L1 address (and chunk of keys) proves them all against the origin's state
   * root into the precompile's cache. Execution then serves them without a round trip per
   * transaction. Only a hint: a key the dry run did not see (a later or dependent L1SLOAD), or a
   * prefetch that failed, is fetched during execution as before, with the same result.
   */
  async #prefetchL1Sload(candidates: PendingTx[], block: ReturnType<typeof createBlock>): Promise<void> {
    const live = this.#l1sloadLive
    if (!live) return
    const sm = this.vm.stateManager as MerkleStateManager
    const journal = this.vm.evm.journal
    const wanted = new Map<string, { origin: L1Origin; address: Hex; keys: Set<Hex> }>()
    let count = 0
    const budget = Math.floor(l1SloadCacheSize(this.#p) / 2)
    this.#l1sload.collect = (origin, address, keys) => {
      const id = `${origin.number}:${address}`
      let group = wanted.get(id)
      if (!group) {
        group = { origin, address, keys: new Set() }
        wanted.set(id, group)
      }
      for (const key of keys)
        if (!group.keys.has(key) && !live.isCached(origin, address, key) && count < budget) {
          group.keys.add(key)
          count++
        }
    }
    const started = performance.now()
    const predict = this.#p.l1sload?.mode === 'live' ? this.#p.l1sload.predictReads : undefined
    const origin = predict ? await this.#readOrigin(sm) : undefined
    let dryRuns = 0
    try {
      for (const entry of candidates) {
        if (count >= budget) break
        const tx = entry.tx
        if (!tx.to) continue
        const predicted =
          origin && predict?.({ from: entry.sender, to: tx.to.toString() as Hex, data: tx.data })
        if (predicted) {
          for (const read of predicted)
            this.#l1sload.collect(
              origin,
              read.address.toLowerCase() as Hex,
              read.keys.map((k) => k.toLowerCase() as Hex),
            )
          continue
        }
        dryRuns++
        const intrinsic = tx.getIntrinsicGas()
        if (tx.gasLimit <= intrinsic) continue
        const depth = checkpointDepth(sm)
        await journal.checkpoint()
        try {
          const caller = new Address(hexToBytes(entry.sender))
          await this.vm.evm.runCall({
            caller,
            origin: caller,
            to: tx.to,
            data: tx.data,
            value: tx.value,
            gasLimit: tx.gasLimit - intrinsic,
            block,
            skipBalance: true,
            skipNonceIncrement: true,
          })
        } catch {
          // Whatever the dry run hits (e.g. another precompile throwing), the real run decides.
        }
        while (checkpointDepth(sm) > depth) await journal.revert()
      }
    } finally {
      this.#l1sload.collect = undefined
      journal.cleanJournal()
    }
    const fetches: Promise<void>[] = []
    for (const group of wanted.values()) {
      const keys = [...group.keys]
      for (let i = 0; i < keys.length; i += PREFETCH_CHUNK)
        fetches.push(
          live
            .prefetch(group.origin, group.address, keys.slice(i, i + PREFETCH_CHUNK))
            .catch((error: Error) => {
              this.log.warn('L1SLOAD prefetch failed (fetched per call instead)', {
                address: group.address,
                l1Block: group.origin.number,
                error: error.message.split('\n')[0],
              })
            }),
        )
    }
    await Promise.all(fetches)
    if (count > 0)
      this.log.debug('L1SLOAD prefetched', {
        txs: candidates.length,
        dryRuns,
        keys: count,
        ms: Math.round(performance.now() - started),
      })
  }

  /** The L1 origin L1SLOAD reads at in `sm` (the latest header in L1Blocks), if any. */
  async #readOrigin(sm: MerkleStateManager): Promise<L1Origin | undefined> {
    const config = this.#p.l1sload
    return config ? readL1BlocksLatest(sm, config.l1Blocks, config.ringSize) : undefined
  }

  /** A batch transaction for replay: decoded and signature-checked, not pooled. */
  #decodeSigned(raw: Uint8Array): PendingTx {
    let tx: TypedTransaction
    try {
      tx = createTxFromRLP(raw, { common: this.#txCommon })
      if (tx.type > 2) throw new Error(`transaction type ${tx.type} is not accepted`)
      if (!tx.isSigned() || !tx.verifySignature()) throw new Error('signature does not verify')
    } catch (error) {
      throw new KeystoreNodeError(`a batch transaction is invalid: ${(error as Error).message}`, {
        input: bytesToHex(raw),
      })
    }
    return { tx, hash: bytesToHex(tx.hash()) as Hex, sender: tx.getSenderAddress().toString() as Hex, raw }
  }

  async getBlockByNumber(number: bigint): Promise<StoredBlock | undefined> {
    if (number > this.#head.number) return undefined
    if (number === this.#head.number) return this.#head
    return this.store.getBlockByNumber(number)
  }
  async getBlockByHash(hash: Hex): Promise<StoredBlock | undefined> {
    return this.store.getBlockByHash(hash)
  }
  async getTransaction(hash: Hex): Promise<{ block: StoredBlock; index: number } | undefined> {
    const location = await this.store.getTxLocation(hash)
    if (!location || location.number > this.#head.number) return undefined
    const block = await this.getBlockByNumber(location.number)
    return block ? { block, index: location.index } : undefined
  }

  /** A read-only state view at `block`'s state root (shares the trie database, own caches). */
  async stateAt(block: StoredBlock): Promise<MerkleStateManager> {
    const sm = (this.vm.stateManager as MerkleStateManager).shallowCopy(false)
    await sm.setStateRoot(block.header.stateRoot)
    return sm
  }

  /**
   * Executes a message call against `block`'s state without committing (eth_call / estimateGas).
   * @throws {JsonRpcError} code 3 with the revert data when the call reverts.
   */
  async call(
    request: { from?: Hex; to?: Hex; data?: Hex; value?: bigint; gas?: bigint },
    block: StoredBlock,
  ): Promise<{ returnValue: Hex; gasUsed: bigint }> {
    const sm = await this.stateAt(block)
    const vm = await KeystoreNode.#makeVm(this.common, sm, this.#callPrecompiles)
    const gasLimit = request.gas ?? this.blockGasLimit
    const intrinsic = this.#intrinsicGas(request)
    if (gasLimit < intrinsic)
      throw new JsonRpcError(-32000, `intrinsic gas too low: ${gasLimit} < ${intrinsic}`)
    const result = await vm.evm.runCall({
      caller: request.from ? new Address(hexToBytes(request.from)) : ZERO_ADDRESS,
      origin: request.from ? new Address(hexToBytes(request.from)) : ZERO_ADDRESS,
      ...(request.to ? { to: new Address(hexToBytes(request.to)) } : {}),
      data: hexToBytes(request.data ?? '0x'),
      value: request.value ?? 0n,
      gasLimit: gasLimit - intrinsic,
      block: createBlock({ header: block.header, withdrawals: [] }, { common: this.common }),
      skipBalance: true,
    })
    const returnValue = bytesToHex(result.execResult.returnValue) as Hex
    const error = result.execResult.exceptionError
    if (error) {
      if (error.error === 'revert') throw new JsonRpcError(3, 'execution reverted', returnValue)
      throw new JsonRpcError(-32000, `execution failed: ${error.error}`)
    }
    return { returnValue, gasUsed: intrinsic + result.execResult.executionGasUsed }
  }

  /** Smallest gas limit at which the call succeeds (binary search over `call`). */
  async estimateGas(
    request: { from?: Hex; to?: Hex; data?: Hex; value?: bigint },
    block: StoredBlock,
  ): Promise<bigint> {
    const { gasUsed } = await this.call({ ...request, gas: this.blockGasLimit }, block)
    const ok = async (gas: bigint) => {
      try {
        await this.call({ ...request, gas }, block)
        return true
      } catch {
        return false
      }
    }
    if (await ok(gasUsed)) return gasUsed
    let lo = gasUsed
    let hi = this.blockGasLimit
    while (hi - lo > 1n + lo / 1000n) {
      const mid = (lo + hi) / 2n
      if (await ok(mid)) hi = mid
      else lo = mid
    }
    return hi
  }

  #intrinsicGas(request: { to?: Hex; data?: Hex }): bigint {
    return createFeeMarket1559Tx(
      { ...(request.to ? { to: request.to } : {}), data: request.data ?? '0x', gasLimit: 0n },
      { common: this.common },
    ).getIntrinsicGas()
  }
}

/**
 * How many state checkpoints are open. @ethereumjs/statemanager keeps the count in
 * `_checkpointCount` (not part of its typed API; pinned by the exact dependency version and
 * covered by the "dropped transaction leaves no trace" test).
 */
function checkpointDepth(sm: MerkleStateManager): number {
  return (sm as unknown as { _checkpointCount: number })._checkpointCount
}

/** keccak256(rlp("")), the root of an empty trie (withdrawals root of every block: there are none). */
const EMPTY_TRIE_ROOT = hexToBytes('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421')

/** Length of the block's canonical encoding: rlp([header, txs, uncles, withdrawals]). */
function blockSize(header: BlockHeader, txs: NodeTx[]): number {
  return RLP.encode([
    header.raw(),
    txs.map((t) => ((t.raw[0] as number) < 0x7f ? t.raw : RLP.decode(t.raw))),
    [],
    [],
  ] as never).length
}

/**
 * What the block precompile reads of the block being built: the witness it records into (live)
 * or answers from (replay), and, during the prefetch dry run, the collector of the keys read.
 */
type L1SloadBlockState = {
  witness: L1SloadWitness | undefined
  collect: ((origin: L1Origin, address: Hex, keys: Hex[]) => void) | undefined
}

/**
 * The precompile's answer in a dry run: it notes the keys and reverts (keeping the gas), so the
 * call unwinds through ordinary EVM semantics (every checkpoint closed) and code that survives a
 * failed L1SLOAD goes on to show its further reads.
 */
const DRY_RUN_REVERT = (): ExecResult => ({
  returnValue: new Uint8Array(0),
  executionGasUsed: 0n,
  exceptionError: new EVMError(EVMError.errorMessages.REVERT),
})

/** Transactions executed between two yields to the event loop while building a block. */
const YIELD_EVERY = 64

/** Keys per prefetch `eth_getProof` (the node's own eth_getProof serves up to 1000). */
const PREFETCH_CHUNK = 1000

/** Verified L1 values the live precompile keeps: room for two full blocks' prefetches. */
function l1SloadCacheSize(p: KeystoreNodeParameters): number {
  return Math.max(4096, 8 * (p.maxTxsPerBlock ?? 5000))
}

/** The L1SLOAD precompile for `config`, recording into / answering from `state.witness`. */
function makeL1Sload(
  config: NodeL1Sload,
  state: L1SloadBlockState,
  cacheSize?: number,
): { precompile: L1SloadPrecompile; live: CreateL1SloadPrecompileReturnType | undefined } {
  const getL1Origin = async (input: { _EVM: { stateManager: unknown } }) => {
    const origin = await readL1BlocksLatest(
      input._EVM.stateManager as MerkleStateManager,
      config.l1Blocks,
      config.ringSize,
    )
    if (!origin)
      throw new L1SloadUnavailableError({
        reason: 'L1Blocks holds no L1 header yet',
        l1BlockNumber: 0n,
        address: config.l1Blocks,
        keys: [],
      })
    return origin
  }
  // The witness of the block being built changes per block: forward to it.
  const forwarding = new (class extends L1SloadWitness {
    override record(entry: L1SloadWitnessEntry): void {
      state.witness?.record(entry)
    }
    override get(l1BlockNumber: bigint, address: Hex, key: Hex): Hex | undefined {
      return state.witness?.get(l1BlockNumber, address, key)
    }
  })()
  if (config.mode === 'replay')
    return {
      precompile: createReplayL1Sload({ witness: forwarding, getL1Origin: getL1Origin as never }),
      live: undefined,
    }
  const live = createL1SloadPrecompile({
    l1Client: config.l1Client,
    getL1Origin: getL1Origin as never,
    witness: forwarding,
    ...(cacheSize ? { cacheSize } : {}),
  })
  const precompile: L1SloadPrecompile = {
    address: live.address,
    function: async (input) => {
      const collect = state.collect
      if (!collect) return live.function(input)
      // Dry run: note what the call would read (a call that could not pay reads nothing).
      const parsed = parseL1SloadInput(input.data)
      if (parsed && input.gasLimit >= l1SloadGas(parsed.keys.length)) {
        const origin = await readL1BlocksLatest(
          input._EVM.stateManager as MerkleStateManager,
          config.l1Blocks,
          config.ringSize,
        )
        if (origin) collect(origin, parsed.address, parsed.keys)
      }
      return DRY_RUN_REVERT()
    },
  }
  return { precompile, live }
}

/** A deposit as a block transaction (with its JSON-RPC fields). */
function depositNodeTx(deposit: DepositTx, hash: Hex, depositNonce: bigint): NodeTx {
  return {
    kind: 'deposit',
    hash,
    from: deposit.from.toLowerCase() as Hex,
    to: (deposit.to?.toLowerCase() as Hex | undefined) ?? null,
    raw: hexToBytes(encodeDepositTx(deposit)),
    rpc: formatDepositTransaction(deposit, { hash, depositNonce }),
  }
}

/** The block store's decoder for stored deposits. */
function decodeStoredDeposit(raw: Uint8Array, receipt: StoredReceipt): NodeTx {
  return depositNodeTx(decodeDepositTx(raw), receipt.txHash, receipt.depositNonce ?? 0n)
}

/** `promise`, or a rejection with `message` after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KeystoreNodeError(message)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}
