/**
 * Frames: how channel data (a compressed batch) is cut into inbox calldata, and put back together.
 * A channel that fits one transaction travels as one `single` frame (1 byte of overhead). A larger
 * one is cut into `part` frames, each carrying the channel id (the first 16 bytes of
 * keccak256(channel data)), its index and the frame count; the reader checks the hash once all
 * parts are in, so parts of different channels, or forged parts, cannot be mixed into a batch.
 */
import { bytesToHex, type Hex, keccak256 } from 'viem'
import { type BatchLimits, DEFAULT_BATCH_LIMITS, FrameType, PART_HEADER_BYTES } from './constants.js'
import {
  BadFrameError,
  BatchLimitError,
  InvalidBatchInputError,
  TruncatedBatchError,
  UnknownBatchVersionError,
} from './errors.js'

export type Frame =
  | { type: 'single'; channel: Uint8Array }
  | { type: 'part'; channelId: Hex; index: number; count: number; chunk: Uint8Array }

/** The id of a channel: the first 16 bytes of keccak256(channel data). */
export function channelIdOf(channel: Uint8Array): Hex {
  return keccak256(channel).slice(0, 34) as Hex
}

/**
 * Cuts channel data into inbox calldata of at most `maxFrameBytes` each.
 *
 * @param channel channel data (`encodeBatch`'s output).
 * @param options `maxFrameBytes` (default 120,000), `maxFrames` (default 64).
 * @returns One calldata per L1 transaction, in posting order.
 * @throws {@link InvalidBatchInputError} when the channel needs more than `maxFrames` frames.
 * @example
 * for (const data of toFrames(encodeBatch(batch))) await sender.send({ to: BATCH_INBOX_ADDRESS, data: toHex(data) })
 */
export function toFrames(
  channel: Uint8Array,
  options: { maxFrameBytes?: number | undefined; maxFrames?: number | undefined } = {},
): Uint8Array[] {
  const maxFrameBytes = options.maxFrameBytes ?? 120_000
  const maxFrames = options.maxFrames ?? DEFAULT_BATCH_LIMITS.maxFrames
  if (maxFrameBytes <= PART_HEADER_BYTES)
    throw new InvalidBatchInputError(`maxFrameBytes must exceed ${PART_HEADER_BYTES}.`)
  if (channel.length === 0) throw new InvalidBatchInputError('Empty channel.')
  if (1 + channel.length <= maxFrameBytes) {
    const out = new Uint8Array(1 + channel.length)
    out[0] = FrameType.single
    out.set(channel, 1)
    return [out]
  }
  const chunk = maxFrameBytes - PART_HEADER_BYTES
  const count = Math.ceil(channel.length / chunk)
  if (count > Math.min(maxFrames, 0xffff))
    throw new InvalidBatchInputError(`The batch needs ${count} frames, more than ${maxFrames}.`, {
      details: 'post fewer blocks per batch or raise maxFrameBytes',
    })
  const id = Buffer.from(channelIdOf(channel).slice(2), 'hex')
  const frames: Uint8Array[] = []
  for (let index = 0; index < count; index++) {
    const part = channel.subarray(index * chunk, (index + 1) * chunk)
    const out = new Uint8Array(PART_HEADER_BYTES + part.length)
    out[0] = FrameType.part
    out.set(id, 1)
    out[17] = index >> 8
    out[18] = index & 0xff
    out[19] = count >> 8
    out[20] = count & 0xff
    out.set(part, PART_HEADER_BYTES)
    frames.push(out)
  }
  return frames
}

/**
 * Parses one inbox calldata as a frame.
 *
 * @throws {@link BatchDecodeError} (unknown frame type, truncated header, bad index/count, too many frames)
 * @example
 * const frame = parseFrame(hexToBytes(tx.input))
 */
export function parseFrame(
  data: Uint8Array,
  limits: Pick<BatchLimits, 'maxFrames'> = DEFAULT_BATCH_LIMITS,
): Frame {
  if (data.length === 0) throw new TruncatedBatchError('frame type', 1, 0, 0)
  const type = data[0] as number
  if (type === FrameType.single) {
    if (data.length < 2) throw new TruncatedBatchError('channel data', 1, 1, data.length)
    return { type: 'single', channel: data.subarray(1) }
  }
  if (type !== FrameType.part) throw new UnknownBatchVersionError('frame type', type, 0)
  if (data.length <= PART_HEADER_BYTES)
    throw new TruncatedBatchError('frame header and chunk', PART_HEADER_BYTES + 1, 0, data.length)
  const index = ((data[17] as number) << 8) | (data[18] as number)
  const count = ((data[19] as number) << 8) | (data[20] as number)
  if (count < 2)
    throw new BadFrameError(
      `A multi-frame channel has ${count} frame(s).`,
      'one frame travels as a single frame',
    )
  if (count > limits.maxFrames) throw new BatchLimitError('frames per channel', limits.maxFrames)
  if (index >= count) throw new BadFrameError(`Frame index ${index} is not below the count ${count}.`)
  return {
    type: 'part',
    channelId: bytesToHex(data.subarray(1, 17)),
    index,
    count,
    chunk: data.subarray(PART_HEADER_BYTES),
  }
}

/** Where a frame was found; `blobs` = how many blobs carried it (0 or absent: calldata). */
export type FramePosition = { l1BlockNumber: bigint; txHash: Hex; blobs?: number | undefined }

