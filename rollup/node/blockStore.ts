import { type BlockHeader, createBlockHeaderFromBytesArray } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { bigIntToBytes, bytesToBigInt, bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Hex } from 'viem'
import type { Kv, KvOp } from './kv.js'
import { sharedTxCommon } from './vmTuning.js'

/** A transaction in a keystore-chain block: signed (types 0/1/2) or an OP deposit (0x7e). */
export type NodeTx =
  | { kind: 'signed'; tx: TypedTransaction; hash: Hex; from: Hex; raw: Uint8Array }
  | {
      kind: 'deposit'
      hash: Hex
      from: Hex
      to: Hex | null
      raw: Uint8Array
      /** Its JSON-RPC fields (type 0x7e, sourceHash, mint, isSystemTx, …) without block position. */
      rpc: Record<string, unknown>
    }

export type StoredLog = { address: Hex; topics: Hex[]; data: Hex; logIndex: number }

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
  logs: StoredLog[]
  /** Deposits only (OP Canyon receipts). */
  depositNonce?: bigint | undefined
  depositReceiptVersion?: bigint | undefined
}

export type StoredBlock = {
  header: BlockHeader
  hash: Hex
  number: bigint
  txs: NodeTx[]
  receipts: StoredReceipt[]
  /** Length of the canonical block encoding (eth_getBlockByNumber `size`). */
  size: number
  /** Node-specific data kept with the block (L1 origin, L1SLOAD witness), opaque to the store. */
  extra: Uint8Array
}

/** Decodes a stored deposit (0x7e) with its receipt; the deposit codec is the node's. */
export type DecodeDeposit = (raw: Uint8Array, receipt: StoredReceipt) => NodeTx

const K = {
  meta: 'm:genesis',
  head: 'm:head',
  block: (hash: Hex) => `b:${hash}`,
  number: (n: bigint) => `n:${n.toString(16).padStart(16, '0')}`,
  tx: (hash: Hex) => `t:${hash}`,
  pool: (seq: bigint) => `p:${seq.toString(16).padStart(16, '0')}`,
}
const POOL_PREFIX = 'p:'

const big = (b: Uint8Array) => bytesToBigInt(b)
const enc = (n: bigint | number) => bigIntToBytes(BigInt(n))
const hex = (b: Uint8Array) => bytesToHex(b) as Hex

function encodeReceipt(r: StoredReceipt): Uint8Array[] | unknown[] {
  return [
    hexToBytes(r.txHash),
    enc(r.index),
    enc(r.type),
    hexToBytes(r.from),
    r.to ? hexToBytes(r.to) : new Uint8Array(),
    enc(r.status),
    enc(r.gasUsed),
    enc(r.cumulativeGasUsed),
    enc(r.effectiveGasPrice),
    hexToBytes(r.logsBloom),
    r.logs.map((l) => [
      hexToBytes(l.address),
      l.topics.map((t) => hexToBytes(t)),
      hexToBytes(l.data),
      enc(l.logIndex),
    ]),
    r.depositNonce === undefined ? new Uint8Array() : [enc(r.depositNonce)],
    r.depositReceiptVersion === undefined ? new Uint8Array() : [enc(r.depositReceiptVersion)],
  ]
}

function decodeReceipt(v: unknown[]): StoredReceipt {
  const b = v as Uint8Array[]
  const logs = v[10] as [Uint8Array, Uint8Array[], Uint8Array, Uint8Array][]
  const dn = v[11] as Uint8Array | Uint8Array[]
  const dv = v[12] as Uint8Array | Uint8Array[]
  return {
    txHash: hex(b[0] as Uint8Array),
    index: Number(big(b[1] as Uint8Array)),
    type: Number(big(b[2] as Uint8Array)),
    from: hex(b[3] as Uint8Array),
    to: (b[4] as Uint8Array).length ? hex(b[4] as Uint8Array) : null,
    status: big(b[5] as Uint8Array) === 1n ? 1 : 0,
    gasUsed: big(b[6] as Uint8Array),
    cumulativeGasUsed: big(b[7] as Uint8Array),
    effectiveGasPrice: big(b[8] as Uint8Array),
    logsBloom: hex(b[9] as Uint8Array),
    logs: logs.map(([a, topics, data, i]) => ({
      address: hex(a),
      topics: topics.map(hex),
      data: hex(data),
      logIndex: Number(big(i)),
    })),
    ...(Array.isArray(dn) ? { depositNonce: big(dn[0] as Uint8Array) } : {}),
    ...(Array.isArray(dv) ? { depositReceiptVersion: big(dv[0] as Uint8Array) } : {}),
  }
}

