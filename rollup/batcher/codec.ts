/**
 * The batch codec: a batch (a contiguous run of L2 blocks) ⇄ a compressed "channel" (what the
 * frames carry). The byte layout is in README.md; this file is its only implementation.
 *
 * Threat model: the decoder's input comes from L1 calldata that anyone can write (the reader
 * filters by sender, but the batcher key may be stolen). It must never throw anything but a
 * {@link BatchDecodeError}, never allocate more than the limits allow (decompression bombs), and
 * accept exactly one byte string per batch body (canonical varints, no trailing bytes, repeated
 * witness entries only as references), so that re-encoding a decoded body gives the same bytes.
 */
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateRawSync,
  inflateRawSync,
} from 'node:zlib'
import { RLP } from '@ethereumjs/rlp'
import { type Address, bytesToHex, type Hex, hexToBytes, isHex } from 'viem'
import type { L1SloadWitnessEntry } from '../../precompiles/l1sload/L1SloadWitness.js'
import { witnessKey } from '../../precompiles/l1sload/L1SloadWitness.js'
import { ByteReader, ByteWriter, U64_MAX } from './bytes.js'
import {
  type BatchLimits,
  BODY_VERSION,
  Compression,
  type CompressionName,
  DEFAULT_BATCH_LIMITS,
} from './constants.js'
import {
  BadBatchTransactionError,
  BadCompressionError,
  BatchDecodeError,
  BatchLimitError,
  InvalidBatchInputError,
  MalformedBatchError,
  TruncatedBatchError,
  UnknownBatchVersionError,
} from './errors.js'
import type { Batch, BatchBlock, BatchBlockData } from './types.js'

/** Fields of each allowed envelope: legacy (9), EIP-2930 (11), EIP-1559 (12); index of the access list. */
const TX_SHAPES: Record<number, { fields: number; accessList: number | undefined; name: string }> = {
  0: { fields: 9, accessList: undefined, name: 'legacy' },
  1: { fields: 11, accessList: 7, name: 'EIP-2930' },
  2: { fields: 12, accessList: 8, name: 'EIP-1559' },
}

/**
 * Checks that `raw` is canonical RLP of a signed type-0 (legacy), 1 (EIP-2930) or 2 (EIP-1559)
 * transaction with the right number of fields. Deposits (0x7e), blobs (0x03), set-code (0x04)
 * and anything else are refused: deposits come from L1 events, never from the batcher. Signature,
 * chain id and nonce are the verifier's business (it executes the block).
 *
 * @throws {@link BadBatchTransactionError}
 */
export function validateBatchTransaction(
  raw: Uint8Array,
  where: { block?: bigint; index?: number } = {},
): void {
  if (raw.length === 0) throw new BadBatchTransactionError('empty transaction', where)
  const first = raw[0] as number
  const type = first >= 0xc0 ? 0 : first
  const shape = TX_SHAPES[type]
  if (shape === undefined || (type !== 0 && first >= 0x80))
    throw new BadBatchTransactionError(
      `type 0x${first.toString(16).padStart(2, '0')} is not allowed in a batch (only 0, 1, 2)`,
      where,
    )
  let decoded: unknown
  try {
    decoded = RLP.decode(type === 0 ? raw : raw.subarray(1))
  } catch (error) {
    throw new BadBatchTransactionError(`bad RLP: ${(error as Error).message}`, where, error)
  }
  if (!Array.isArray(decoded) || decoded.length !== shape.fields)
    throw new BadBatchTransactionError(
      `a ${shape.name} transaction is an RLP list of ${shape.fields} fields`,
      where,
    )
  for (const [i, field] of decoded.entries()) {
    const isList = Array.isArray(field)
    if (isList !== (i === shape.accessList))
      throw new BadBatchTransactionError(
        `field ${i} of a ${shape.name} transaction must be ${i === shape.accessList ? 'a list' : 'a byte string'}`,
        where,
      )
  }
}