type PendingChannel = {
  readonly count: number
  readonly firstL1Block: bigint
  readonly chunks: ReadonlyMap<number, { chunk: Uint8Array; txHash: Hex; blobs: number }>
  readonly bytes: number
}

/** An immutable snapshot of the assembler (restored after an L1 reorg). */
export type ChannelAssemblerState = ReadonlyMap<Hex, PendingChannel>

export type ChannelAssemblerParameters = {
  /** A channel whose frames span more than this many L1 blocks is dropped. Default 100. */
  channelTimeout?: number | undefined
  /** At most this many incomplete channels are kept (the oldest goes first). Default 8. */
  maxPendingChannels?: number | undefined
  limits?: Partial<BatchLimits> | undefined
}

/**
 * Puts multi-frame channels back together, deterministically: the first frame of a channel fixes
 * its count; a repeated index is ignored (first wins); a frame disagreeing on the count is
 * refused; a channel older than `channelTimeout` L1 blocks, or over `maxChannelBytes`, is
 * dropped; the assembled data must hash to the channel id. State is copy-on-write, so `state`
 * is a cheap snapshot for rewinding after an L1 reorg.
 *
 * @example
 * const assembler = new ChannelAssembler()
 * const done = assembler.add(frame, { l1BlockNumber, txHash }) // { channel, txHashes } once complete
 */
export class ChannelAssembler {
  #state: ChannelAssemblerState = new Map()
  readonly #timeout: bigint
  readonly #maxPending: number
  readonly #limits: BatchLimits

  constructor(parameters: ChannelAssemblerParameters = {}) {
    this.#timeout = BigInt(parameters.channelTimeout ?? 100)
    this.#maxPending = parameters.maxPendingChannels ?? 8
    this.#limits = { ...DEFAULT_BATCH_LIMITS, ...parameters.limits }
  }

  get state(): ChannelAssemblerState {
    return this.#state
  }
  set state(state: ChannelAssemblerState) {
    this.#state = state
  }
  get pending(): number {
    return this.#state.size
  }

  /** Drops channels that can no longer complete at `l1BlockNumber`. @returns their ids. */
  expire(l1BlockNumber: bigint): Hex[] {
    const expired = [...this.#state.entries()]
      .filter(([, c]) => l1BlockNumber > c.firstL1Block + this.#timeout)
      .map(([id]) => id)
    if (expired.length === 0) return []
    const next = new Map(this.#state)
    for (const id of expired) next.delete(id)
    this.#state = next
    return expired
  }

  /**
   * Adds a `part` frame.
   *
   * @returns The channel data and the frames' transactions once the channel is complete.
   * @throws {@link BatchDecodeError} for a frame that contradicts its channel, or a channel that is
   *   too large or does not hash to its id (the channel is dropped).
   */
  add(
    frame: Extract<Frame, { type: 'part' }>,
    at: FramePosition,
  ):
    | {
        channel: Uint8Array
        txHashes: Hex[]
        firstL1Block: bigint
        /** Blobs that carried the frames. */
        blobs: number
        /** Calldata bytes of the frames that came as calldata (header included). */
        calldataBytes: number
      }
    | undefined {
    this.expire(at.l1BlockNumber)
    const next = new Map(this.#state)
    let channel = next.get(frame.channelId)
    if (!channel) {
      channel = { count: frame.count, firstL1Block: at.l1BlockNumber, chunks: new Map(), bytes: 0 }
      if (next.size >= this.#maxPending) {
        const oldest = [...next.entries()].sort((a, b) => (a[1].firstL1Block < b[1].firstL1Block ? -1 : 1))[0]
        if (oldest) next.delete(oldest[0])
      }
    }
    if (channel.count !== frame.count)
      throw new BadFrameError(
        `Frame says channel ${frame.channelId} has ${frame.count} frames; its first frame said ${channel.count}.`,
      )
    if (channel.chunks.has(frame.index)) return undefined
    const bytes = channel.bytes + frame.chunk.length
    if (bytes > this.#limits.maxChannelBytes) {
      next.delete(frame.channelId)
      this.#state = next
      throw new BatchLimitError('channel bytes', this.#limits.maxChannelBytes)
    }
    const chunks = new Map(channel.chunks)
    chunks.set(frame.index, { chunk: frame.chunk, txHash: at.txHash, blobs: at.blobs ?? 0 })
    if (chunks.size < channel.count) {
      next.set(frame.channelId, { ...channel, chunks, bytes })
      this.#state = next
      return undefined
    }
    next.delete(frame.channelId)
    this.#state = next
    const data = new Uint8Array(bytes)
    const txHashes: Hex[] = []
    let offset = 0
    let blobs = 0
    let calldataBytes = 0
    for (let i = 0; i < channel.count; i++) {
      const part = chunks.get(i)!
      data.set(part.chunk, offset)
      offset += part.chunk.length
      txHashes.push(part.txHash)
      blobs += part.blobs
      if (part.blobs === 0) calldataBytes += PART_HEADER_BYTES + part.chunk.length
    }
    if (channelIdOf(data) !== frame.channelId)
      throw new BadFrameError(
        `Channel ${frame.channelId} does not hash to its id.`,
        'a forged or mixed frame',
      )
    return { channel: data, txHashes, firstL1Block: channel.firstL1Block, blobs, calldataBytes }
  }
}
