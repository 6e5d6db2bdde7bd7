/**
 * How inbox frames travel in EIP-4844 blobs: the byte encoding of a blob transaction's payload.
 *
 * A blob is 4096 field elements of 32 bytes (big-endian scalars of BLS12-381, each below the
 * field modulus 0x73ed…0001). This encoding keeps byte 0 of every field element at zero, so any
 * 31 bytes after it make a valid element, and uses bytes 1..31 for data: 31 × 4096 = 126,976
 * data bytes per blob. A transaction's blobs, in order, hold one stream:
 *
 * | stream bytes | content                                      |
 * | ------------ | -------------------------------------------- |
 * | `[0]`        | encoding version `0x00`                      |
 * | `[1..4]`     | payload length L (u32 big-endian), L ≥ 1      |
 * | `[5..5+L)`   | the payload (one inbox frame)                |
 * | rest         | zero up to the end of the last blob          |
 *
 * Stream byte `s` lives in blob `⌊s / 126,976⌋`, field element `⌊(s mod 126,976) / 31⌋`, byte
 * `1 + (s mod 31)` of that element. The encoding is canonical (one payload, one set of blobs): the
 * decoder refuses a non-zero byte 0 in any element, a non-zero byte after the payload, and blobs
 * beyond the ones the length needs.
 */
import {
  InvalidBatchInputError,
  MalformedBatchError,
  TruncatedBatchError,
  UnknownBatchVersionError,
} from './errors.js'

export const BYTES_PER_FIELD_ELEMENT = 32
export const FIELD_ELEMENTS_PER_BLOB = 4096
export const BYTES_PER_BLOB = BYTES_PER_FIELD_ELEMENT * FIELD_ELEMENTS_PER_BLOB
/** Data bytes per field element (byte 0 stays zero). */
export const BLOB_BYTES_PER_FIELD_ELEMENT = 31
/** Data bytes per blob: 126,976. */
export const BLOB_DATA_BYTES = BLOB_BYTES_PER_FIELD_ELEMENT * FIELD_ELEMENTS_PER_BLOB
/** Stream header: version (1) + length (4). */
export const BLOB_HEADER_BYTES = 5
export const BLOB_ENCODING_VERSION = 0x00
/** Blobs per transaction at most (EIP-7594's per-transaction cap, Osaka on). */
export const MAX_BLOBS_PER_TX = 6
/** Blob gas of one blob (EIP-4844 `GAS_PER_BLOB`). */
export const GAS_PER_BLOB = 131_072n

/**
 * The largest payload `blobs` blobs carry.
 *
 * @example
 * blobPayloadCapacity(6) // 761,851
 */
export function blobPayloadCapacity(blobs: number): number {
  return blobs * BLOB_DATA_BYTES - BLOB_HEADER_BYTES
}

/** Blobs needed for a payload of `length` bytes. */
export function blobsForPayload(length: number): number {
  return Math.ceil((BLOB_HEADER_BYTES + length) / BLOB_DATA_BYTES)
}

/**
 * Encodes one payload (an inbox frame) into as few blobs as it needs.
 *
 * @param payload 1 .. `blobPayloadCapacity(maxBlobs)` bytes.
 * @param options `maxBlobs` (default {@link MAX_BLOBS_PER_TX}).
 * @returns The blobs, 131,072 bytes each.
 * @throws {@link InvalidBatchInputError} for an empty or too large payload.
 * @example
 * const blobs = encodeBlobPayload(toFrames(channel, { maxFrameBytes: blobPayloadCapacity(6) })[0]!)
 */
