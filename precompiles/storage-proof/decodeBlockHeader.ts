import type { Address, Hex } from 'viem'
import { HEADER_FIELDS, REQUIRED_FIELDS } from './blockHeaderFields.js'
import { bytesToBigInt, toHex, tryToBytes } from './bytes.js'
import { BlockHeaderDecodeError, type BlockHeaderDecodeErrorType } from './errors.js'
import { keccak256 } from './keccak.js'
import { RlpDecodeError, type RlpItem, readListItems, readWhole } from './rlp.js'

/** A decoded execution-layer block header. Fields of later forks are present only if the header has them. */
export type BlockHeader = {
  /** keccak256 of the RLP header: the block hash. */
  hash: Hex
  parentHash: Hex
  sha3Uncles: Hex
  miner: Address
  stateRoot: Hex
  transactionsRoot: Hex
  receiptsRoot: Hex
  logsBloom: Hex
  difficulty: bigint
  number: bigint
  gasLimit: bigint
  gasUsed: bigint
  timestamp: bigint
  extraData: Hex
  mixHash: Hex
  nonce: Hex
  /** London. */
  baseFeePerGas?: bigint | undefined
  /** Shanghai. */
  withdrawalsRoot?: Hex | undefined
  /** Cancun. */
  blobGasUsed?: bigint | undefined
  /** Cancun. */
  excessBlobGas?: bigint | undefined
  /** Cancun. */
  parentBeaconBlockRoot?: Hex | undefined
  /** Prague. */
  requestsHash?: Hex | undefined
  /** Fields after requestsHash (forks this library does not name yet), each as its raw RLP encoding. */
  extraFields: Hex[]
}

export type DecodeBlockHeaderReturnType = BlockHeader
export type DecodeBlockHeaderErrorType = BlockHeaderDecodeErrorType

/**
 * Decodes an RLP block header by field index, strictly: canonical RLP, hashes 32 bytes, the
 * miner 20, the bloom 256, the nonce 8, integers without leading zeros. Accepts Frontier through
 * Prague headers, and keeps fields of newer forks in `extraFields`.
 *
 * @param rlp - The RLP-encoded header.
 * @returns The header's fields and its hash.
 * @throws {@link BlockHeaderDecodeError} naming the field and the reason.
 * @example
 * const { stateRoot, number, hash } = decodeBlockHeader(rlp)
 */
export function decodeBlockHeader(rlp: Hex | Uint8Array): DecodeBlockHeaderReturnType {
  const buf = tryToBytes(rlp)
  const rlpHex = typeof rlp === 'string' ? rlp : toHex(rlp)
  if (!buf) throw new BlockHeaderDecodeError({ reason: 'the header is not hex or bytes', rlp: rlpHex })
  let items: RlpItem[]
  try {
    items = readListItems(buf, readWhole(buf))
  } catch (error) {
    if (error instanceof RlpDecodeError)
      throw new BlockHeaderDecodeError({ reason: error.message, rlp: rlpHex })
    throw error
  }
  if (items.length < REQUIRED_FIELDS)
    throw new BlockHeaderDecodeError({
      reason: `a header has at least ${REQUIRED_FIELDS} fields, found ${items.length}`,
      rlp: rlpHex,
    })

  const header: Record<string, unknown> = { hash: toHex(keccak256(buf)) }
  const known = Math.min(items.length, HEADER_FIELDS.length)
  for (let i = 0; i < known; i++) {
    const [name, spec] = HEADER_FIELDS[i]!
    const item = items[i]!
    const fail = (reason: string) => new BlockHeaderDecodeError({ reason, field: name, rlp: rlpHex })
    if (item.list) throw fail(`${name} (field ${i}) must be a byte string, found a list`)
    const value = buf.subarray(item.payloadStart, item.end)
    if (spec.kind === 'int') {
      if (value.length > 32) throw fail(`${name} (field ${i}) is ${value.length} bytes (at most 32)`)
      if (value[0] === 0) throw fail(`${name} (field ${i}) has a leading zero byte`)
      header[name] = bytesToBigInt(value)
    } else {
      if ('size' in spec && value.length !== spec.size)
        throw fail(`${name} (field ${i}) is ${value.length} bytes (must be ${spec.size})`)
      header[name] = toHex(value)
    }
  }
  header.extraFields = items.slice(known).map((item) => toHex(buf.subarray(item.start, item.end)))
  return header as BlockHeader
}
