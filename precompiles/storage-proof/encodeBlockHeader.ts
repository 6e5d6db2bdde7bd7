import { RLP } from '@ethereumjs/rlp'
import type { Hex } from 'viem'
import { HEADER_FIELDS, type HeaderFieldName, REQUIRED_FIELDS } from './blockHeaderFields.js'
import { toHex, tryToBytes } from './bytes.js'
import { BlockHeaderEncodeError, type BlockHeaderEncodeErrorType } from './errors.js'

/** An integer as viem formats it (`bigint`), as a JSON-RPC quantity (`0x…`), or a JS number. */
type Quantity = bigint | number | Hex

/**
 * The header fields of a block, as returned by viem's `getBlock` or raw `eth_getBlockByNumber`
 * (quantities may be bigints or hex). Other properties (transactions, size, …) are ignored.
 */
export type EncodeBlockHeaderParameters = {
  parentHash: Hex
  sha3Uncles: Hex
  miner: Hex
  stateRoot: Hex
  transactionsRoot: Hex
  receiptsRoot: Hex
  logsBloom: Hex | null
  difficulty: Quantity
  number: Quantity | null
  gasLimit: Quantity
  gasUsed: Quantity
  timestamp: Quantity
  extraData: Hex
  mixHash: Hex
  nonce: Hex | null
  baseFeePerGas?: Quantity | null | undefined
  withdrawalsRoot?: Hex | null | undefined
  blobGasUsed?: Quantity | null | undefined
  excessBlobGas?: Quantity | null | undefined
  parentBeaconBlockRoot?: Hex | null | undefined
  requestsHash?: Hex | null | undefined
  /** Raw RLP items appended after requestsHash (see {@link decodeBlockHeader}). */
  extraFields?: readonly Hex[] | undefined
}

export type EncodeBlockHeaderReturnType = Hex
export type EncodeBlockHeaderErrorType = BlockHeaderEncodeErrorType

/**
 * Builds the RLP block header from a block as an RPC returns it, so that its keccak256 can be
 * compared with the block hash.
 *
 * Fields from later forks are included when present (`null`/`undefined` means absent); the
 * presence of a later field implies all earlier ones, so a block with, say, `requestsHash` but no
 * `parentBeaconBlockRoot` is rejected. A pending block (no number, nonce or bloom) is rejected.
 *
 * @param block - A viem `Block` or a raw JSON-RPC block.
 * @returns The RLP-encoded header.
 * @throws {@link BlockHeaderEncodeError} naming the missing or malformed field.
 * @example
 * const block = await getBlock(client, { blockNumber })
 * keccak256(encodeBlockHeader(block)) === block.hash // true for a consistent RPC
 */
export function encodeBlockHeader(block: EncodeBlockHeaderParameters): EncodeBlockHeaderReturnType {
  const values = block as unknown as Record<HeaderFieldName, unknown>
  const present = (name: HeaderFieldName) => values[name] !== undefined && values[name] !== null
  let count = REQUIRED_FIELDS
  for (let i = HEADER_FIELDS.length - 1; i >= REQUIRED_FIELDS; i--)
    if (present(HEADER_FIELDS[i]![0])) {
      count = i + 1
      break
    }

  const items: (Uint8Array | Uint8Array[])[] = []
  for (let i = 0; i < count; i++) {
    const [name, spec] = HEADER_FIELDS[i]!
    const fail = (reason: string) => new BlockHeaderEncodeError({ reason, field: name, block })
    if (!present(name)) {
      const later = HEADER_FIELDS.slice(i + 1, count).findLast(([n]) => present(n))?.[0]
      throw fail(
        i < REQUIRED_FIELDS
          ? 'is missing (a pending block has no header hash)'
          : `is missing although the later field ${later} is present`,
      )
    }
    const value = values[name]
    if (spec.kind === 'int') items.push(quantityBytes(value, fail))
    else {
      const bytes = typeof value === 'string' ? tryToBytes(value as Hex) : undefined
      if (!bytes) throw fail(`is not hex: ${String(value)}`)
      if ('size' in spec && bytes.length !== spec.size)
        throw fail(`is ${bytes.length} bytes (must be ${spec.size})`)
      items.push(bytes)
    }
  }
  if (block.extraFields?.length) {
    if (count !== HEADER_FIELDS.length)
      throw new BlockHeaderEncodeError({
        reason: 'must be present when extraFields are given',
        field: HEADER_FIELDS[count]![0],
        block,
      })
    for (const raw of block.extraFields)
      items.push(RLP.decode(tryToBytes(raw) ?? new Uint8Array()) as Uint8Array)
  }
  return toHex(RLP.encode(items as Uint8Array[]))
}

/** Minimal big-endian bytes of a quantity (0 → empty string). */
function quantityBytes(value: unknown, fail: (reason: string) => Error): Uint8Array {
  let n: bigint
  try {
    if (typeof value === 'bigint') n = value
    else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value)
    else if (typeof value === 'string' && /^0x[0-9a-fA-F]+$/.test(value)) n = BigInt(value)
    else throw new Error()
  } catch {
    throw fail(`is not an integer: ${String(value)}`)
  }
  if (n < 0n || n >= 1n << 256n) throw fail(`is out of range: ${n}`)
  if (n === 0n) return new Uint8Array()
  const hex = n.toString(16)
  return tryToBytes(`0x${hex.length % 2 ? '0' : ''}${hex}`)!
}
