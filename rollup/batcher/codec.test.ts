import { deflateRawSync } from 'node:zlib'
import { RLP } from '@ethereumjs/rlp'
import { type Address, bytesToHex, concatBytes, type Hex, hexToBytes } from 'viem'
import { describe, expect, test } from 'vitest'
import type { L1SloadWitnessEntry } from '../../precompiles/l1sload/L1SloadWitness.js'
import { ByteWriter } from './bytes.js'
import {
  batchFromBlocks,
  compressBody,
  decodeBatch,
  decodeBatchBody,
  encodeBatch,
  encodeBatchBody,
  validateBatchTransaction,
} from './codec.js'
import { BODY_VERSION, Compression, type CompressionName } from './constants.js'
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
import { KeystoreBlockSource, TestRng } from './testing.js'
import type { Batch, BatchBlockData } from './types.js'

const H = (b: number): Hex => `0x${b.toString(16).padStart(2, '0').repeat(32)}`

/** A structurally valid signed-transaction envelope with random field contents. */
function randomTx(rng: TestRng): Hex {
  const type = rng.int(3)
  const field = () => rng.bytes(rng.int(3) === 0 ? 0 : 1 + rng.int(40))
  const accessList = Array.from({ length: rng.int(3) }, () => [
    rng.bytes(20),
    Array.from({ length: rng.int(3) }, () => rng.bytes(32)),
  ])
  if (type === 0) return bytesToHex(RLP.encode(Array.from({ length: 9 }, field)))
  const fields: unknown[] = Array.from({ length: type === 1 ? 11 : 12 }, field)
  fields[type === 1 ? 7 : 8] = accessList
  return bytesToHex(concatBytes([new Uint8Array([type]), RLP.encode(fields as Uint8Array[])]))
}

/** A random batch exercising every field: big numbers, zero and large deltas, shared witness entries. */
function randomBatch(rng: TestRng): Batch {
  const count = 1 + rng.int(12)
  const huge = rng.int(4) === 0
  let number = huge ? (1n << 63n) + BigInt(rng.int(1000)) : 1n + BigInt(rng.int(100_000))
  let timestamp = huge ? 1n << 62n : BigInt(rng.int(2 ** 31))
  let origin = { number: BigInt(rng.int(2 ** 30)) + 1000n, hash: rng.hex(32) }
  const pool: L1SloadWitnessEntry[] = []
  const blocks: BatchBlockData[] = []
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      number++
      timestamp += BigInt(rng.int(4) === 0 ? rng.int(2 ** 31) : rng.int(3))
      if (rng.int(3) === 0) origin = { number: origin.number + 1n + BigInt(rng.int(300)), hash: rng.hex(32) }
    }
    const l1sload: L1SloadWitnessEntry[] = []
    const used = new Set<string>()
    for (let j = rng.int(5); j > 0; j--) {
      const reuse = pool.length > 0 && rng.int(2) === 0
      const entry = reuse
        ? (pool[rng.int(pool.length)] as L1SloadWitnessEntry)
        : {
            l1BlockNumber: origin.number - BigInt(rng.int(3)) + BigInt(rng.int(2)),
            address: rng.hex(20) as Address,
            key: rng.hex(32),
            value: rng.hex(32),
          }
      const k = `${entry.l1BlockNumber}:${entry.address}:${entry.key}`
      if (used.has(k)) continue
      used.add(k)
      if (!reuse) pool.push(entry)
      l1sload.push({ ...entry })
    }
    blocks.push({
      number,
      timestamp,
      l1Origin: { ...origin },
      transactions: Array.from({ length: rng.int(6) }, () => randomTx(rng)),
      l1sload,
    })
  }
  return { parentHash: rng.hex(32), lastHash: rng.hex(32), blocks }
}

/** Body header written by hand, for malformed-input tests. */
function header(w: ByteWriter, o: { first?: bigint; count?: bigint; version?: number } = {}): ByteWriter {
  w.u8(o.version ?? BODY_VERSION)
  w.bytes(hexToBytes(H(0xaa)))
  w.bytes(hexToBytes(H(0xbb)))
  w.uvar(o.first ?? 5n)
  w.uvar(o.count ?? 1n)
  w.uvar(1000n) // timestamp
  w.uvar(77n) // origin number
  w.bytes(hexToBytes(H(0xcc)))
  return w
}