function checkHex(value: unknown, bytes: number, what: string): Uint8Array {
  if (typeof value !== 'string' || !isHex(value, { strict: true }) || value.length !== 2 + bytes * 2)
    throw new InvalidBatchInputError(`${what} must be ${bytes} bytes of hex.`, { input: value })
  return hexToBytes(value as Hex)
}

function checkU64(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX)
    throw new InvalidBatchInputError(`${what} must be a bigint in [0, 2^64).`, { input: value })
  return value
}

/**
 * Builds the batch for `blocks` and checks that they are one: non-empty, contiguous numbers, each
 * `parentHash` the previous block's `hash`.
 *
 * @throws {@link InvalidBatchInputError}
 * @example
 * const batch = batchFromBlocks([await source.getBatchBlock(5n), await source.getBatchBlock(6n)])
 */
export function batchFromBlocks(blocks: readonly BatchBlock[]): Batch {
  const first = blocks[0]
  const last = blocks[blocks.length - 1]
  if (!first || !last) throw new InvalidBatchInputError('A batch needs at least one block.')
  for (let i = 1; i < blocks.length; i++) {
    const prev = blocks[i - 1] as BatchBlock
    const block = blocks[i] as BatchBlock
    if (block.parentHash.toLowerCase() !== prev.hash.toLowerCase())
      throw new InvalidBatchInputError(`Block ${block.number} does not build on block ${prev.number}.`, {
        details: `parentHash ${block.parentHash}, previous hash ${prev.hash}`,
      })
  }
  return {
    parentHash: first.parentHash,
    lastHash: last.hash,
    blocks: blocks.map(({ hash: _h, parentHash: _p, ...data }) => data),
  }
}

/**
 * Encodes a batch body (uncompressed; layout in README.md). Validates the input first: numbers
 * contiguous from ≥ 1, timestamps and L1 origins non-decreasing (one hash per origin number),
 * hashes 32 bytes, transactions valid envelopes, witness entries well-formed and not conflicting.
 *
 * @throws {@link InvalidBatchInputError} (and {@link BadBatchTransactionError} for a bad transaction)
 * @example
 * const body = encodeBatchBody(batchFromBlocks(blocks))
 */
