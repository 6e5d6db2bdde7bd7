/**
 * OP-Stack deposited transactions (type 0x7e) for the keystore chain: the transaction type and its
 * hash, source hashes, L1→L2 address aliasing, and the derivation of user deposits from the
 * OptimismPortal's `TransactionDeposited` logs.
 *
 * Spec: ethereum-optimism/specs `specs/protocol/deposits.md` ("The Deposited Transaction Type",
 * "Source hash computation", "User-Deposited Transactions", "Address Aliasing"); log decoding
 * follows op-node's `UnmarshalDepositLogEvent` (op-node/rollup/derive/deposit_log.go).
 */

import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import {
  type Client,
  concat,
  getAddress,
  type Hex,
  hexToBigInt,
  hexToBytes,
  isAddress,
  isHex,
  keccak256,
  numberToHex,
  pad,
  size,
  slice,
  toBytes,
  toHex,
} from 'viem'
import { getBlock } from 'viem/actions'
import { encodeBlockHeader } from '../../precompiles/storage-proof/encodeBlockHeader.js'
import { verifyBlockHeader } from '../../precompiles/storage-proof/verifyBlockHeader.js'
import { DepositDecodeError, DepositFetchError } from './errors.js'

/** EIP-2718 type byte of deposited transactions (and of their receipts). */
export const DEPOSIT_TX_TYPE = 0x7e

/**
 * A deposited transaction. Field order is the RLP order of the spec: `sourceHash, from, to, mint,
 * value, gas, isSystemTx, data`. No nonce, no signature: authorization is derivation itself (only
 * the portal's logs, or the protocol's L1-attributes rule, produce deposits).
 */
export type DepositTx = {
  /** Unique origin of the deposit (see {@link userDepositSourceHash}, {@link l1InfoDepositSourceHash}). */
  sourceHash: Hex
  /** Sender on L2 (already aliased by the portal when the L1 caller was a contract). */
  from: Hex
  /** Recipient, or `null` for a contract creation. */
  to: Hex | null
  /** Wei minted to `from` on L2 before execution (the ETH locked in the portal). */
  mint: bigint
  /** Wei sent from `from` to `to`. */
  value: bigint
  /** Gas limit on L2 (bought on L1; never refunded). */
  gas: bigint
  /** Always false since Regolith (the L1-attributes transaction included). */
  isSystemTx: boolean
  /** Calldata, or init code when `to` is null. */
  data: Hex
}

const UINT64_MAX = (1n << 64n) - 1n
const UINT256_MAX = (1n << 256n) - 1n

/**
 * `0x7e ‖ rlp([sourceHash, from, to, mint, value, gas, isSystemTx, data])`, the encoding that goes
 * into the transactions trie and whose keccak256 is the transaction hash.
 *
 * @throws {DepositDecodeError} (`bad-field`) if a field is out of range.
 * @example
 * const raw = encodeDepositTx(deposit); const hash = keccak256(raw)
 */
export function encodeDepositTx(tx: DepositTx): Hex {
  assertDepositTx(tx)
  return concat([
    numberToHex(DEPOSIT_TX_TYPE, { size: 1 }),
    toHex(
      RLP.encode([
        hexToBytes(tx.sourceHash),
        hexToBytes(tx.from),
        tx.to === null ? new Uint8Array() : hexToBytes(tx.to),
        tx.mint,
        tx.value,
        tx.gas,
        tx.isSystemTx ? Uint8Array.of(1) : new Uint8Array(),
        hexToBytes(tx.data),
      ]),
    ),
  ])
}

/** The transaction hash of a deposit: `keccak256(encodeDepositTx(tx))`. */
export function depositTxHash(tx: DepositTx): Hex {
  return keccak256(encodeDepositTx(tx))
}

/**
 * Decodes `0x7e ‖ rlp(...)` strictly (canonical integers, 32-byte source hash, 20-byte addresses,
 * a 0/1 boolean), e.g. when reading a block's transactions back.
 *
 * @throws {DepositDecodeError} (`bad-encoding`) naming the offending field.
 */
