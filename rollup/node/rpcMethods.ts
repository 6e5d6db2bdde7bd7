import { getMerkleStateProof } from '@ethereumjs/statemanager'
import { Address, bytesToHex, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import type { Hex } from 'viem'
import { formatRpcBatchBlock } from '../batcher/rpcBatchSource.js'
import { JsonRpcError } from './errors.js'
import type { KeystoreNode, NodeTx, StoredBlock, StoredReceipt } from './KeystoreNode.js'
import { toBatchBlock } from './sequencer.js'

const q = (n: bigint | number) => `0x${n.toString(16)}` as Hex
const badParams = (message: string) => new JsonRpcError(-32602, `invalid params: ${message}`)

function param<T>(params: unknown[], i: number, parse: (v: unknown) => T, name: string): T {
  try {
    return parse(params[i])
  } catch (error) {
    throw badParams(`${name}: ${(error as Error).message}`)
  }
}
const asQuantity = (v: unknown): bigint => {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(v)) throw new Error('expected a hex quantity')
  return BigInt(v)
}
const asData = (v: unknown): Hex => {
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v)) throw new Error('expected hex data')
  return v.toLowerCase() as Hex
}
const asAddress = (v: unknown): Hex => {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw new Error('expected a 20-byte address')
  return v.toLowerCase() as Hex
}
const asHash = (v: unknown): Hex => {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw new Error('expected a 32-byte hash')
  return v.toLowerCase() as Hex
}
/** eth_feeHistory's reward percentiles: numbers in [0, 100], non-decreasing (as geth requires). */
const asPercentiles = (v: unknown): number[] => {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw new Error('expected an array')
  if (v.length > 100) throw new Error('at most 100 percentiles')
  v.forEach((p, i) => {
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100)
      throw new Error(`[${i}]: expected a number between 0 and 100`)
    if (i > 0 && p < (v[i - 1] as number)) throw new Error(`[${i}]: percentiles must not decrease`)
  })
  return v as number[]
}
const asBool = (v: unknown): boolean => {
  if (v === undefined) return false
  if (typeof v !== 'boolean') throw new Error('expected a boolean')
  return v
}

async function resolveBlock(node: KeystoreNode, tag: unknown): Promise<StoredBlock> {
  if (tag === undefined || tag === 'latest' || tag === 'pending') return node.head
  if (tag === 'safe' || tag === 'finalized') {
    const b = await node.getBlockByNumber(tag === 'safe' ? node.safeHead : node.finalizedHead)
    return b ?? node.head
  }
  if (tag === 'earliest') return (await node.getBlockByNumber(0n)) as StoredBlock
  if (typeof tag === 'object' && tag !== null && 'blockHash' in tag) {
    const b = await node.getBlockByHash(asHash((tag as { blockHash: unknown }).blockHash))
    if (!b) throw new JsonRpcError(-32001, 'block not found')
    return b
  }
  let n: bigint
  try {
    n = asQuantity(tag)
  } catch {
    throw badParams('block: expected a block number or tag')
  }
  const b = await node.getBlockByNumber(n)
  if (!b) throw new JsonRpcError(-32001, `block ${n} not found`)
  return b
}
const blockParam = (node: KeystoreNode, params: unknown[], i: number) => resolveBlock(node, params[i])

function formatTx(stored: StoredBlock, index: number) {
  const t = stored.txs[index] as NodeTx
  const position = {
    blockHash: stored.hash,
    blockNumber: q(stored.number),
    transactionIndex: q(index),
  }
  if (t.kind === 'deposit') return { ...t.rpc, hash: t.hash, ...position }
  const { tx, hash, from } = t
  const j = tx.toJSON() as Record<string, unknown>
  const receipt = stored.receipts[index] as StoredReceipt
  return {
    type: q(tx.type),
    hash,
    from,
    to: tx.to ? tx.to.toString() : null,
    nonce: q(tx.nonce),
    gas: q(tx.gasLimit),
    value: q(tx.value),
    input: bytesToHex(tx.data),
    gasPrice: q(receipt.effectiveGasPrice),
    ...(tx.type === 2 ? { maxFeePerGas: j.maxFeePerGas, maxPriorityFeePerGas: j.maxPriorityFeePerGas } : {}),
    ...(tx.type >= 1 ? { accessList: j.accessList ?? [], chainId: j.chainId } : {}),
    ...(tx.type === 0 && j.chainId ? { chainId: j.chainId } : {}),
    v: j.v,
    r: j.r,
    s: j.s,
    ...(tx.type >= 1 ? { yParity: j.v } : {}),
    blockHash: stored.hash,
    blockNumber: q(stored.number),
    transactionIndex: q(index),
  }
}

