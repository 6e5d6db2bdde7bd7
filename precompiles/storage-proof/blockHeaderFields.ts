/** The execution-layer block header, field by field (internal; shared by the header codecs). */

/** How a field is encoded: a fixed-size byte string, an integer, or free-form bytes. */
export type FieldKind = { kind: 'bytes'; size?: number } | { kind: 'int' }

const hash: FieldKind = { kind: 'bytes', size: 32 }
const int: FieldKind = { kind: 'int' }

/**
 * Header fields in RLP order. The first 15 exist since Frontier; later forks append:
 * London baseFeePerGas (15), Shanghai withdrawalsRoot (16), Cancun blobGasUsed, excessBlobGas,
 * parentBeaconBlockRoot (17–19), Prague requestsHash (20). A later field implies the earlier ones.
 */
export const HEADER_FIELDS = [
  ['parentHash', hash],
  ['sha3Uncles', hash],
  ['miner', { kind: 'bytes', size: 20 }],
  ['stateRoot', hash],
  ['transactionsRoot', hash],
  ['receiptsRoot', hash],
  ['logsBloom', { kind: 'bytes', size: 256 }],
  ['difficulty', int],
  ['number', int],
  ['gasLimit', int],
  ['gasUsed', int],
  ['timestamp', int],
  ['extraData', { kind: 'bytes' }],
  ['mixHash', hash],
  ['nonce', { kind: 'bytes', size: 8 }],
  ['baseFeePerGas', int],
  ['withdrawalsRoot', hash],
  ['blobGasUsed', int],
  ['excessBlobGas', int],
  ['parentBeaconBlockRoot', hash],
  ['requestsHash', hash],
] as const satisfies readonly (readonly [string, FieldKind])[]

/** Number of fields every header has (Frontier shape); fields from index 15 on are optional. */
export const REQUIRED_FIELDS = 15

export type HeaderFieldName = (typeof HEADER_FIELDS)[number][0]