export function encodeStoredBlock(b: StoredBlock): Uint8Array {
  return RLP.encode([
    b.header.raw(),
    b.txs.map((t) => t.raw),
    b.txs.map((t) => hexToBytes(t.from)),
    b.receipts.map(encodeReceipt) as Uint8Array[][],
    enc(b.size),
    b.extra,
  ])
}

export function decodeStoredBlock(
  bytes: Uint8Array,
  common: Common,
  decodeDeposit: DecodeDeposit | undefined,
  /** The Common transactions are decoded with (`sharedTxCommon(common)` saves a copy per tx). */
  txCommon: Common = common,
): StoredBlock {
  const [headerRaw, raws, froms, receipts, size, extra] = RLP.decode(bytes) as unknown[] as [
    Uint8Array[],
    Uint8Array[],
    Uint8Array[],
    unknown[][],
    Uint8Array,
    Uint8Array,
  ]
  const header = createBlockHeaderFromBytesArray(headerRaw as never, {
    common,
    skipConsensusFormatValidation: true,
  })
  const decoded = receipts.map(decodeReceipt)
  const txs: NodeTx[] = raws.map((raw, i) => {
    const from = hex(froms[i] as Uint8Array)
    const hash = (decoded[i] as StoredReceipt).txHash
    if (raw[0] === 0x7e) {
      if (!decodeDeposit)
        throw new Error(
          `block ${big(headerRaw[8] as Uint8Array)} holds a deposit and no deposit codec was given`,
        )
      return decodeDeposit(raw, decoded[i] as StoredReceipt)
    }
    return { kind: 'signed', tx: createTxFromRLP(raw, { common: txCommon }), hash, from, raw }
  })
  return {
    header,
    hash: hex(header.hash()),
    number: header.number,
    txs,
    receipts: decoded,
    size: Number(big(size)),
    extra,
  }
}

/**
 * Blocks, receipts, the transaction index, the head pointer and the durable pool journal, over a
 * `Kv`. Every block is committed in ONE atomic batch together with the trie nodes it created, the
 * new head and the removal of its transactions from the pool journal (see `commitBlock`), so after
 * a crash the store is at the previous or the new block, never in between.
 *
 * Memory: only an LRU of recent blocks is kept (at most `cacheBlocks` blocks and `cacheTxs`
 * transactions in them: a block holds decoded transactions and receipts, several KB each, so a
 * count of blocks alone would not bound it); nothing grows with the chain.
 */
export class BlockStore {
  readonly kv: Kv
  readonly #common: Common
  readonly #txCommon: Common
  readonly #decodeDeposit: DecodeDeposit | undefined
  readonly #cache = new Map<Hex, StoredBlock>()
  readonly #cacheBlocks: number
  readonly #cacheTxs: number
  #cachedTxs = 0
  #poolSeq = 0n

  constructor(
    kv: Kv,
    common: Common,
    parameters: {
      decodeDeposit?: DecodeDeposit | undefined
      cacheBlocks?: number | undefined
      cacheTxs?: number | undefined
    } = {},
  ) {
    this.kv = kv
    this.#common = common
    this.#txCommon = sharedTxCommon(common)
    this.#decodeDeposit = parameters.decodeDeposit
    this.#cacheBlocks = parameters.cacheBlocks ?? 256
    this.#cacheTxs = parameters.cacheTxs ?? 10_000
  }

  /** The genesis hash this store was created with, or undefined for an empty store. */
  async genesisHash(): Promise<Hex | undefined> {
    const v = await this.kv.get(K.meta)
    return v ? hex(v) : undefined
  }