export function encodeBlobPayload(
  payload: Uint8Array,
  options: { maxBlobs?: number | undefined } = {},
): Uint8Array[] {
  const maxBlobs = options.maxBlobs ?? MAX_BLOBS_PER_TX
  if (payload.length === 0) throw new InvalidBatchInputError('An empty blob payload.')
  if (payload.length > blobPayloadCapacity(maxBlobs))
    throw new InvalidBatchInputError(
      `A payload of ${payload.length} bytes does not fit ${maxBlobs} blob(s).`,
      { details: `at most ${blobPayloadCapacity(maxBlobs)} bytes` },
    )
  const count = blobsForPayload(payload.length)
  const stream = new Uint8Array(count * BLOB_DATA_BYTES)
  stream[0] = BLOB_ENCODING_VERSION
  new DataView(stream.buffer).setUint32(1, payload.length)
  stream.set(payload, BLOB_HEADER_BYTES)
  const blobs: Uint8Array[] = []
  for (let b = 0; b < count; b++) {
    const blob = new Uint8Array(BYTES_PER_BLOB)
    for (let e = 0; e < FIELD_ELEMENTS_PER_BLOB; e++) {
      const from = b * BLOB_DATA_BYTES + e * BLOB_BYTES_PER_FIELD_ELEMENT
      blob.set(stream.subarray(from, from + BLOB_BYTES_PER_FIELD_ELEMENT), e * BYTES_PER_FIELD_ELEMENT + 1)
    }
    blobs.push(blob)
  }
  return blobs
}

/**
 * Decodes a blob transaction's payload. The blobs must already be verified against the
 * transaction's versioned hashes (`getVerifiedBlobs`): this only checks the encoding.
 *
 * @param blobs the transaction's blobs, in order.
 * @returns The payload (an inbox frame).
 * @throws {@link BatchDecodeError}: `malformed` (wrong blob size, a non-zero byte 0, non-zero
 *   padding, extra blobs), `unknown-version`, `truncated` (a length beyond the blobs).
 * @example
 * const frame = parseFrame(decodeBlobPayload(await getVerifiedBlobs(source, request)))
 */
export function decodeBlobPayload(blobs: readonly Uint8Array[]): Uint8Array {
  if (blobs.length === 0) throw new MalformedBatchError('A blob transaction without blobs.')
  const stream = new Uint8Array(blobs.length * BLOB_DATA_BYTES)
  for (const [b, blob] of blobs.entries()) {
    if (blob.length !== BYTES_PER_BLOB)
      throw new MalformedBatchError(`Blob ${b} has ${blob.length} bytes, not ${BYTES_PER_BLOB}.`)
    for (let e = 0; e < FIELD_ELEMENTS_PER_BLOB; e++) {
      const at = e * BYTES_PER_FIELD_ELEMENT
      if (blob[at] !== 0)
        throw new MalformedBatchError(
          `Field element ${e} of blob ${b} has a non-zero first byte.`,
          undefined,
          'the blob encoding keeps byte 0 of every field element zero',
        )
      stream.set(
        blob.subarray(at + 1, at + BYTES_PER_FIELD_ELEMENT),
        b * BLOB_DATA_BYTES + e * BLOB_BYTES_PER_FIELD_ELEMENT,
      )
    }
  }
  const version = stream[0] as number
  if (version !== BLOB_ENCODING_VERSION) throw new UnknownBatchVersionError('blob encoding', version, 0)
  const length = new DataView(stream.buffer).getUint32(1)
  if (length === 0) throw new MalformedBatchError('A blob payload of length 0.', 1)
  const end = BLOB_HEADER_BYTES + length
  if (end > stream.length)
    throw new TruncatedBatchError('the blob payload', length, BLOB_HEADER_BYTES, stream.length)
  if (blobsForPayload(length) !== blobs.length)
    throw new MalformedBatchError(
      `${blobs.length} blobs for a payload that needs ${blobsForPayload(length)}.`,
      undefined,
      'no empty blobs after the payload',
    )
  for (let i = end; i < stream.length; i++)
    if (stream[i] !== 0) throw new MalformedBatchError('Non-zero bytes after the blob payload.', i)
  return stream.slice(BLOB_HEADER_BYTES, end)
}