export function encodeBatchBody(batch: Batch): Uint8Array {
  const w = new ByteWriter()
  const first = batch.blocks[0]
  if (!first) throw new InvalidBatchInputError('A batch needs at least one block.')
  w.u8(BODY_VERSION)
  w.bytes(checkHex(batch.parentHash, 32, 'parentHash'))
  w.bytes(checkHex(batch.lastHash, 32, 'lastHash'))
  const firstNumber = checkU64(first.number, 'block number')
  if (firstNumber === 0n) throw new InvalidBatchInputError('Genesis (block 0) is never batched.')
  if (firstNumber + BigInt(batch.blocks.length - 1) > U64_MAX)
    throw new InvalidBatchInputError('Block numbers overflow 64 bits.')
  w.uvar(firstNumber)
  w.uvar(batch.blocks.length)
  w.uvar(checkU64(first.timestamp, 'timestamp'))
  w.uvar(checkU64(first.l1Origin.number, 'L1 origin number'))
  w.bytes(checkHex(first.l1Origin.hash, 32, 'L1 origin hash'))
  const table = new Map<string, { index: number; value: string }>()
  let prev: BatchBlockData | undefined
  for (const [i, block] of batch.blocks.entries()) {
    const expected = firstNumber + BigInt(i)
    if (block.number !== expected)
      throw new InvalidBatchInputError(
        `Blocks are not contiguous: expected ${expected}, got ${block.number}.`,
        {
          input: block.number,
        },
      )
    const timestamp = checkU64(block.timestamp, 'timestamp')
    const originNumber = checkU64(block.l1Origin.number, 'L1 origin number')
    const originHash = checkHex(block.l1Origin.hash, 32, 'L1 origin hash')
    if (prev) {
      if (timestamp < prev.timestamp)
        throw new InvalidBatchInputError(`Block ${block.number}'s timestamp goes backwards.`)
      if (originNumber < prev.l1Origin.number)
        throw new InvalidBatchInputError(`Block ${block.number}'s L1 origin goes backwards.`)
      if (
        originNumber === prev.l1Origin.number &&
        block.l1Origin.hash.toLowerCase() !== prev.l1Origin.hash.toLowerCase()
      )
        throw new InvalidBatchInputError(
          `Block ${block.number} names another hash for L1 block ${originNumber}.`,
        )
      w.uvar(timestamp - prev.timestamp)
      w.uvar(originNumber - prev.l1Origin.number)
      if (originNumber > prev.l1Origin.number) w.bytes(originHash)
    }
    w.uvar(block.transactions.length)
    for (const [index, tx] of block.transactions.entries()) {
      if (typeof tx !== 'string' || !isHex(tx, { strict: true }) || tx.length % 2 !== 0)
        throw new InvalidBatchInputError(`Transaction ${index} of block ${block.number} is not hex.`, {
          input: tx,
        })
      const raw = hexToBytes(tx)
      validateBatchTransaction(raw, { block: block.number, index })
      w.uvar(raw.length)
      w.bytes(raw)
    }
    w.uvar(block.l1sload.length)
    for (const entry of block.l1sload) {
      const l1Block = checkU64(entry.l1BlockNumber, 'witness L1 block number')
      const address = checkHex(entry.address, 20, 'witness address')
      const key = checkHex(entry.key, 32, 'witness key')
      const value = checkHex(entry.value, 32, 'witness value')
      const k = witnessKey(l1Block, entry.address, entry.key)
      const known = table.get(k)
      const valueHex = entry.value.toLowerCase()
      if (known) {
        if (known.value !== valueHex)
          throw new InvalidBatchInputError(`Two values for L1SLOAD witness ${k}.`, {
            details: `${known.value} and ${valueHex}`,
          })
        w.uvar(known.index)
        continue
      }
      table.set(k, { index: table.size + 1, value: valueHex })
      w.uvar(0)
      w.zvar(l1Block - originNumber)
      w.bytes(address)
      w.bytes(key)
      w.bytes(value)
    }
    prev = block
  }
  return w.finish()
}

function resolveLimits(limits: Partial<BatchLimits> | undefined): BatchLimits {
  return { ...DEFAULT_BATCH_LIMITS, ...limits }
}

/**
 * Decodes a batch body (uncompressed). Accepts exactly the output of {@link encodeBatchBody}.
 *
 * @throws {@link BatchDecodeError} (a subclass: truncated, malformed, unknown version, limits, bad transaction)
 * @example
 * const batch = decodeBatchBody(body, { maxBlocks: 1000 })
 */
