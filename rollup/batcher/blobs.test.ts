import { createPublicClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { Batcher } from './Batcher.js'
import {
  BLOB_DATA_BYTES,
  BYTES_PER_BLOB,
  blobPayloadCapacity,
  blobsForPayload,
  decodeBlobPayload,
  encodeBlobPayload,
} from './blobs.js'
import { BatchDecodeError, InvalidBatchInputError } from './errors.js'
import { KeystoreBlockSource, TestRng } from './testing.js'

const rng = new TestRng('blobs')

describe('blob payload encoding', () => {
  test('layout: version, u32 length, 31 data bytes per field element, byte 0 zero', () => {
    const payload = rng.bytes(100)
    const [blob, ...rest] = encodeBlobPayload(payload)
    expect(rest).toEqual([])
    expect(blob!.length).toBe(BYTES_PER_BLOB)
    // element 0: 0x00 · version 0x00 · length 00 00 00 64 · payload[0..26)
    expect([...blob!.subarray(0, 6)]).toEqual([0, 0, 0, 0, 0, 100])
    expect(blob!.subarray(6, 32)).toEqual(payload.subarray(0, 26))
    // element 1: 0x00 · payload[26..57)
    expect(blob![32]).toBe(0)
    expect(blob!.subarray(33, 64)).toEqual(payload.subarray(26, 57))
    for (let e = 0; e < 4096; e++) expect(blob![e * 32]).toBe(0)
    expect(blob!.subarray(5 * 32).every((b, i) => (i % 32 === 0 ? b === 0 : true))).toBe(true)
    expect(blob!.subarray(4 * 32).every((b) => b === 0)).toBe(true) // 5 + 100 bytes < 4 elements
  })

  test('round trips at every boundary, in as few blobs as needed', () => {
    const one = BLOB_DATA_BYTES - 5
    for (const size of [
      1,
      26,
      27,
      31,
      1000,
      one - 1,
      one,
      one + 1,
      2 * BLOB_DATA_BYTES,
      blobPayloadCapacity(6),
    ]) {
      const payload = rng.bytes(size)
      const blobs = encodeBlobPayload(payload)
      expect(blobs.length, `size ${size}`).toBe(blobsForPayload(size))
      expect(Buffer.from(decodeBlobPayload(blobs)).equals(payload)).toBe(true)
    }
    expect(blobsForPayload(one)).toBe(1)
    expect(blobsForPayload(one + 1)).toBe(2)
    expect(blobPayloadCapacity(6)).toBe(761_851)
  })

  test('the encoder refuses empty and oversized payloads', () => {
    expect(() => encodeBlobPayload(new Uint8Array())).toThrow(InvalidBatchInputError)
    expect(() => encodeBlobPayload(new Uint8Array(blobPayloadCapacity(6) + 1))).toThrow(/does not fit 6 blob/)
    expect(() => encodeBlobPayload(new Uint8Array(blobPayloadCapacity(1) + 1), { maxBlobs: 1 })).toThrow(
      InvalidBatchInputError,
    )
  })

  test('the decoder refuses every non-canonical or malformed encoding', () => {
    const payload = rng.bytes(500)
    const good = () => encodeBlobPayload(payload).map((b) => b.slice())
    const reason = (blobs: Uint8Array[]) => {
      try {
        decodeBlobPayload(blobs)
      } catch (error) {
        expect(error).toBeInstanceOf(BatchDecodeError)
        return `${(error as BatchDecodeError).reason}: ${(error as BatchDecodeError).shortMessage}`
      }
      return 'decoded'
    }
    expect(reason(good())).toBe('decoded')
    expect(reason([])).toMatch(/^malformed: A blob transaction without blobs/)
    expect(reason([new Uint8Array(BYTES_PER_BLOB - 1)])).toMatch(/^malformed: Blob 0 has 131071 bytes/)
    let b = good()
    b[0]![32 * 7] = 1 // byte 0 of element 7
    expect(reason(b)).toMatch(/^malformed: Field element 7 of blob 0 has a non-zero first byte/)
    b = good()
    b[0]![1] = 1 // version
    expect(reason(b)).toMatch(/^unknown-version: Unknown blob encoding 0x01/)
    b = good()
    b[0]!.set([0, 0, 0, 0], 2) // length 0
    expect(reason(b)).toMatch(/^malformed: A blob payload of length 0/)
    b = good()
    b[0]!.set([0, 2, 0, 0], 2) // length 131,072 > one blob
    expect(reason(b)).toMatch(/^truncated/)
    b = good()
    b[0]![BYTES_PER_BLOB - 1] = 1 // padding
    expect(reason(b)).toMatch(/^malformed: Non-zero bytes after the blob payload/)
    expect(reason([...good(), new Uint8Array(BYTES_PER_BLOB)])).toMatch(
      /^malformed: 2 blobs for a payload that needs 1/,
    )
  })

  test('mutation fuzz: a corrupted blob decodes or throws BatchDecodeError, nothing else', () => {
    const blobs = encodeBlobPayload(rng.bytes(40_000))
    for (let i = 0; i < 300; i++) {
      const copy = blobs.map((b) => b.slice())
      const at = i < 100 ? rng.int(64) : rng.int(BYTES_PER_BLOB)
      copy[0]![at] = rng.int(256)
      try {
        decodeBlobPayload(copy)
      } catch (error) {
        expect(error).toBeInstanceOf(BatchDecodeError)
      }
    }
  })
})

describe('Batcher options for blobs', () => {
  const l1 = createPublicClient({ transport: http('http://127.0.0.1:1') }) // never called
  const local = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6')
  const source = new KeystoreBlockSource()
  const make = (overrides: Partial<ConstructorParameters<typeof Batcher>[0]>) =>
    new Batcher({ l1, account: local, source, dataAvailability: 'blobs', ...overrides })

  test('a local account, 1..6 blobs per transaction, frames that fit them', () => {
    expect(make({}).dataAvailability).toBe('blobs')
    expect(make({ dataAvailability: undefined }).dataAvailability).toBe('calldata')
    expect(() => make({ account: { type: 'json-rpc', address: local.address } })).toThrow(
      /Blob batches need a local account/,
    )
    expect(() => make({ maxBlobsPerTx: 0 })).toThrow(/maxBlobsPerTx must be 1\.\.6/)
    expect(() => make({ maxBlobsPerTx: 7 })).toThrow(/maxBlobsPerTx must be 1\.\.6/)
    expect(() => make({ maxBlobsPerTx: 1, maxFrameBytes: blobPayloadCapacity(1) + 1 })).toThrow(
      /maxFrameBytes 126972 exceeds 1 blob/,
    )
    expect(make({ maxBlobsPerTx: 1, maxFrameBytes: blobPayloadCapacity(1) }).health().status).toBe('stopped')
  })
})