const TX = randomTx(new TestRng('one-tx'))

describe('round trip', () => {
  test('realistic keystore blocks, every compression', () => {
    const source = new KeystoreBlockSource({ seed: 'rt' })
    for (let i = 0; i < 20; i++) source.produce(i % 4)
    const batch = batchFromBlocks(source.blocks.slice(1))
    expect(batch.parentHash).toBe(source.genesis.hash)
    expect(batch.lastHash).toBe(source.latest.hash)
    for (const compression of ['none', 'deflate', 'brotli'] as const) {
      const channel = encodeBatch(batch, { compression })
      expect(channel[0]).toBe(Compression[compression])
      expect(decodeBatch(channel)).toEqual(batch)
    }
  })

  test('property: random batches decode to themselves and bodies are canonical (200 cases)', () => {
    const rng = new TestRng('property')
    const compressions: CompressionName[] = ['none', 'deflate', 'brotli']
    for (let i = 0; i < 200; i++) {
      const batch = randomBatch(rng)
      const body = encodeBatchBody(batch)
      const decoded = decodeBatchBody(body)
      expect(decoded).toEqual(batch)
      expect(encodeBatchBody(decoded)).toEqual(body)
      const compression = compressions[i % 3] as CompressionName
      expect(decodeBatch(encodeBatch(batch, { compression }))).toEqual(batch)
    }
  })

  test('a witness entry repeated in later blocks is stored once and referenced', () => {
    const entry = { l1BlockNumber: 77n, address: `0x${'11'.repeat(20)}` as Address, key: H(1), value: H(2) }
    const block = (n: bigint): BatchBlockData => ({
      number: n,
      timestamp: 1000n + n,
      l1Origin: { number: 77n, hash: H(0xcc) },
      transactions: [],
      l1sload: [entry],
    })
    const one = encodeBatchBody({ parentHash: H(1), lastHash: H(2), blocks: [block(5n)] })
    const three = encodeBatchBody({
      parentHash: H(1),
      lastHash: H(2),
      blocks: [block(5n), block(6n), block(7n)],
    })
    // two more blocks: per block 1 (ts delta) + 1 (origin delta) + 1 (tx count) + 1 (witness count) + 1 (reference)
    expect(three.length - one.length).toBe(10)
    expect(decodeBatchBody(three).blocks.map((b) => b.l1sload)).toEqual([[entry], [entry], [entry]])
  })

  test('mutation fuzz: any corruption decodes to a canonical batch or throws a BatchDecodeError', () => {
    const rng = new TestRng('fuzz')
    let rejected = 0
    let accepted = 0
    for (let i = 0; i < 400; i++) {
      const batch = randomBatch(rng)
      const compression = (['none', 'deflate', 'brotli'] as const)[i % 3]!
      const channel = encodeBatch(batch, { compression })
      const mutated = Uint8Array.from(channel)
      const kind = rng.int(4)
      let input: Uint8Array = mutated
      if (kind === 0) {
        const i = rng.int(mutated.length)
        mutated[i] = (mutated[i] as number) ^ (1 + rng.int(255))
      } else if (kind === 1) input = mutated.subarray(0, rng.int(mutated.length))
      else if (kind === 2) input = concatBytes([mutated, rng.bytes(1 + rng.int(8))])
      else for (let k = 0; k < 5; k++) mutated[rng.int(mutated.length)] = rng.int(256)
      try {
        const decoded = decodeBatch(input)
        if (input[0] === Compression.none) expect(encodeBatchBody(decoded)).toEqual(input.subarray(1))
        accepted++
      } catch (error) {
        expect(error).toBeInstanceOf(BatchDecodeError)
        rejected++
      }
    }
    // both outcomes happen (flips inside hashes or transaction fields stay decodable)
    expect(rejected).toBeGreaterThan(150)
    expect(accepted).toBeGreaterThan(20)
  })
})