export function decodeDepositTx(raw: Hex | Uint8Array): DepositTx {
  const bytes = typeof raw === 'string' ? toBytesStrict(raw) : raw
  if (bytes[0] !== DEPOSIT_TX_TYPE)
    throw new DepositDecodeError('bad-encoding', 'Not a deposit transaction (type byte is not 0x7e).', {
      input: toHex(bytes.slice(0, 1)),
    })
  let items: unknown
  try {
    items = RLP.decode(bytes.subarray(1))
  } catch (cause) {
    throw new DepositDecodeError('bad-encoding', 'Deposit transaction is not valid RLP.', { cause })
  }
  if (!Array.isArray(items) || items.length !== 8 || items.some((i) => !(i instanceof Uint8Array)))
    throw new DepositDecodeError('bad-encoding', 'A deposit transaction is an RLP list of 8 byte strings.')
  const [sourceHash, from, to, mint, value, gas, isSystemTx, data] = items as Uint8Array[]
  const fail = (field: string, why: string) =>
    new DepositDecodeError('bad-encoding', `Deposit transaction field ${field} ${why}.`)
  if (sourceHash!.length !== 32) throw fail('sourceHash', 'is not 32 bytes')
  if (from!.length !== 20) throw fail('from', 'is not 20 bytes')
  if (to!.length !== 0 && to!.length !== 20) throw fail('to', 'is neither empty nor 20 bytes')
  const int = (field: string, b: Uint8Array, maxBytes: number) => {
    if (b.length > maxBytes) throw fail(field, `is longer than ${maxBytes} bytes`)
    if (b.length > 0 && b[0] === 0) throw fail(field, 'has leading zeros')
    return b.length === 0 ? 0n : hexToBigInt(toHex(b))
  }
  if (isSystemTx!.length > 1 || (isSystemTx!.length === 1 && isSystemTx![0] !== 1))
    throw fail('isSystemTx', 'is not a boolean')
  return {
    sourceHash: toHex(sourceHash!),
    from: getAddress(toHex(from!)),
    to: to!.length === 0 ? null : getAddress(toHex(to!)),
    mint: int('mint', mint!, 32),
    value: int('value', value!, 32),
    gas: int('gas', gas!, 8),
    isSystemTx: isSystemTx!.length === 1,
    data: toHex(data!),
  }
}

function assertDepositTx(tx: DepositTx): void {
  const fail = (field: string, why: string) =>
    new DepositDecodeError('bad-field', `Deposit field ${field} ${why}.`, { input: tx })
  if (!isHex(tx.sourceHash, { strict: true }) || size(tx.sourceHash) !== 32)
    throw fail('sourceHash', 'is not 32 bytes of hex')
  if (!isAddress(tx.from, { strict: false })) throw fail('from', 'is not an address')
  if (tx.to !== null && !isAddress(tx.to, { strict: false })) throw fail('to', 'is not an address or null')
  if (tx.mint < 0n || tx.mint > UINT256_MAX) throw fail('mint', 'is not a uint256')
  if (tx.value < 0n || tx.value > UINT256_MAX) throw fail('value', 'is not a uint256')
  if (tx.gas < 0n || tx.gas > UINT64_MAX) throw fail('gas', 'is not a uint64')
  if (typeof tx.isSystemTx !== 'boolean') throw fail('isSystemTx', 'is not a boolean')
  if (!isHex(tx.data, { strict: true }) || tx.data.length % 2 !== 0) throw fail('data', 'is not hex bytes')
}

function toBytesStrict(raw: Hex): Uint8Array {
  if (!isHex(raw, { strict: true }) || raw.length % 2 !== 0)
    throw new DepositDecodeError('bad-encoding', 'Deposit transaction is not hex bytes.', { input: raw })
  return hexToBytes(raw)
}

// ---------------------------------------------------------------------------------------------
// Source hashes

