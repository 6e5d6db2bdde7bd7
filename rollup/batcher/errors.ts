import { RollupError } from '../shared/errors.js'

/**
 * Why a batch, frame or channel was refused by the decoder. Everything that reaches the inbox is
 * untrusted (anyone can send a transaction to it; the batcher key may be stolen), so every one of
 * these is an expected outcome for the reader: it skips the data with a warning and goes on.
 */
export type BatchDecodeErrorReason =
  /** A frame type, compression algorithm or body version this code does not know. */
  | 'unknown-version'
  /** The data ends before a field it announces. */
  | 'truncated'
  /** The compressed stream is not valid deflate/brotli, or has bytes after its end. */
  | 'bad-compression'
  /** A size or count limit was exceeded (decompression bomb, too many blocks/frames/bytes). */
  | 'limit-exceeded'
  /** Structurally wrong: non-canonical varint, trailing bytes, zero counts, bad witness reference… */
  | 'malformed'
  /** A user transaction is not canonical RLP of a type-0/1/2 envelope (deposits 0x7e, blobs 0x03, … are refused). */
  | 'bad-transaction'
  /** Frames that do not make one channel: index out of range, count disagrees, hash mismatch. */
  | 'bad-frame'

/**
 * Base class of every decoding failure. `reason` says which; `offset` (when known) is the byte
 * position in the decompressed body or the frame.
 */
export class BatchDecodeError extends RollupError {
  override name = 'BatchDecodeError'
  readonly reason: BatchDecodeErrorReason
  readonly offset: number | undefined
  constructor(
    reason: BatchDecodeErrorReason,
    shortMessage: string,
    parameters: { details?: string; offset?: number; input?: unknown; cause?: unknown } = {},
  ) {
    const at = parameters.offset !== undefined ? `at byte ${parameters.offset}` : undefined
    super(shortMessage, {
      details: [parameters.details, at].filter(Boolean).join('; ') || undefined,
      input: parameters.input,
      cause: parameters.cause,
    })
    this.reason = reason
    this.offset = parameters.offset
  }
}

export class UnknownBatchVersionError extends BatchDecodeError {
  override name = 'UnknownBatchVersionError'
  constructor(
    what: 'frame type' | 'compression' | 'body version' | 'blob encoding',
    value: number,
    offset: number,
  ) {
    super('unknown-version', `Unknown ${what} 0x${value.toString(16).padStart(2, '0')}.`, {
      offset,
      input: value,
    })
  }
}

export class TruncatedBatchError extends BatchDecodeError {
  override name = 'TruncatedBatchError'
  constructor(field: string, needed: number, offset: number, length: number) {
    super('truncated', `Batch data ends inside ${field}.`, {
      details: `needs ${needed} byte(s), only ${Math.max(0, length - offset)} left`,
      offset,
    })
  }
}

export class BadCompressionError extends BatchDecodeError {
  override name = 'BadCompressionError'
  constructor(algorithm: string, cause: unknown) {
    super('bad-compression', `The batch is not valid ${algorithm} data.`, { cause })
  }
}

export class BatchLimitError extends BatchDecodeError {
  override name = 'BatchLimitError'
  constructor(what: string, limit: number | bigint, offset?: number) {
    super('limit-exceeded', `The batch exceeds the limit on ${what} (${limit}).`, {
      ...(offset !== undefined ? { offset } : {}),
      details: 'raise the decode limit only if the data is trusted',
    })
  }
}

export class MalformedBatchError extends BatchDecodeError {
  override name = 'MalformedBatchError'
  constructor(shortMessage: string, offset?: number, details?: string) {
    super('malformed', shortMessage, {
      ...(offset !== undefined ? { offset } : {}),
      ...(details ? { details } : {}),
    })
  }
}

export class BadBatchTransactionError extends BatchDecodeError {
  override name = 'BadBatchTransactionError'
  /** Position of the transaction: block number and index in the block. */
  readonly block: bigint | undefined
  readonly index: number | undefined
  constructor(
    details: string,
    where: { block?: bigint; index?: number; offset?: number } = {},
    cause?: unknown,
  ) {
    super(
      'bad-transaction',
      where.block !== undefined
        ? `Transaction ${where.index} of block ${where.block} is not a valid type-0/1/2 transaction.`
        : 'Not a valid type-0/1/2 transaction.',
      { details, ...(where.offset !== undefined ? { offset: where.offset } : {}), cause },
    )
    this.block = where.block
    this.index = where.index
  }
}

export class BadFrameError extends BatchDecodeError {
  override name = 'BadFrameError'
  constructor(shortMessage: string, details?: string) {
    super('bad-frame', shortMessage, details ? { details } : {})
  }
}

/**
 * The blocks handed to the encoder do not form one batch: not contiguous, a broken parent link,
 * time or L1 origin going backwards, a bad witness entry. A programming or source error (the
 * batcher refuses to post), never something read from L1.
 */
export class InvalidBatchInputError extends RollupError {
  override name = 'InvalidBatchInputError'
}

/**
 * A blob source served blobs that are not the ones the L1 transaction commits to: a blob whose
 * KZG commitment does not hash to the transaction's versioned hash at that position, a blob that
 * is not a valid blob (wrong size, a field element at or above the BLS modulus), or a different
 * number of blobs. The data is never decoded. This is a fault of the source, not of the batch
 * (L1 consensus guarantees the committed blobs were published), so the reader stops at this L1
 * block instead of skipping it: skipping would make this reader's chain differ from every honest
 * reader's. Retry, or switch to a source you trust for availability.
 */
export class BlobMismatchError extends RollupError {
  override name = 'BlobMismatchError'
  readonly txHash: string
  /** Position of the offending blob in the transaction, when one blob is at fault. */
  readonly index: number | undefined
  constructor(
    shortMessage: string,
    parameters: { txHash: string; index?: number; details?: string; cause?: unknown },
  ) {
    super(shortMessage, { details: parameters.details, input: parameters.txHash, cause: parameters.cause })
    this.txHash = parameters.txHash
    this.index = parameters.index
  }
}

/**
 * The blob source does not have a transaction's blobs (never seen, or pruned: consensus clients
 * keep blobs ~18 days). Like {@link BlobMismatchError}, the reader stops here rather than skip.
 */
export class BlobUnavailableError extends RollupError {
  override name = 'BlobUnavailableError'
  readonly txHash: string
  constructor(shortMessage: string, parameters: { txHash: string; details?: string; cause?: unknown }) {
    super(shortMessage, { details: parameters.details, input: parameters.txHash, cause: parameters.cause })
    this.txHash = parameters.txHash
  }
}