export function decodeBatchBody(body: Uint8Array, limits?: Partial<BatchLimits>): Batch {
  const l = resolveLimits(limits)
  const r = new ByteReader(body)
  const version = r.u8('body version')
  if (version !== BODY_VERSION) throw new UnknownBatchVersionError('body version', version, 0)
  const parentHash = bytesToHex(r.bytes(32, 'parentHash'))
  const lastHash = bytesToHex(r.bytes(32, 'lastHash'))
  const numberAt = r.offset
  const firstNumber = r.uvar('first block number')
  if (firstNumber === 0n) throw new MalformedBatchError('A batch cannot contain genesis (block 0).', numberAt)
  const count = r.count(
    'block count',
    l.maxBlocks,
    (at) => new BatchLimitError('blocks per batch', l.maxBlocks, at),
  )
  if (count === 0) throw new MalformedBatchError('A batch has no blocks.', r.offset - 1)
  if (firstNumber + BigInt(count - 1) > U64_MAX)
    throw new MalformedBatchError('Block numbers overflow 64 bits.', numberAt)
  let timestamp = r.uvar('first timestamp')
  let origin = {
    number: r.uvar('first L1 origin number'),
    hash: bytesToHex(r.bytes(32, 'first L1 origin hash')),
  }
  const table: L1SloadWitnessEntry[] = []
  const seen = new Set<string>()
  const blocks: BatchBlockData[] = []
  for (let i = 0; i < count; i++) {
    const number = firstNumber + BigInt(i)
    if (i > 0) {
      const at = r.offset
      timestamp += r.uvar('timestamp delta')
      if (timestamp > U64_MAX) throw new MalformedBatchError('Timestamp overflows 64 bits.', at)
      const originAt = r.offset
      const delta = r.uvar('L1 origin delta')
      if (delta > 0n) {
        const originNumber = origin.number + delta
        if (originNumber > U64_MAX)
          throw new MalformedBatchError('L1 origin number overflows 64 bits.', originAt)
        origin = { number: originNumber, hash: bytesToHex(r.bytes(32, 'L1 origin hash')) }
      }
    }
    const txCountAt = r.offset
    const txCount = r.count(
      'transaction count',
      Number.MAX_SAFE_INTEGER,
      (at) => new MalformedBatchError('Transaction count overflows.', at),
    )
    // every transaction takes at least 2 bytes: refuse absurd counts before looping
    if (txCount * 2 > r.remaining)
      throw new TruncatedBatchError(`${txCount} transactions`, txCount * 2, txCountAt, body.length)
    const transactions: Hex[] = []
    for (let index = 0; index < txCount; index++) {
      const lengthAt = r.offset
      const length = r.count(
        'transaction length',
        l.maxTxBytes,
        (at) => new BatchLimitError('transaction size', l.maxTxBytes, at),
      )
      if (length === 0) throw new MalformedBatchError('Empty transaction.', lengthAt)
      const raw = r.bytes(length, 'transaction')
      validateBatchTransaction(raw, { block: number, index })
      transactions.push(bytesToHex(raw))
    }
    const witnessAt = r.offset
    const witnessCount = r.count(
      'witness count',
      Number.MAX_SAFE_INTEGER,
      (at) => new MalformedBatchError('Witness count overflows.', at),
    )
    if (witnessCount > r.remaining)
      throw new TruncatedBatchError(`${witnessCount} witness entries`, witnessCount, witnessAt, body.length)
    const l1sload: L1SloadWitnessEntry[] = []
    for (let j = 0; j < witnessCount; j++) {
      const refAt = r.offset
      const ref = r.uvar('witness reference')
      if (ref > 0n) {
        const entry = ref <= BigInt(table.length) ? table[Number(ref) - 1] : undefined
        if (!entry)
          throw new MalformedBatchError(
            `Witness reference ${ref} points past the ${table.length} entries so far.`,
            refAt,
          )
        l1sload.push({ ...entry })
        continue
      }
      const deltaAt = r.offset
      const l1BlockNumber = origin.number + r.zvar('witness L1 block delta')
      if (l1BlockNumber < 0n || l1BlockNumber > U64_MAX)
        throw new MalformedBatchError('Witness L1 block number out of range.', deltaAt)
      const entry: L1SloadWitnessEntry = {
        l1BlockNumber,
        address: bytesToHex(r.bytes(20, 'witness address')) as Address,
        key: bytesToHex(r.bytes(32, 'witness key')),
        value: bytesToHex(r.bytes(32, 'witness value')),
      }
      const k = witnessKey(entry.l1BlockNumber, entry.address, entry.key)
      if (seen.has(k))
        throw new MalformedBatchError(
          `Witness entry ${k} repeated instead of referenced (or conflicting).`,
          refAt,
        )
      seen.add(k)
      table.push(entry)
      l1sload.push({ ...entry })
    }
    blocks.push({ number, timestamp, l1Origin: { ...origin }, transactions, l1sload })
  }
  if (r.remaining > 0) throw new MalformedBatchError(`${r.remaining} byte(s) after the last block.`, r.offset)
  return { parentHash, lastHash, blocks }
}

/**
 * Compresses a body. `deflate` is raw DEFLATE (RFC 1951, zlib level 9); `brotli` is RFC 7932 at
 * quality 9 with a window of the body's size (up to 16 MiB) (on keystore transactions quality 11 is 0.2% smaller and ~15×
 * slower: ~0.5 s for 170 KB).
 *
 * @example
 * const compressed = compressBody(body, 'brotli')
 */