/** Source-hash domains (deposits.md "Source hash computation"). */
export const SOURCE_HASH_DOMAIN = { userDeposit: 0n, l1InfoDeposit: 1n, upgradeDeposit: 2n } as const

function sourceHash(domain: bigint, l1BlockHash: Hex, marker: bigint): Hex {
  if (!isHex(l1BlockHash, { strict: true }) || size(l1BlockHash) !== 32)
    throw new DepositDecodeError('bad-field', 'l1BlockHash is not 32 bytes of hex.', { input: l1BlockHash })
  if (marker < 0n || marker > UINT64_MAX)
    throw new DepositDecodeError('bad-field', 'The log index / sequence number is not a uint64.', {
      input: marker,
    })
  const depositId = keccak256(concat([l1BlockHash, pad(toHex(marker), { size: 32 })]))
  return keccak256(concat([pad(toHex(domain), { size: 32 }), depositId]))
}

/**
 * User deposit: `keccak256(bytes32(0) ‖ keccak256(l1BlockHash ‖ bytes32(logIndex)))`, where
 * `logIndex` is the index of the `TransactionDeposited` log among all logs of the L1 block.
 */
export function userDepositSourceHash(parameters: { l1BlockHash: Hex; logIndex: number | bigint }): Hex {
  return sourceHash(SOURCE_HASH_DOMAIN.userDeposit, parameters.l1BlockHash, BigInt(parameters.logIndex))
}

/**
 * L1-attributes deposit: `keccak256(bytes32(1) ‖ keccak256(l1BlockHash ‖ bytes32(seqNumber)))`,
 * with `seqNumber` = L2 block number − number of the first L2 block of the epoch (L1 origin).
 */
export function l1InfoDepositSourceHash(parameters: {
  l1BlockHash: Hex
  sequenceNumber: number | bigint
}): Hex {
  return sourceHash(
    SOURCE_HASH_DOMAIN.l1InfoDeposit,
    parameters.l1BlockHash,
    BigInt(parameters.sequenceNumber),
  )
}

// ---------------------------------------------------------------------------------------------
// Address aliasing

/** Added (mod 2^160) to an L1 contract's address when it calls the portal (deposits.md "Address Aliasing"). */
export const L1_TO_L2_ALIAS_OFFSET = 0x1111000000000000000000000000000000001111n
const MOD160 = 1n << 160n

/**
 * The L2 sender of a deposit made by an L1 **contract** (EOAs are not aliased): prevents an L1
 * contract from impersonating an L2 contract at the same address. The L2CrossDomainMessenger
 * accepts a first relay only from the aliased L1CrossDomainMessenger.
 */
export function applyL1ToL2Alias(l1Address: Hex): Hex {
  return getAddress(
    pad(toHex((BigInt(checkedAddress(l1Address)) + L1_TO_L2_ALIAS_OFFSET) % MOD160), { size: 20 }),
  )
}

/** Inverse of {@link applyL1ToL2Alias} (what `AddressAliasHelper.undoL1ToL2Alias` computes). */
export function undoL1ToL2Alias(l2Address: Hex): Hex {
  return getAddress(
    pad(toHex((BigInt(checkedAddress(l2Address)) - L1_TO_L2_ALIAS_OFFSET + MOD160) % MOD160), { size: 20 }),
  )
}

function checkedAddress(address: Hex): Hex {
  if (!isAddress(address, { strict: false }))
    throw new DepositDecodeError('bad-field', `${address} is not an address.`, { input: address })
  return address
}

// ---------------------------------------------------------------------------------------------
// TransactionDeposited logs

/** `keccak256("TransactionDeposited(address,address,uint256,bytes)")`. */
export const TRANSACTION_DEPOSITED_TOPIC: Hex = keccak256(
  toBytes('TransactionDeposited(address,address,uint256,bytes)'),
)

/** The parts of an L1 log a deposit is derived from. */
export type DepositLog = {
  topics: readonly Hex[]
  data: Hex
  /** Hash of the L1 block the log is in. */
  blockHash: Hex
  /** Index of the log among all logs of that L1 block. */
  logIndex: number | bigint
  removed?: boolean | undefined
}