function formatBlock(stored: StoredBlock, full: boolean) {
  const h = stored.header
  return {
    number: q(stored.number),
    hash: stored.hash,
    parentHash: bytesToHex(h.parentHash),
    nonce: bytesToHex(h.nonce),
    sha3Uncles: bytesToHex(h.uncleHash),
    logsBloom: bytesToHex(h.logsBloom),
    transactionsRoot: bytesToHex(h.transactionsTrie),
    stateRoot: bytesToHex(h.stateRoot),
    receiptsRoot: bytesToHex(h.receiptTrie),
    miner: h.coinbase.toString(),
    difficulty: q(h.difficulty),
    totalDifficulty: '0x0',
    extraData: bytesToHex(h.extraData),
    size: q(stored.size),
    gasLimit: q(h.gasLimit),
    gasUsed: q(h.gasUsed),
    timestamp: q(h.timestamp),
    mixHash: bytesToHex(h.mixHash),
    baseFeePerGas: q(h.baseFeePerGas ?? 0n),
    withdrawalsRoot: h.withdrawalsRoot ? bytesToHex(h.withdrawalsRoot) : undefined,
    blobGasUsed: q(h.blobGasUsed ?? 0n),
    excessBlobGas: q(h.excessBlobGas ?? 0n),
    parentBeaconBlockRoot: h.parentBeaconBlockRoot ? bytesToHex(h.parentBeaconBlockRoot) : undefined,
    requestsHash: h.requestsHash ? bytesToHex(h.requestsHash) : undefined,
    withdrawals: [],
    uncles: [],
    transactions: full ? stored.txs.map((_, i) => formatTx(stored, i)) : stored.txs.map((t) => t.hash),
  }
}

function formatLog(stored: StoredBlock, r: StoredReceipt, l: StoredReceipt['logs'][number]) {
  return {
    address: l.address,
    topics: l.topics,
    data: l.data,
    blockNumber: q(stored.number),
    blockHash: stored.hash,
    transactionHash: r.txHash,
    transactionIndex: q(r.index),
    logIndex: q(l.logIndex),
    removed: false,
  }
}

function formatReceipt(stored: StoredBlock, r: StoredReceipt) {
  return {
    transactionHash: r.txHash,
    transactionIndex: q(r.index),
    blockHash: stored.hash,
    blockNumber: q(stored.number),
    from: r.from,
    to: r.to,
    cumulativeGasUsed: q(r.cumulativeGasUsed),
    gasUsed: q(r.gasUsed),
    effectiveGasPrice: q(r.effectiveGasPrice),
    contractAddress: null,
    logs: r.logs.map((l) => formatLog(stored, r, l)),
    logsBloom: r.logsBloom,
    status: q(r.status),
    type: q(r.type),
    ...(r.depositNonce !== undefined ? { depositNonce: q(r.depositNonce) } : {}),
    ...(r.depositReceiptVersion !== undefined ? { depositReceiptVersion: q(r.depositReceiptVersion) } : {}),
  }
}

type CallRequest = { from?: Hex; to?: Hex; data?: Hex; value?: bigint; gas?: bigint }
function asCallRequest(v: unknown): CallRequest {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a call object')
  const o = v as Record<string, unknown>
  const data = o.input ?? o.data
  return {
    ...(o.from !== undefined ? { from: asAddress(o.from) } : {}),
    ...(o.to !== undefined && o.to !== null ? { to: asAddress(o.to) } : {}),
    ...(data !== undefined ? { data: asData(data) } : {}),
    ...(o.value !== undefined ? { value: asQuantity(o.value) } : {}),
    ...(o.gas !== undefined ? { gas: asQuantity(o.gas) } : {}),
  }
}

const MAX_LOG_RANGE = 10_000n
const MAX_PROOF_KEYS = 1000
const asStorageKey = (v: unknown): Hex => {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(v))
    throw new Error('expected a storage key (hex, ≤ 32 bytes)')
  const digits = v.slice(2)
  return `0x${digits.length % 2 ? `0${digits}` : digits}` as Hex
}