export function compressBody(body: Uint8Array, compression: CompressionName): Uint8Array {
  switch (compression) {
    case 'none':
      return body
    case 'deflate':
      return new Uint8Array(deflateRawSync(body, { level: 9, memLevel: 9 }))
    case 'brotli':
      return new Uint8Array(
        brotliCompressSync(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 9,
            [constants.BROTLI_PARAM_LGWIN]: Math.min(24, Math.max(16, Math.ceil(Math.log2(body.length + 1)))),
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        }),
      )
  }
}

/**
 * Decompresses at most `maxBytes` (the decompression-bomb guard) and refuses bytes after the end
 * of the compressed stream.
 *
 * @throws {@link BadCompressionError}, {@link BatchLimitError}
 */
export function decompressBody(data: Uint8Array, compression: CompressionName, maxBytes: number): Uint8Array {
  if (compression === 'none') {
    if (data.length > maxBytes) throw new BatchLimitError('decompressed bytes', maxBytes)
    return data
  }
  const algorithm = compression === 'deflate' ? 'raw DEFLATE' : 'brotli'
  let result: { buffer: Buffer; engine: { bytesWritten: number } }
  try {
    const options = { maxOutputLength: maxBytes, info: true } as const
    result = (compression === 'deflate'
      ? inflateRawSync(data, options)
      : brotliDecompressSync(data, options)) as unknown as {
      buffer: Buffer
      engine: { bytesWritten: number }
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
      throw new BatchLimitError('decompressed bytes', maxBytes)
    throw new BadCompressionError(algorithm, error)
  }
  if (result.engine.bytesWritten !== data.length)
    throw new BadCompressionError(
      algorithm,
      new Error(`${data.length - result.engine.bytesWritten} byte(s) after the end of the stream`),
    )
  return new Uint8Array(result.buffer.buffer, result.buffer.byteOffset, result.buffer.byteLength)
}

export type EncodeBatchOptions = {
  /** Default `brotli` (smaller than deflate on keystore transactions; see README). */
  compression?: CompressionName | undefined
}

/**
 * Encodes a batch as channel data: one compression byte, then the compressed body. Cut it into
 * inbox calldata with `toFrames`.
 *
 * @throws {@link InvalidBatchInputError}
 * @example
 * const channel = encodeBatch(batchFromBlocks(blocks), { compression: 'brotli' })
 * const calldata = toFrames(channel, { maxFrameBytes: 120_000 })
 */
export function encodeBatch(batch: Batch, options: EncodeBatchOptions = {}): Uint8Array {
  const compression = options.compression ?? 'brotli'
  const compressed = compressBody(encodeBatchBody(batch), compression)
  const out = new Uint8Array(1 + compressed.length)
  out[0] = Compression[compression]
  out.set(compressed, 1)
  return out
}

const COMPRESSION_BY_ID = new Map<number, CompressionName>(
  Object.entries(Compression).map(([name, id]) => [id, name as CompressionName]),
)

/**
 * Decodes channel data (compression byte + compressed body) into a batch.
 *
 * @throws {@link BatchDecodeError} and only that, whatever the input.
 * @example
 * const batch = decodeBatch(channel) // { parentHash, lastHash, blocks }
 */
export function decodeBatch(channel: Uint8Array, limits?: Partial<BatchLimits>): Batch {
  const l = resolveLimits(limits)
  try {
    if (channel.length === 0) throw new TruncatedBatchError('compression byte', 1, 0, 0)
    if (channel.length > l.maxChannelBytes) throw new BatchLimitError('channel bytes', l.maxChannelBytes)
    const id = channel[0] as number
    const compression = COMPRESSION_BY_ID.get(id)
    if (compression === undefined) throw new UnknownBatchVersionError('compression', id, 0)
    return decodeBatchBody(decompressBody(channel.subarray(1), compression, l.maxBodyBytes), l)
  } catch (error) {
    if (error instanceof BatchDecodeError) throw error
    // Defence in depth: nothing else should escape, but a verifier must never crash on input.
    throw new MalformedBatchError('The batch could not be decoded.', undefined, (error as Error)?.message)
  }
}