/**
 * Derives the deposit of one `TransactionDeposited(from, to, version, opaqueData)` log, as op-node
 * does: version 0 opaque data is `uint256 mint ‖ uint256 value ‖ uint64 gas ‖ uint8 isCreation ‖
 * data` (packed); `isCreation` ≠ 0 makes it a contract creation (`to` ignored). The log must carry
 * exactly 4 topics and minimally padded ABI data. The caller checks that the log was emitted by
 * the portal (see {@link fetchDeposits}).
 *
 * @throws {DepositDecodeError} with `reason` `wrong-topic-count`, `wrong-event`, `removed-log`,
 *   `bad-log-data`, `unsupported-version` or `short-opaque-data`.
 * @example
 * const deposit = decodeDepositLog(log) // log from eth_getLogs on the portal
 */
export function decodeDepositLog(log: DepositLog): DepositTx {
  const input = { topics: log.topics, data: log.data, blockHash: log.blockHash, logIndex: log.logIndex }
  if (log.removed)
    throw new DepositDecodeError('removed-log', 'The log was removed by an L1 reorg.', { input })
  if (log.topics.length !== 4)
    throw new DepositDecodeError(
      'wrong-topic-count',
      `A TransactionDeposited log has 4 topics (event, from, to, version), this one ${log.topics.length}.`,
      { input },
    )
  if (log.topics[0]?.toLowerCase() !== TRANSACTION_DEPOSITED_TOPIC)
    throw new DepositDecodeError('wrong-event', 'The log is not a TransactionDeposited event.', {
      details: `topic0 ${log.topics[0]}`,
      input,
    })
  for (const t of log.topics)
    if (!isHex(t, { strict: true }) || size(t) !== 32)
      throw new DepositDecodeError('bad-log-data', `Topic ${t} is not 32 bytes.`, { input })
  if (!isHex(log.data, { strict: true }) || log.data.length % 2 !== 0)
    throw new DepositDecodeError('bad-log-data', 'Log data is not hex bytes.', { input })
  const dataSize = size(log.data)
  if (dataSize < 64 || dataSize % 32 !== 0)
    throw new DepositDecodeError(
      'bad-log-data',
      `Log data must be ABI-encoded bytes (≥ 64 bytes, a multiple of 32), got ${dataSize} bytes.`,
      { input },
    )
  const offset = hexToBigInt(slice(log.data, 0, 32))
  if (offset !== 32n)
    throw new DepositDecodeError('bad-log-data', `opaqueData offset is ${offset}, expected 32.`, { input })
  const length = hexToBigInt(slice(log.data, 32, 64))
  const room = BigInt(dataSize - 64)
  // At most the remaining data, and minimally padded (32 more bytes would not fit).
  if (length > room || length + 32n <= room)
    throw new DepositDecodeError('bad-log-data', `opaqueData length ${length} does not fit ${room} bytes.`, {
      input,
    })
  const version = hexToBigInt(log.topics[3]!)
  if (version !== 0n)
    throw new DepositDecodeError('unsupported-version', `Unsupported deposit version ${version} (only 0).`, {
      input,
    })
  const opaque = slice(log.data, 64, 64 + Number(length))
  if (Number(length) < 73)
    throw new DepositDecodeError(
      'short-opaque-data',
      `Version 0 opaque data is at least 73 bytes (mint, value, gas, isCreation), got ${length}.`,
      { input },
    )
  const isCreation = hexToBigInt(slice(opaque, 72, 73)) !== 0n
  return {
    sourceHash: userDepositSourceHash({ l1BlockHash: log.blockHash, logIndex: log.logIndex }),
    from: getAddress(slice(log.topics[1]!, 12)),
    to: isCreation ? null : getAddress(slice(log.topics[2]!, 12)),
    mint: hexToBigInt(slice(opaque, 0, 32)),
    value: hexToBigInt(slice(opaque, 32, 64)),
    gas: hexToBigInt(slice(opaque, 64, 72)),
    isSystemTx: false,
    data: Number(length) > 73 ? slice(opaque, 73) : '0x',
  }
}

