import type { Server } from 'node:http'
import { type Block, createBlock, genTransactionsTrieRoot } from '@ethereumjs/block'
import type { Common, CustomCrypto } from '@ethereumjs/common'
import type { AddPrecompile } from '@ethereumjs/evm'
import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx'
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { Bloom, createVM, encodeReceipt, type RunTxResult, runTx, type VM } from '@ethereumjs/vm'
import type { Hex } from 'viem'
import { type Logger, silentLogger } from '../shared/logger.js'
import type { Service, ServiceHealth } from '../shared/service.js'
import { applyGenesisAlloc, createKeystoreCommon, type GenesisAlloc } from './chain.js'
import { JsonRpcError } from './errors.js'
import { Mempool, type PendingTx } from './mempool.js'
import { startRpcServer } from './rpcServer.js'

/** A custom precompile as `createVM({ evmOpts: { customPrecompiles } })` takes it (e.g. L1SLOAD). */
export type NodePrecompile = AddPrecompile

export type KeystoreNodeParameters = {
  /** Genesis state: address → { code, storage, balance, nonce }. */
  alloc: GenesisAlloc
  /** `to` addresses the mempool accepts (the keystore predeploys). */
  allowedRecipients: readonly Hex[]
  chainId?: number | undefined
  precompiles?: NodePrecompile[] | undefined
  /** Interval block production; 0 (default) = only on `produceBlock()`. */
  blockTimeMs?: number | undefined
  /** Default 30,000,000. */
  blockGasLimit?: bigint | undefined
  /** Genesis base fee, wei. Default 1 gwei; later blocks follow EIP-1559. */
  initialBaseFee?: bigint | undefined
  /** Suggested priority fee (eth_maxPriorityFeePerGas). Default 1,000,000 wei (0.001 gwei). */
  priorityFee?: bigint | undefined
  /** Max raw transaction size, bytes. Default 128 KiB. */
  maxTxBytes?: number | undefined
  /** Max transactions per block. Default 1000. */
  maxTxsPerBlock?: number | undefined
  genesisTimestamp?: bigint | undefined
  feeRecipient?: Hex | undefined
  /** JSON-RPC HTTP server; omitted = no server (library use). */
  rpc?: { host?: string | undefined; port: number; maxBodyBytes?: number | undefined } | undefined
  customCrypto?: CustomCrypto | undefined
  logger?: Logger | undefined
}

export type StoredReceipt = {
  txHash: Hex
  index: number
  type: number
  from: Hex
  to: Hex | null
  status: 0 | 1
  gasUsed: bigint
  cumulativeGasUsed: bigint
  effectiveGasPrice: bigint
  logsBloom: Hex
  /** [address, topics, data] */
  logs: { address: Hex; topics: Hex[]; data: Hex; logIndex: number }[]
}

export type StoredBlock = {
  block: Block
  hash: Hex
  number: bigint
  txs: { tx: TypedTransaction; hash: Hex; from: Hex }[]
  receipts: StoredReceipt[]
}

export type KeystoreNodeHealth = ServiceHealth & {
  head: bigint
  pending: number
  rpcUrl: string | undefined
}

const PREVRANDAO = new Uint8Array(32)

/**
 * The keystore chain's node: an @ethereumjs/vm chain (Osaka rules, chain id 901), an action-specific
 * mempool, its own block assembly around `runTx`, and a JSON-RPC server. State, blocks and receipts
 * are IN MEMORY for now (a restart starts again from genesis).
 *
 * @example
 * const node = await KeystoreNode.create({ alloc, allowedRecipients: [L2_KEYSTORE], rpc: { port: 9545 } })
 * await node.start()
 * await node.produceBlock()
 */
export class KeystoreNode implements Service<KeystoreNodeHealth> {
  readonly common: Common
  readonly vm: VM
  readonly mempool: Mempool
  readonly log: Logger
  readonly #p: KeystoreNodeParameters
  readonly #blocks: StoredBlock[] = []
  readonly #byHash = new Map<Hex, StoredBlock>()
  readonly #txIndex = new Map<Hex, { block: StoredBlock; index: number }>()
  #lock: Promise<unknown> = Promise.resolve()
  #timer: NodeJS.Timeout | undefined
  #server: Server | undefined
  #rpcUrl: string | undefined
  #status: ServiceHealth['status'] = 'starting'
  #lastError: string | undefined

  private constructor(p: KeystoreNodeParameters, common: Common, vm: VM, genesis: StoredBlock) {
    this.#p = p
    this.common = common
    this.vm = vm
    this.log = (p.logger ?? silentLogger).child({ service: 'node' })
    this.#store(genesis)
    this.mempool = new Mempool({
      common,
      allowedRecipients: p.allowedRecipients,
      maxTxBytes: p.maxTxBytes ?? 128 * 1024,
      blockGasLimit: this.blockGasLimit,
    })
  }

