export {
  Batcher,
  BatcherDivergedError,
  type BatcherHealth,
  type BatcherParameters,
  BatchRejectedError,
  BatchTxFailedError,
  type DataAvailability,
  inboxTxGas,
} from './Batcher.js'
export {
  type BeaconBlobSourceParameters,
  type BlobRequest,
  type BlobSource,
  BlobSourceError,
  createBeaconBlobSource,
  createRpcBlobSource,
  getVerifiedBlobs,
} from './blobSource.js'
export {
  BLOB_DATA_BYTES,
  BLOB_ENCODING_VERSION,
  BLOB_HEADER_BYTES,
  BYTES_PER_BLOB,
  blobPayloadCapacity,
  blobsForPayload,
  decodeBlobPayload,
  encodeBlobPayload,
  GAS_PER_BLOB,
  MAX_BLOBS_PER_TX,
} from './blobs.js'
export {
  BlobFeeTooHighError,
  type BlobSidecar,
  type BlobSidecarVersion,
  BlobTxSender,
  type BlobTxSenderParameters,
  prepareBlobs,
  wrapBlobTransaction,
} from './blobTx.js'
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
  BlobMismatchError,
  BlobUnavailableError,
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
export { type BlobKzg, createKzgWorker, KzgError, sharedKzg, versionedHashOf } from './kzg.js'
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