// ---------------------------------------------------------------------------------------------
// Fetching

export type FetchDepositsParameters = {
  /** The OptimismPortal (proxy) of the keystore chain on L1. */
  portal: Hex
  /** The L1 block (by hash: deposits belong to one block, not a height that can reorg). */
  l1BlockHash: Hex
  /**
   * `true` (default): fetch the block header and all its receipts, check `keccak256(header) ==
   * l1BlockHash` and that the receipts rebuild the header's `receiptsRoot`, then read the logs
   * from the receipts (what op-node does). `false`: trust `eth_getLogs` (cheaper; only checks
   * that each log is the portal's, in that block, not removed, with distinct indices).
   */
  verify?: boolean | undefined
}

/**
 * The user deposits of one L1 block, in log order: every `TransactionDeposited` log the portal
 * emitted in a successful transaction of that block, decoded with {@link decodeDepositLog}.
 *
 * Threat model: the L1 RPC is not trusted. A forged log would mint ETH and send messages "from L1"
 * on the keystore chain; an omitted one would censor a deposit. With `verify` (default) the
 * deposits come only from receipts committed to by the block hash, so a lying RPC can only fail
 * the call, not change its result. Which L1 block is canonical (reorgs) is the caller's concern.
 *
 * @throws {DepositFetchError} (`block-not-found`, `header-mismatch`, `receipts-mismatch`,
 *   `inconsistent-response`, `malformed-deposit`).
 * @example
 * const deposits = await fetchDeposits(l1Client, { portal, l1BlockHash: origin.hash })
 */
export async function fetchDeposits(
  client: Client,
  parameters: FetchDepositsParameters,
): Promise<DepositTx[]> {
  const portal = checkedAddress(parameters.portal).toLowerCase() as Hex
  const blockHash = parameters.l1BlockHash.toLowerCase() as Hex
  if (!isHex(blockHash, { strict: true }) || size(blockHash) !== 32)
    throw new DepositFetchError('inconsistent-response', 'l1BlockHash is not 32 bytes of hex.', {
      input: parameters.l1BlockHash,
    })
  const logs =
    (parameters.verify ?? true)
      ? await verifiedPortalLogs(client, portal, blockHash)
      : await portalLogs(client, portal, blockHash)
  return logs.map((log) => {
    try {
      return decodeDepositLog(log)
    } catch (cause) {
      // The real portal cannot emit these: refuse to derive rather than skip (skipping would fork
      // from op-node, which halts on a malformed deposit log too).
      throw new DepositFetchError('malformed-deposit', `Malformed deposit log at index ${log.logIndex}.`, {
        cause,
        input: log,
      })
    }
  })
}

type RpcLog = { address: Hex; topics: Hex[]; data: Hex; blockHash?: Hex; logIndex?: Hex; removed?: boolean }
type RpcReceipt = {
  type?: Hex
  status?: Hex
  root?: Hex
  cumulativeGasUsed: Hex
  logsBloom: Hex
  logs: RpcLog[]
  blockHash: Hex
  transactionIndex: Hex
}

async function portalLogs(client: Client, portal: Hex, blockHash: Hex): Promise<DepositLog[]> {
  const logs = (await client.request({
    method: 'eth_getLogs',
    params: [{ blockHash, address: portal, topics: [TRANSACTION_DEPOSITED_TOPIC] }],
  } as never)) as RpcLog[]
  const seen = new Set<bigint>()
  const out: DepositLog[] = []
  for (const log of logs) {
    const bad = (why: string) =>
      new DepositFetchError('inconsistent-response', `eth_getLogs returned a log ${why}.`, { input: log })
    if (log.address?.toLowerCase() !== portal) throw bad('from another contract')
    if (log.blockHash?.toLowerCase() !== blockHash) throw bad('of another block')
    if (log.removed) throw bad('marked removed')
    if (!isHex(log.logIndex)) throw bad('without logIndex')
    const index = hexToBigInt(log.logIndex)
    if (seen.has(index)) throw bad('index twice')
    seen.add(index)
    out.push({ topics: log.topics, data: log.data, blockHash, logIndex: index })
  }
  return out.sort((a, b) => (BigInt(a.logIndex) < BigInt(b.logIndex) ? -1 : 1))
}