async function getLogs(node: KeystoreNode, filter: unknown) {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    throw badParams('filter: expected an object')
  const f = filter as Record<string, unknown>
  let blocks: StoredBlock[]
  if (f.blockHash !== undefined) {
    const b = await node.getBlockByHash(param([f.blockHash], 0, asHash, 'blockHash'))
    if (!b) throw new JsonRpcError(-32001, 'block not found')
    blocks = [b]
  } else {
    const from = (await resolveBlock(node, f.fromBlock ?? 'latest')).number
    const to = (await resolveBlock(node, f.toBlock ?? 'latest')).number
    if (to < from) throw badParams('fromBlock > toBlock')
    if (to - from > MAX_LOG_RANGE) throw new JsonRpcError(-32005, `block range exceeds ${MAX_LOG_RANGE}`)
    blocks = []
    for (let n = from; n <= to; n++) {
      const b = (await node.getBlockByNumber(n)) as StoredBlock
      if (b.receipts.length) blocks.push(b)
    }
  }
  const addresses =
    f.address === undefined || f.address === null
      ? undefined
      : new Set(
          (Array.isArray(f.address) ? f.address : [f.address]).map((a, i) =>
            param([a], 0, asAddress, `address[${i}]`),
          ),
        )
  if (f.topics !== undefined && f.topics !== null && !Array.isArray(f.topics))
    throw badParams('topics: expected an array')
  const topics = ((f.topics as unknown[] | undefined) ?? []).map((t) =>
    t === null ? null : new Set((Array.isArray(t) ? t : [t]).map((x) => param([x], 0, asHash, 'topic'))),
  )
  const out: ReturnType<typeof formatLog>[] = []
  for (const b of blocks)
    for (const r of b.receipts)
      for (const l of r.logs) {
        if (addresses && !addresses.has(l.address)) continue
        if (
          topics.some((set, i) => set !== null && (l.topics[i] === undefined || !set.has(l.topics[i] as Hex)))
        )
          continue
        out.push(formatLog(b, r, l))
      }
  return out
}

/**
 * Dispatches one JSON-RPC method.
 * @throws {JsonRpcError} -32601 unknown method, -32602 bad params; {KeystoreTxRejectedError}.
 */