describe('decoding refuses malformed input with a specific error', () => {
  const expectReason = (fn: () => unknown, cls: new (...a: never[]) => BatchDecodeError, reason: string) => {
    try {
      fn()
    } catch (error) {
      expect(error).toBeInstanceOf(cls)
      expect((error as BatchDecodeError).reason).toBe(reason)
      return error as BatchDecodeError
    }
    throw new Error('expected a decode error')
  }
  const good = () => {
    const w = header(new ByteWriter())
    w.uvar(1n)
    w.uvar(BigInt(hexToBytes(TX).length))
    w.bytes(hexToBytes(TX))
    w.uvar(0n)
    return w.finish()
  }

  test('the hand-written body is valid', () => {
    expect(decodeBatchBody(good()).blocks[0]).toMatchObject({
      number: 5n,
      timestamp: 1000n,
      transactions: [TX],
    })
  })

  test('unknown compression byte and body version', () => {
    expectReason(() => decodeBatch(new Uint8Array([0x07, 1, 2])), UnknownBatchVersionError, 'unknown-version')
    const body = good()
    body[0] = 0x02
    const e = expectReason(
      () => decodeBatch(concatBytes([new Uint8Array([0]), body])),
      UnknownBatchVersionError,
      'unknown-version',
    )
    expect(e.shortMessage).toBe('Unknown body version 0x02.')
  })

  test('truncated anywhere', () => {
    const body = good()
    for (let cut = 0; cut < body.length; cut++) {
      const e = expectReason(() => decodeBatchBody(body.subarray(0, cut)), BatchDecodeError, 'truncated')
      expect(e).toBeInstanceOf(TruncatedBatchError)
    }
    expectReason(() => decodeBatch(new Uint8Array()), TruncatedBatchError, 'truncated')
  })

  test('bad compression: garbage, a cut stream, bytes after the stream', () => {
    const body = good()
    expectReason(
      () => decodeBatch(new Uint8Array([Compression.deflate, 0xff, 0xff, 0xff])),
      BadCompressionError,
      'bad-compression',
    )
    expectReason(
      () => decodeBatch(new Uint8Array([Compression.brotli, 0xff, 0xff, 0xff])),
      BadCompressionError,
      'bad-compression',
    )
    const deflated = compressBody(body, 'deflate')
    expectReason(
      () =>
        decodeBatch(
          concatBytes([new Uint8Array([Compression.deflate]), deflated.subarray(0, deflated.length - 3)]),
        ),
      BadCompressionError,
      'bad-compression',
    )
    const e = expectReason(
      () => decodeBatch(concatBytes([new Uint8Array([Compression.deflate]), deflated, new Uint8Array([0])])),
      BadCompressionError,
      'bad-compression',
    )
    expect(e.details).toMatch(/1 byte\(s\) after the end of the stream/)
    expect(decodeBatch(concatBytes([new Uint8Array([Compression.deflate]), deflated])).blocks).toHaveLength(1)
  })

  test('decompression bomb: 64 MiB of zeros in ~64 KB stops at the limit, quickly', () => {
    const bomb = deflateRawSync(new Uint8Array(64 * 1024 * 1024), { level: 9 })
    expect(bomb.length).toBeLessThan(100_000)
    const started = performance.now()
    const e = expectReason(
      () => decodeBatch(concatBytes([new Uint8Array([Compression.deflate]), bomb])),
      BatchLimitError,
      'limit-exceeded',
    )
    expect(e.shortMessage).toMatch(/decompressed bytes \(16777216\)/)
    expect(performance.now() - started).toBeLessThan(2000)
    const brotliBomb = compressBody(new Uint8Array(32 * 1024 * 1024), 'brotli')
    expectReason(
      () =>
        decodeBatch(concatBytes([new Uint8Array([Compression.brotli]), brotliBomb]), {
          maxBodyBytes: 1 << 20,
        }),
      BatchLimitError,
      'limit-exceeded',
    )
    expectReason(() => decodeBatch(new Uint8Array(5 << 20)), BatchLimitError, 'limit-exceeded')
  })

  test('non-canonical and oversized varints', () => {
    const w = new ByteWriter()
    w.u8(BODY_VERSION)
    w.bytes(hexToBytes(H(0xaa)))
    w.bytes(hexToBytes(H(0xbb)))
    w.bytes(new Uint8Array([0x85, 0x00])) // 5, overlong
    const e = expectReason(() => decodeBatchBody(w.finish()), MalformedBatchError, 'malformed')
    expect(e.offset).toBe(65)
    const w2 = new ByteWriter()
    w2.u8(BODY_VERSION)
    w2.bytes(hexToBytes(H(0xaa)))
    w2.bytes(hexToBytes(H(0xbb)))
    w2.bytes(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])) // 2^64 + …
    expectReason(() => decodeBatchBody(w2.finish()), MalformedBatchError, 'malformed')
    const w3 = new ByteWriter()
    w3.u8(BODY_VERSION)
    w3.bytes(hexToBytes(H(0xaa)))
    w3.bytes(hexToBytes(H(0xbb)))
    w3.bytes(new Uint8Array(11).fill(0x80)) // never ends within 10 bytes
    expectReason(() => decodeBatchBody(w3.finish()), MalformedBatchError, 'malformed')
  })

  test('trailing bytes, zero blocks, genesis, too many blocks', () => {
    expectReason(
      () => decodeBatchBody(concatBytes([good(), new Uint8Array([0])])),
      MalformedBatchError,
      'malformed',
    )
    expectReason(
      () => decodeBatchBody(header(new ByteWriter(), { count: 0n }).finish()),
      MalformedBatchError,
      'malformed',
    )
    expectReason(
      () => decodeBatchBody(header(new ByteWriter(), { first: 0n }).finish()),
      MalformedBatchError,
      'malformed',
    )
    expectReason(
      () => decodeBatchBody(header(new ByteWriter(), { count: 10_001n }).finish()),
      BatchLimitError,
      'limit-exceeded',
    )
    const e = expectReason(
      () => decodeBatchBody(header(new ByteWriter(), { first: (1n << 64n) - 1n, count: 2n }).finish()),
      MalformedBatchError,
      'malformed',
    )
    expect(e.shortMessage).toMatch(/overflow/)
  })

  test('timestamp overflow and absurd counts', () => {
    const w = header(new ByteWriter(), { count: 2n })
    w.uvar(0n) // no txs
    w.uvar(0n) // no witness
    w.uvar((1n << 64n) - 1n) // timestamp delta overflows
    expectReason(() => decodeBatchBody(w.finish()), MalformedBatchError, 'malformed')
    const w2 = header(new ByteWriter())
    w2.uvar(1n << 40n) // 2^40 transactions in a few bytes
    expectReason(() => decodeBatchBody(w2.finish()), TruncatedBatchError, 'truncated')
  })

  test('witness: reference past the table, entry repeated instead of referenced', () => {
    const entry = (w: ByteWriter) => {
      w.uvar(0n)
      w.zvar(0n)
      w.bytes(new Uint8Array(20).fill(1))
      w.bytes(new Uint8Array(32).fill(2))
      w.bytes(new Uint8Array(32).fill(3))
    }
    const w = header(new ByteWriter())
    w.uvar(0n)
    w.uvar(2n)
    entry(w)
    w.uvar(2n) // only 1 entry so far
    expectReason(() => decodeBatchBody(w.finish()), MalformedBatchError, 'malformed')
    const w2 = header(new ByteWriter())
    w2.uvar(0n)
    w2.uvar(2n)
    entry(w2)
    entry(w2)
    const e = expectReason(() => decodeBatchBody(w2.finish()), MalformedBatchError, 'malformed')
    expect(e.shortMessage).toMatch(/repeated instead of referenced/)
    const w3 = header(new ByteWriter())
    w3.uvar(0n)
    w3.uvar(1n)
    w3.uvar(0n)
    w3.zvar(-78n) // origin 77 - 78 < 0
    w3.bytes(new Uint8Array(84))
    expectReason(() => decodeBatchBody(w3.finish()), MalformedBatchError, 'malformed')
  })

  test('transactions: deposits, blobs, bad RLP, wrong shapes, oversized', () => {
    const bad = (tx: Uint8Array) => {
      const w = header(new ByteWriter())
      w.uvar(1n)
      w.uvar(BigInt(tx.length))
      w.bytes(tx)
      w.uvar(0n)
      return w.finish()
    }
    const rlp12 = RLP.encode(Array.from({ length: 12 }, () => new Uint8Array([1])))
    const cases: [string, Uint8Array][] = [
      ['deposit', concatBytes([new Uint8Array([0x7e]), rlp12])],
      ['blob', concatBytes([new Uint8Array([0x03]), rlp12])],
      ['set-code', concatBytes([new Uint8Array([0x04]), rlp12])],
      ['type 0x00', concatBytes([new Uint8Array([0x00]), rlp12])],
      ['a string, not a list', new Uint8Array([0x83, 1, 2, 3])],
      ['truncated RLP', concatBytes([new Uint8Array([0x02]), rlp12.subarray(0, 10)])],
      ['RLP with a remainder', concatBytes([new Uint8Array([0x02]), rlp12, new Uint8Array([0])])],
      [
        'non-canonical RLP',
        concatBytes([new Uint8Array([0x02, 0xcd]), new Uint8Array(12).fill(0), new Uint8Array([0x81, 0x05])]),
      ],
      [
        '1559 with 11 fields',
        concatBytes([
          new Uint8Array([0x02]),
          RLP.encode(Array.from({ length: 11 }, () => new Uint8Array([1]))),
        ]),
      ],
      ['1559 without an access list', concatBytes([new Uint8Array([0x02]), rlp12])],
      ['legacy with a list field', RLP.encode([[], ...Array.from({ length: 8 }, () => new Uint8Array([1]))])],
    ]
    for (const [name, tx] of cases) {
      const e = expectReason(() => decodeBatchBody(bad(tx)), BadBatchTransactionError, 'bad-transaction')
      expect(e, name).toMatchObject({ block: 5n, index: 0 })
      expect(() => validateBatchTransaction(tx), name).toThrow(BadBatchTransactionError)
    }
    expectReason(
      () => decodeBatchBody(bad(hexToBytes(TX)), { maxTxBytes: 10 }),
      BatchLimitError,
      'limit-exceeded',
    )
    const w = header(new ByteWriter())
    w.uvar(1n)
    w.uvar(0n) // empty tx
    w.uvar(0n)
    expectReason(() => decodeBatchBody(w.finish()), MalformedBatchError, 'malformed')
  })
})