  async headNumber(): Promise<bigint | undefined> {
    const v = await this.kv.get(K.head)
    return v ? big(v) : undefined
  }

  /** Ops that store `block` as canonical at its number and make it the head. */
  blockOps(block: StoredBlock): KvOp[] {
    const ops: KvOp[] = [
      { type: 'put', key: K.block(block.hash), value: encodeStoredBlock(block) },
      { type: 'put', key: K.number(block.number), value: hexToBytes(block.hash) },
      { type: 'put', key: K.head, value: enc(block.number) },
    ]
    for (const [i, t] of block.txs.entries())
      ops.push({ type: 'put', key: K.tx(t.hash), value: RLP.encode([enc(block.number), enc(i)]) })
    if (block.number === 0n) ops.push({ type: 'put', key: K.meta, value: hexToBytes(block.hash) })
    return ops
  }

  /**
   * Writes `block` (with `extraOps`: its trie nodes, pool removals) in one synced atomic batch.
   * Only after it resolves is the block part of the chain.
   */
  async commitBlock(block: StoredBlock, extraOps: KvOp[]): Promise<void> {
    await this.kv.write([...extraOps, ...this.blockOps(block)], true)
    this.#remember(block)
  }

  async getBlockByHash(hash: Hex): Promise<StoredBlock | undefined> {
    const h = hash.toLowerCase() as Hex
    const cached = this.#cache.get(h)
    if (cached) return cached
    const bytes = await this.kv.get(K.block(h))
    if (!bytes) return undefined
    const block = decodeStoredBlock(bytes, this.#common, this.#decodeDeposit, this.#txCommon)
    this.#remember(block)
    return block
  }

  async getBlockByNumber(n: bigint): Promise<StoredBlock | undefined> {
    if (n < 0n) return undefined
    const hash = await this.kv.get(K.number(n))
    return hash ? this.getBlockByHash(hex(hash)) : undefined
  }

  async getTxLocation(hash: Hex): Promise<{ number: bigint; index: number } | undefined> {
    const v = await this.kv.get(K.tx(hash.toLowerCase() as Hex))
    if (!v) return undefined
    const [n, i] = RLP.decode(v) as Uint8Array[]
    return { number: big(n as Uint8Array), index: Number(big(i as Uint8Array)) }
  }

  /** Loads the pool journal (acknowledged, not yet included transactions), oldest first. */
  async loadPool(): Promise<{ key: string; raw: Uint8Array }[]> {
    const out: { key: string; raw: Uint8Array }[] = []
    for await (const [key, raw] of this.kv.entries(POOL_PREFIX)) {
      out.push({ key, raw })
      const seq = BigInt(`0x${key.slice(POOL_PREFIX.length)}`)
      if (seq >= this.#poolSeq) this.#poolSeq = seq + 1n
    }
    return out
  }

  /** A journal entry for a newly acknowledged transaction (write it synced before acknowledging). */
  poolPut(raw: Uint8Array): { key: string; op: KvOp } {
    const key = K.pool(this.#poolSeq++)
    return { key, op: { type: 'put', key, value: raw } }
  }

  static poolDel(key: string): KvOp {
    return { type: 'del', key }
  }

  #remember(block: StoredBlock): void {
    const previous = this.#cache.get(block.hash)
    if (previous) {
      this.#cache.delete(block.hash)
      this.#cachedTxs -= previous.txs.length
    }
    this.#cache.set(block.hash, block)
    this.#cachedTxs += block.txs.length
    // Evict the least recently used; the block just remembered stays even if it alone is over.
    while (
      this.#cache.size > 1 &&
      (this.#cache.size > this.#cacheBlocks || this.#cachedTxs > this.#cacheTxs)
    ) {
      const [oldest, evicted] = this.#cache.entries().next().value as [Hex, StoredBlock]
      this.#cache.delete(oldest)
      this.#cachedTxs -= evicted.txs.length
    }
  }

  async close(): Promise<void> {
    await this.kv.close()
  }
}
