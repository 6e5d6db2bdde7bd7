import type { Address } from 'viem'

/**
 * The keystore chain's batch inbox on L1 (OP convention: `0xff00…00` followed by the chain id's
 * decimal digits, here 901). An address nobody holds the key of: a transaction to it always
 * succeeds and only its calldata matters.
 */
export const BATCH_INBOX_ADDRESS: Address = '0xff00000000000000000000000000000000000901'

/** First byte of inbox calldata. */
export const FrameType = {
  /** The rest of the calldata is a whole channel (one batch). */
  single: 0x01,
  /** One frame of a multi-frame channel: 16-byte channel id, u16 index, u16 count, chunk. */
  part: 0x02,
} as const

/** First byte of a channel: how the body is compressed. */
export const Compression = { none: 0x00, deflate: 0x01, brotli: 0x02 } as const
export type CompressionName = keyof typeof Compression

/** First byte of the decompressed body. */
export const BODY_VERSION = 0x01

/** Bytes of a multi-frame header: type (1) + channel id (16) + index (2) + count (2). */
export const PART_HEADER_BYTES = 21

/** Limits applied to untrusted batch data (all overridable per call). */
export type BatchLimits = {
  /** Max channel size (compressed, all frames). Default 4 MiB. */
  maxChannelBytes: number
  /** Max decompressed body (the decompression-bomb guard). Default 16 MiB. */
  maxBodyBytes: number
  /** Max frames per channel. Default 64. */
  maxFrames: number
  /** Max blocks per batch. Default 10,000. */
  maxBlocks: number
  /** Max bytes of one user transaction (the node's mempool limit). Default 128 KiB. */
  maxTxBytes: number
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = {
  maxChannelBytes: 4 * 1024 * 1024,
  maxBodyBytes: 16 * 1024 * 1024,
  maxFrames: 64,
  maxBlocks: 10_000,
  maxTxBytes: 128 * 1024,
}