async function verifiedPortalLogs(client: Client, portal: Hex, blockHash: Hex): Promise<DepositLog[]> {
  let block: Awaited<ReturnType<typeof getBlock>>
  try {
    block = await getBlock(client, { blockHash })
  } catch (cause) {
    throw new DepositFetchError('block-not-found', `L1 block ${blockHash} not found.`, { cause })
  }
  let receiptsRoot: Hex
  try {
    ;({ receiptsRoot } = verifyBlockHeader({ rlp: encodeBlockHeader(block), hash: blockHash }))
  } catch (cause) {
    throw new DepositFetchError('header-mismatch', `The L1 RPC's block does not hash to ${blockHash}.`, {
      cause,
    })
  }
  const receipts = (await client.request({ method: 'eth_getBlockReceipts', params: [blockHash] } as never)) as
    | RpcReceipt[]
    | null
  if (!Array.isArray(receipts) || receipts.length !== block.transactions.length)
    throw new DepositFetchError(
      'inconsistent-response',
      `eth_getBlockReceipts returned ${receipts?.length ?? 'no'} receipts for ${block.transactions.length} transactions.`,
    )
  const trie = await createMPT()
  const ordered = [...receipts].sort((a, b) =>
    Number(BigInt(a.transactionIndex) - BigInt(b.transactionIndex)),
  )
  for (const [i, r] of ordered.entries()) {
    if (BigInt(r.transactionIndex) !== BigInt(i) || r.blockHash?.toLowerCase() !== blockHash)
      throw new DepositFetchError('inconsistent-response', `Receipt ${i} is out of place.`, { input: r })
    await trie.put(RLP.encode(i), encodeRpcReceipt(r))
  }
  if (toHex(trie.root()) !== receiptsRoot.toLowerCase())
    throw new DepositFetchError(
      'receipts-mismatch',
      `The receipts of L1 block ${blockHash} do not match its receiptsRoot.`,
      { details: `header ${receiptsRoot}, receipts ${toHex(trie.root())}` },
    )
  const out: DepositLog[] = []
  let logIndex = 0
  for (const r of ordered) {
    const success = r.status === undefined ? true : BigInt(r.status) === 1n
    for (const log of r.logs) {
      // op-node: only successful receipts, only the portal, only the TransactionDeposited topic.
      if (
        success &&
        log.address.toLowerCase() === portal &&
        log.topics[0]?.toLowerCase() === TRANSACTION_DEPOSITED_TOPIC
      )
        out.push({ topics: log.topics, data: log.data, blockHash, logIndex })
      logIndex++
    }
  }
  return out
}

/** The consensus encoding of an L1 receipt (EIP-2718 typed or legacy), from its JSON-RPC form. */
function encodeRpcReceipt(r: RpcReceipt): Uint8Array {
  const type = r.type === undefined ? 0 : Number(BigInt(r.type))
  const statusOrRoot =
    r.status !== undefined
      ? BigInt(r.status) === 1n
        ? Uint8Array.of(1)
        : new Uint8Array()
      : hexToBytes(r.root ?? '0x')
  const body = RLP.encode([
    statusOrRoot,
    BigInt(r.cumulativeGasUsed),
    hexToBytes(r.logsBloom),
    r.logs.map((l) => [hexToBytes(l.address), l.topics.map((t) => hexToBytes(t)), hexToBytes(l.data)]),
  ])
  return type === 0 ? body : concat([Uint8Array.of(type), body])
}
