export {
  Batcher,
  BatcherDivergedError,
  type BatcherHealth,
  type BatcherParameters,
  BatchRejectedError,
  BatchTxFailedError,
  inboxTxGas,
} from './Batcher.js'
export {
  batchFromBlocks,
  compressBody,
  decodeBatch,
  decodeBatchBody,
  decompressBody,
  type EncodeBatchOptions,
  encodeBatch,
  encodeBatchBody,
  validateBatchTransaction,
} from './codec.js'
export {
  BATCH_INBOX_ADDRESS,
  type BatchLimits,
  BODY_VERSION,
  Compression,
  type CompressionName,
  DEFAULT_BATCH_LIMITS,
  FrameType,
  PART_HEADER_BYTES,
} from './constants.js'
export {
  BadBatchTransactionError,
  BadCompressionError,
  BadFrameError,
  BatchDecodeError,
  type BatchDecodeErrorReason,
  BatchLimitError,
  InvalidBatchInputError,
  MalformedBatchError,
  TruncatedBatchError,
  UnknownBatchVersionError,
} from './errors.js'
export { ChannelAssembler, channelIdOf, type Frame, parseFrame, toFrames } from './frames.js'
export {
  InboxScanner,
  type InboxScannerParameters,
  L1ChainChangedError,
  type NextBatch,
  type SafeHead,
  type SkippedInboxData,
  type SkipReason,
} from './InboxScanner.js'
export { type ReadBatchesParameters, type ReadBatchesReturnType, readBatches } from './readBatches.js'
export {
  createRpcBatchSource,
  formatRpcBatchBlock,
  type RpcBatchBlock,
  RpcBatchSourceError,
  type RpcBatchSourceParameters,
  rpcBatchBlockSchema,
} from './rpcBatchSource.js'
export type {
  Batch,
  BatchBlock,
  BatchBlockData,
  BatchInclusion,
  BatchSource,
  InboxParameters,
  L1Origin,
  PostedBatch,
} from './types.js'