  /** Builds the VM and the genesis block from `parameters.alloc`. */
  static async create(parameters: KeystoreNodeParameters): Promise<KeystoreNode> {
    const common = createKeystoreCommon({
      ...(parameters.chainId ? { chainId: parameters.chainId } : {}),
      ...(parameters.customCrypto ? { customCrypto: parameters.customCrypto } : {}),
    })
    const vm = await KeystoreNode.#makeVm(common, new MerkleStateManager({ common }), parameters.precompiles)
    const stateRoot = await applyGenesisAlloc(vm.stateManager as MerkleStateManager, parameters.alloc)
    const block = createBlock(
      {
        header: {
          number: 0n,
          gasLimit: parameters.blockGasLimit ?? 30_000_000n,
          timestamp: parameters.genesisTimestamp ?? 0n,
          stateRoot,
          baseFeePerGas: parameters.initialBaseFee ?? 1_000_000_000n,
        },
        withdrawals: [],
      },
      { common },
    )
    const genesis: StoredBlock = {
      block,
      hash: bytesToHex(block.hash()) as Hex,
      number: 0n,
      txs: [],
      receipts: [],
    }
    return new KeystoreNode(parameters, common, vm, genesis)
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
    return this.#blocks[this.#blocks.length - 1] as StoredBlock
  }
  /** Base fee of the next block. */
  get nextBaseFee(): bigint {
    return this.head.block.header.calcNextBaseFee()
  }