describe('encoding refuses bad input', () => {
  const source = new KeystoreBlockSource({ seed: 'enc' })
  for (let i = 0; i < 4; i++) source.produce(1)
  const blocks = source.blocks.slice(1)

  test('broken links and shapes', () => {
    expect(() => batchFromBlocks([])).toThrow(InvalidBatchInputError)
    expect(() => batchFromBlocks([blocks[0]!, blocks[2]!])).toThrow(/does not build on/)
    const batch = batchFromBlocks(blocks)
    const mutate = (fn: (b: Batch) => void) => {
      const copy = structuredClone(batch)
      fn(copy)
      return () => encodeBatchBody(copy)
    }
    expect(mutate((b) => (b.blocks[1]!.number = 9n))).toThrow(/not contiguous/)
    expect(mutate((b) => (b.blocks[1]!.timestamp = 0n))).toThrow(/timestamp goes backwards/)
    expect(mutate((b) => (b.blocks[1]!.l1Origin = { number: 0n, hash: H(1) }))).toThrow(
      /origin goes backwards/,
    )
    expect(mutate((b) => (b.blocks[1]!.l1Origin = { ...b.blocks[0]!.l1Origin, hash: H(9) }))).toThrow(
      /another hash/,
    )
    expect(mutate((b) => (b.parentHash = '0x1234'))).toThrow(/parentHash must be 32 bytes/)
    expect(mutate((b) => (b.blocks[0]!.number = 0n))).toThrow(/Genesis/)
    expect(mutate((b) => (b.blocks[0]!.transactions = ['0x7e00']))).toThrow(BadBatchTransactionError)
    expect(mutate((b) => (b.blocks[0]!.transactions = ['0xzz']))).toThrow(/not hex/)
    expect(
      mutate((b) => {
        const e = b.blocks[0]!.l1sload[0]!
        b.blocks[1]!.l1sload.push({ ...e, value: H(0x42) })
      }),
    ).toThrow(/Two values for L1SLOAD witness/)
    expect(mutate((b) => (b.blocks[0]!.l1sload[0]!.address = '0x12' as Address))).toThrow(/witness address/)
    expect(mutate((b) => (b.blocks = []))).toThrow(/at least one block/)
  })
})
