import { concatBytes, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { PART_HEADER_BYTES } from './constants.js'
import {
  BadFrameError,
  BatchLimitError,
  InvalidBatchInputError,
  TruncatedBatchError,
  UnknownBatchVersionError,
} from './errors.js'
import { ChannelAssembler, channelIdOf, type Frame, parseFrame, toFrames } from './frames.js'
import { TestRng } from './testing.js'

const rng = new TestRng('frames')
const at = (n: bigint, i = 0) => ({
  l1BlockNumber: n,
  txHash: `0x${i.toString(16).padStart(64, '0')}` as Hex,
})
const parts = (channel: Uint8Array, maxFrameBytes: number) =>
  toFrames(channel, { maxFrameBytes }).map((f) => parseFrame(f) as Extract<Frame, { type: 'part' }>)

describe('toFrames / parseFrame', () => {
  test('a channel that fits travels as one single frame with 1 byte of overhead', () => {
    const channel = rng.bytes(1000)
    const frames = toFrames(channel, { maxFrameBytes: 1001 })
    expect(frames).toHaveLength(1)
    expect(frames[0]![0]).toBe(0x01)
    expect(parseFrame(frames[0]!)).toEqual({ type: 'single', channel })
  })

  test('a larger channel is cut into parts that reassemble', () => {
    const channel = rng.bytes(10_000)
    const frames = toFrames(channel, { maxFrameBytes: 1000 })
    expect(frames).toHaveLength(Math.ceil(10_000 / (1000 - PART_HEADER_BYTES)))
    for (const f of frames) expect(f.length).toBeLessThanOrEqual(1000)
    const parsed = frames.map((f) => parseFrame(f))
    expect(parsed.every((p) => p.type === 'part' && p.channelId === channelIdOf(channel))).toBe(true)
    const assembler = new ChannelAssembler()
    const results = parsed.map((p, i) => assembler.add(p as Extract<Frame, { type: 'part' }>, at(5n, i)))
    expect(results.slice(0, -1).every((r) => r === undefined)).toBe(true)
    expect(results.at(-1)?.channel).toEqual(channel)
    expect(assembler.pending).toBe(0)
  })

  test('too many frames for the limit', () => {
    expect(() => toFrames(rng.bytes(10_000), { maxFrameBytes: 100, maxFrames: 64 })).toThrow(
      InvalidBatchInputError,
    )
    expect(() => toFrames(new Uint8Array(), {})).toThrow(InvalidBatchInputError)
  })

  test('malformed frames', () => {
    expect(() => parseFrame(new Uint8Array())).toThrow(TruncatedBatchError)
    expect(() => parseFrame(new Uint8Array([0x01]))).toThrow(TruncatedBatchError)
    expect(() => parseFrame(new Uint8Array([0x09, 1, 2]))).toThrow(UnknownBatchVersionError)
    expect(() => parseFrame(new Uint8Array([0x00, 1, 2]))).toThrow(UnknownBatchVersionError)
    const header = (index: number, count: number) =>
      concatBytes([
        new Uint8Array([0x02]),
        new Uint8Array(16),
        new Uint8Array([index >> 8, index & 255, count >> 8, count & 255]),
      ])
    expect(() => parseFrame(header(0, 2))).toThrow(TruncatedBatchError) // no chunk
    expect(() => parseFrame(concatBytes([header(0, 1), new Uint8Array([1])]))).toThrow(BadFrameError)
    expect(() => parseFrame(concatBytes([header(2, 2), new Uint8Array([1])]))).toThrow(BadFrameError)
    expect(() => parseFrame(concatBytes([header(0, 65), new Uint8Array([1])]))).toThrow(BatchLimitError)
  })
})

describe('ChannelAssembler', () => {
  test('out of order, duplicates ignored (first wins)', () => {
    const channel = rng.bytes(3000)
    const [a, b, c] = parts(channel, 1100) as [
      Extract<Frame, { type: 'part' }>,
      Extract<Frame, { type: 'part' }>,
      Extract<Frame, { type: 'part' }>,
    ]
    const assembler = new ChannelAssembler()
    expect(assembler.add(c, at(1n, 3))).toBeUndefined()
    expect(assembler.add(a, at(1n, 1))).toBeUndefined()
    expect(assembler.add(a, at(2n, 9))).toBeUndefined() // repeated index
    const done = assembler.add(b, at(3n, 2))
    expect(done?.channel).toEqual(channel)
    expect(done?.txHashes).toEqual([at(0n, 1).txHash, at(0n, 2).txHash, at(0n, 3).txHash])
    expect(done?.firstL1Block).toBe(1n)
  })

  test('a forged part fails the hash check and drops the channel', () => {
    const channel = rng.bytes(3000)
    const [a, b, c] = parts(channel, 1100) as Extract<Frame, { type: 'part' }>[]
    const assembler = new ChannelAssembler()
    assembler.add(a!, at(1n))
    assembler.add({ ...b!, chunk: rng.bytes(b!.chunk.length) }, at(1n))
    expect(() => assembler.add(c!, at(1n))).toThrow(/does not hash to its id/)
    expect(assembler.pending).toBe(0)
  })

  test('a frame disagreeing on the count is refused, the channel stays', () => {
    const channel = rng.bytes(3000)
    const [a, b, c] = parts(channel, 1100) as Extract<Frame, { type: 'part' }>[]
    const assembler = new ChannelAssembler()
    assembler.add(a!, at(1n))
    expect(() => assembler.add({ ...b!, count: 4 }, at(1n))).toThrow(BadFrameError)
    assembler.add(b!, at(1n))
    expect(assembler.add(c!, at(1n))?.channel).toEqual(channel)
  })

  test('timeout drops an incomplete channel; later frames start afresh', () => {
    const channel = rng.bytes(3000)
    const [a, b, c] = parts(channel, 1100) as Extract<Frame, { type: 'part' }>[]
    const assembler = new ChannelAssembler({ channelTimeout: 10 })
    assembler.add(a!, at(100n))
    assembler.add(b!, at(105n))
    expect(assembler.expire(110n)).toEqual([])
    expect(assembler.add(c!, at(111n))).toBeUndefined() // the old channel expired; c starts a new one
    expect(assembler.pending).toBe(1)
    assembler.add(a!, at(112n))
    expect(assembler.add(b!, at(113n))?.channel).toEqual(channel)
  })

  test('bounded: channel bytes and the number of pending channels', () => {
    const big = parts(rng.bytes(5000), 1100)
    const small = new ChannelAssembler({ limits: { maxChannelBytes: 2500 } })
    small.add(big[0]!, at(1n))
    small.add(big[1]!, at(1n))
    expect(() => small.add(big[2]!, at(1n))).toThrow(BatchLimitError)
    expect(small.pending).toBe(0)
    const few = new ChannelAssembler({ maxPendingChannels: 2 })
    const channels = [rng.bytes(3000), rng.bytes(3000), rng.bytes(3000)].map((c) => parts(c, 1100))
    few.add(channels[0]![0]!, at(1n))
    few.add(channels[1]![0]!, at(2n))
    few.add(channels[2]![0]!, at(3n)) // evicts the oldest (channel 0)
    expect(few.pending).toBe(2)
    expect(few.add(channels[0]![1]!, at(4n))).toBeUndefined()
    expect(few.add(channels[0]![2]!, at(4n))).toBeUndefined() // frame 0 was lost with the eviction
  })

  test('snapshots restore state (used to rewind after an L1 reorg)', () => {
    const [a, b] = parts(rng.bytes(2000), 1100) as Extract<Frame, { type: 'part' }>[]
    const assembler = new ChannelAssembler()
    const empty = assembler.state
    assembler.add(a!, at(1n))
    const one = assembler.state
    assembler.state = empty
    expect(assembler.add(b!, at(2n))).toBeUndefined()
    assembler.state = one
    expect(assembler.add(b!, at(2n))).toBeDefined()
  })
})