  async start(): Promise<void> {
    if (this.#p.rpc) {
      const { server, url } = await startRpcServer(this, this.#p.rpc)
      this.#server = server
      this.#rpcUrl = url
    }
    const interval = this.#p.blockTimeMs ?? 0
    if (interval > 0) {
      this.#timer = setInterval(() => {
        this.produceBlock().catch((error: Error) => {
          this.#lastError = error.message
          this.log.error('block production failed', { error })
        })
      }, interval)
    }
    this.#status = 'ok'
    this.log.info('started', {
      chainId: this.chainId,
      head: this.head.number,
      rpc: this.#rpcUrl,
      blockTimeMs: interval,
    })
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
    await this.#lock.catch(() => {})
    const server = this.#server
    this.#server = undefined
    if (server) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    this.#status = 'stopped'
    this.log.info('stopped', { head: this.head.number })
  }

  health(): KeystoreNodeHealth {
    return {
      status: this.#status,
      head: this.head.number,
      pending: this.mempool.size,
      rpcUrl: this.#rpcUrl,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    }
  }

  /** Serializes state-changing work (admission, block production). */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn)
    this.#lock = run.catch(() => {})
    return run
  }

  /**
   * Validates and pools a raw signed transaction.
   * @returns the tx hash. @throws {KeystoreTxRejectedError}
   */
  async sendRawTransaction(raw: Uint8Array): Promise<Hex> {
    return this.#exclusive(async () => {
      const sm = await this.stateAt(this.head)
      const entry = await this.mempool.add(
        raw,
        { getAccount: async (a) => (await sm.getAccount(a)) ?? { nonce: 0n, balance: 0n } },
        this.nextBaseFee,
      )
      this.log.debug('tx accepted', { hash: entry.hash, from: entry.sender, nonce: entry.tx.nonce })
      return entry.hash
    })
  }

  /**
   * Builds, executes and stores the next block from the mempool (possibly empty). Own assembly
   * around `runTx` (no `buildBlock`, whose per-tx block rebuild is quadratic): one pass over the
   * pooled txs, one state-root computation at the end. A tx that fails to execute (e.g. its fee
   * fell below the base fee) is dropped from the pool and logged.
   */
  async produceBlock(): Promise<StoredBlock> {
    return this.#exclusive(() => this.#produce())
  }

  async #produce(): Promise<StoredBlock> {
    const parent = this.head
    const number = parent.number + 1n
    const now = BigInt(Math.floor(Date.now() / 1000))
    const timestamp = now > parent.block.header.timestamp ? now : parent.block.header.timestamp + 1n
    const baseFee = parent.block.header.calcNextBaseFee()
    const headerBase = {
      parentHash: parent.block.hash(),
      number,
      timestamp,
      gasLimit: this.blockGasLimit,
      baseFeePerGas: baseFee,
      coinbase: this.#p.feeRecipient ?? '0x4200000000000000000000000000000000000011',
      mixHash: PREVRANDAO,
    }
    const context = createBlock({ header: headerBase, withdrawals: [] }, { common: this.common })
    const sm = this.vm.stateManager as MerkleStateManager
    const included: PendingTx[] = []
    const results: RunTxResult[] = []
    const dropped: Hex[] = []
    let gasUsed = 0n
    const max = this.#p.maxTxsPerBlock ?? 1000
    for (const entry of this.mempool.list()) {
      if (included.length >= max) break
      if (gasUsed + entry.tx.gasLimit > this.blockGasLimit) continue
      const depth = checkpointDepth(sm)
      try {
        const result = await runTx(this.vm, { tx: entry.tx, block: context, blockGasUsed: gasUsed })
        gasUsed += result.totalGasSpent
        included.push(entry)
        results.push(result)
      } catch (error) {
        // An exception thrown from inside the EVM (L1SLOAD that cannot prove its answer, behind a
        // CALL) leaves the inner frames' checkpoints open: runTx reverts only one. Unwind the
        // journal to where this transaction started, so a dropped transaction leaves no trace
        // (nonce, fee, storage) in the block's state.
        while (checkpointDepth(sm) > depth) await this.vm.evm.journal.revert()
        dropped.push(entry.hash)
        this.log.warn('tx dropped', { hash: entry.hash, error: (error as Error).message.split('\n')[0] })
      }
    }
    const stateRoot = await sm.getStateRoot()
    const receiptTrie = await createMPT()
    const bloom = new Bloom()
    for (const [i, r] of results.entries()) {
      await receiptTrie.put(RLP.encode(i), encodeReceipt(r.receipt, (included[i] as PendingTx).tx.type))
      bloom.or(r.bloom)
    }
    const txs = included.map((e) => e.tx)
    const block = createBlock(
      {
        header: {
          ...headerBase,
          stateRoot,
          gasUsed,
          transactionsTrie: await genTransactionsTrieRoot(txs),
          receiptTrie: receiptTrie.root(),
          logsBloom: bloom.bitvector,
        },
        transactions: txs,
        withdrawals: [],
      },
      { common: this.common },
    )
    const hash = bytesToHex(block.hash()) as Hex
    let logIndex = 0
    const receipts: StoredReceipt[] = results.map((r, i) => {
      const e = included[i] as PendingTx
      const gasPrice = baseFee + e.tx.getEffectivePriorityFee(baseFee)
      return {
        txHash: e.hash,
        index: i,
        type: e.tx.type,
        from: e.sender,
        to: (e.tx.to?.toString() as Hex | undefined) ?? null,
        status: 'status' in r.receipt ? ((r.receipt.status as number) === 1 ? 1 : 0) : 1,
        gasUsed: r.totalGasSpent,
        cumulativeGasUsed: r.receipt.cumulativeBlockGasUsed,
        effectiveGasPrice: gasPrice,
        logsBloom: bytesToHex(r.bloom.bitvector) as Hex,
        logs: r.receipt.logs.map(([address, topics, data]) => ({
          address: bytesToHex(address) as Hex,
          topics: topics.map((t) => bytesToHex(t) as Hex),
          data: bytesToHex(data) as Hex,
          logIndex: logIndex++,
        })),
      }
    })
    const stored: StoredBlock = {
      block,
      hash,
      number,
      txs: included.map((e) => ({ tx: e.tx, hash: e.hash, from: e.sender })),
      receipts,
    }
    this.#store(stored)
    this.mempool.remove([...included.map((e) => e.hash), ...dropped])
    this.log.info('block produced', { number, hash, txs: included.length, gasUsed, dropped: dropped.length })
    return stored
  }

  #store(stored: StoredBlock): void {
    this.#blocks.push(stored)
    this.#byHash.set(stored.hash, stored)
    for (const [index, t] of stored.txs.entries()) this.#txIndex.set(t.hash, { block: stored, index })
  }

  getBlockByNumber(number: bigint): StoredBlock | undefined {
    return number >= 0n && number < BigInt(this.#blocks.length) ? this.#blocks[Number(number)] : undefined
  }
  getBlockByHash(hash: Hex): StoredBlock | undefined {
    return this.#byHash.get(hash.toLowerCase() as Hex)
  }
  getTransaction(hash: Hex): { block: StoredBlock; index: number } | undefined {
    return this.#txIndex.get(hash.toLowerCase() as Hex)
  }

  /** A read-only state view at `block`'s state root (shares the trie database, own caches). */
  async stateAt(block: StoredBlock): Promise<MerkleStateManager> {
    const sm = (this.vm.stateManager as MerkleStateManager).shallowCopy(false)
    await sm.setStateRoot(block.block.header.stateRoot)
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
    const vm = await KeystoreNode.#makeVm(this.common, sm, this.#p.precompiles)
    const gasLimit = request.gas ?? this.blockGasLimit
    const intrinsic = this.#intrinsicGas(request)
    if (gasLimit < intrinsic)
      throw new JsonRpcError(-32000, `intrinsic gas too low: ${gasLimit} < ${intrinsic}`)
    const result = await vm.evm.runCall({
      caller: new Address(hexToBytes(request.from ?? '0x0000000000000000000000000000000000000000')),
      origin: new Address(hexToBytes(request.from ?? '0x0000000000000000000000000000000000000000')),
      ...(request.to ? { to: new Address(hexToBytes(request.to)) } : {}),
      data: hexToBytes(request.data ?? '0x'),
      value: request.value ?? 0n,
      gasLimit: gasLimit - intrinsic,
      block: block.block,
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