export async function handleRpc(node: KeystoreNode, method: string, params: unknown[]): Promise<unknown> {
  switch (method) {
    case 'eth_chainId':
      return q(node.chainId)
    case 'net_version':
      return node.chainId.toString()
    case 'web3_clientVersion':
      return 'keystore-node/0.1.0'
    case 'eth_syncing':
      return false
    case 'eth_accounts':
      return []
    case 'eth_blockNumber':
      return q(node.head.number)
    case 'eth_getBlockByNumber': {
      const full = param(params, 1, asBool, 'full')
      const tag = params[0]
      if (typeof tag === 'string' && tag.startsWith('0x')) {
        const b = await node.getBlockByNumber(param(params, 0, asQuantity, 'block'))
        return b ? formatBlock(b, full) : null
      }
      return formatBlock(await blockParam(node, params, 0), full)
    }
    case 'eth_getBlockByHash': {
      const b = await node.getBlockByHash(param(params, 0, asHash, 'hash'))
      return b ? formatBlock(b, param(params, 1, asBool, 'full')) : null
    }
    case 'eth_getBlockTransactionCountByNumber':
      return q((await blockParam(node, params, 0)).txs.length)
    // Block/index lookups viem and ethers expose (getBlockTransactionCount by hash, getTransaction
    // by block and index, block receipts): unknown blocks or indexes answer null, as geth does.
    case 'eth_getBlockTransactionCountByHash': {
      const b = await node.getBlockByHash(param(params, 0, asHash, 'hash'))
      return b ? q(b.txs.length) : null
    }
    case 'eth_getTransactionByBlockHashAndIndex':
    case 'eth_getTransactionByBlockNumberAndIndex': {
      const byHash = method === 'eth_getTransactionByBlockHashAndIndex'
      const b = byHash
        ? await node.getBlockByHash(param(params, 0, asHash, 'hash'))
        : await resolveBlock(node, params[0]).catch((e) => {
            if (e instanceof JsonRpcError && e.code === -32001) return undefined
            throw e
          })
      const index = param(params, 1, asQuantity, 'index')
      return b && index < BigInt(b.txs.length) ? formatTx(b, Number(index)) : null
    }
    case 'eth_getBlockReceipts': {
      const tag = params[0]
      const isHash = typeof tag === 'string' && tag.length === 66
      const b = await (isHash
        ? node.getBlockByHash(param(params, 0, asHash, 'block'))
        : resolveBlock(node, tag)
      ).catch((e) => {
        if (e instanceof JsonRpcError && e.code === -32001) return undefined
        throw e
      })
      return b ? b.receipts.map((r) => formatReceipt(b, r)) : null
    }
    case 'net_listening':
      return true
    case 'eth_getTransactionByHash': {
      const found = await node.getTransaction(param(params, 0, asHash, 'hash'))
      return found ? formatTx(found.block, found.index) : null
    }
    case 'eth_getTransactionReceipt': {
      const found = await node.getTransaction(param(params, 0, asHash, 'hash'))
      return found ? formatReceipt(found.block, found.block.receipts[found.index] as StoredReceipt) : null
    }
    case 'eth_getTransactionCount': {
      const address = param(params, 0, asAddress, 'address')
      const sm = await node.stateAt(await blockParam(node, params, 1))
      let nonce = (await sm.getAccount(new Address(hexToBytes(address))))?.nonce ?? 0n
      if (params[1] === 'pending') nonce += node.mempool.pendingCount(address)
      return q(nonce)
    }
    case 'eth_getBalance': {
      const address = param(params, 0, asAddress, 'address')
      const sm = await node.stateAt(await blockParam(node, params, 1))
      return q((await sm.getAccount(new Address(hexToBytes(address))))?.balance ?? 0n)
    }
    case 'eth_getCode': {
      const address = param(params, 0, asAddress, 'address')
      const sm = await node.stateAt(await blockParam(node, params, 1))
      return bytesToHex(await sm.getCode(new Address(hexToBytes(address))))
    }
    case 'eth_getStorageAt': {
      const address = param(params, 0, asAddress, 'address')
      const slot = param(params, 1, asQuantity, 'slot')
      const sm = await node.stateAt(await blockParam(node, params, 2))
      const key = setLengthLeft(hexToBytes(q(slot).length % 2 ? `0x0${q(slot).slice(2)}` : q(slot)), 32)
      const value = await sm.getStorage(new Address(hexToBytes(address)), key)
      return bytesToHex(setLengthLeft(value, 32))
    }
    case 'eth_call': {
      const request = param(params, 0, asCallRequest, 'transaction')
      return (await node.call(request, await blockParam(node, params, 1))).returnValue
    }
    case 'eth_estimateGas': {
      const request = param(params, 0, asCallRequest, 'transaction')
      return q(await node.estimateGas(request, await blockParam(node, params, 1)))
    }
    case 'eth_gasPrice':
      return q(node.nextBaseFee + node.priorityFee)
    case 'eth_maxPriorityFeePerGas':
      return q(node.priorityFee)
    case 'eth_feeHistory': {
      const count = Number(
        param(params, 0, (v) => (typeof v === 'number' ? BigInt(v) : asQuantity(v)), 'blockCount'),
      )
      const newest = (await blockParam(node, params, 1)).number
      const percentiles = param(params, 2, asPercentiles, 'rewardPercentiles')
      const n = Math.max(1, Math.min(count, 1024, Number(newest) + 1))
      const oldest = newest - BigInt(n) + 1n
      const baseFees: Hex[] = []
      const ratios: number[] = []
      const rewards: Hex[][] = []
      for (let i = oldest; i <= newest; i++) {
        const h = ((await node.getBlockByNumber(i)) as StoredBlock).header
        baseFees.push(q(h.baseFeePerGas ?? 0n))
        ratios.push(Number(h.gasUsed) / Number(h.gasLimit))
        rewards.push(percentiles.map(() => q(node.priorityFee)))
      }
      baseFees.push(q(((await node.getBlockByNumber(newest)) as StoredBlock).header.calcNextBaseFee()))
      return {
        oldestBlock: q(oldest),
        baseFeePerGas: baseFees,
        gasUsedRatio: ratios,
        ...(percentiles.length ? { reward: rewards } : {}),
      }
    }
    case 'eth_sendRawTransaction': {
      const raw = param(params, 0, asData, 'data')
      return node.sendRawTransaction(hexToBytes(raw))
    }
    case 'eth_getLogs':
      return getLogs(node, params[0])
    case 'keystore_getBatchBlock': {
      // The batcher's view of a block (user txs + L1 origin + L1SLOAD witness); see rollup/batcher.
      const b = await node.getBlockByNumber(param(params, 0, asQuantity, 'block'))
      return b ? formatRpcBatchBlock(toBatchBlock(b)) : null
    }
    case 'eth_getProof': {
      const address = param(params, 0, asAddress, 'address')
      const slots = param(
        params,
        1,
        (v) => {
          if (!Array.isArray(v)) throw new Error('expected an array of storage keys')
          if (v.length > MAX_PROOF_KEYS) throw new Error(`at most ${MAX_PROOF_KEYS} storage keys`)
          return v.map((k) => setLengthLeft(hexToBytes(asStorageKey(k)), 32))
        },
        'storageKeys',
      )
      const sm = await node.stateAt(await blockParam(node, params, 2))
      return getMerkleStateProof(sm, new Address(hexToBytes(address)), slots)
    }
    default:
      throw new JsonRpcError(-32601, `method not found: ${method}`)
  }
}
