import { type Account, type Address, type Hex, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DevnetClient } from '../devnet/clients.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import { inboxTxGas } from './Batcher.js'
import { batchFromBlocks, encodeBatch } from './codec.js'
import { BATCH_INBOX_ADDRESS } from './constants.js'
import { toFrames } from './frames.js'
import { InboxScanner, type SkippedInboxData } from './InboxScanner.js'
import { readBatches } from './readBatches.js'
import { KeystoreBlockSource } from './testing.js'
import type { Batch, BatchBlock, PostedBatch } from './types.js'

/** anvil dev keys #3 (the batcher) and #4 (someone else). */
const batcher = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6')
const stranger = privateKeyToAccount('0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a')

let chains: TestChains
let l1: DevnetClient

beforeAll(async () => {
  chains = await startTestChains([{ name: 'l1', chainId: 900 }])
  l1 = chains.clients.l1!
  await l1.mine({ blocks: 40 }) // the test chains' L1 origins must lie in the past
})
afterAll(async () => {
  await chains?.stop()
})

async function post(account: Account, data: Uint8Array | Hex, to: Address = BATCH_INBOX_ADDRESS) {
  const bytes = typeof data === 'string' ? Buffer.from(data.slice(2), 'hex') : data
  const hash = await l1.sendTransaction({
    account,
    to,
    data: toHex(bytes),
    gas: inboxTxGas(bytes) + 50_000n,
    chain: l1.chain,
  })
  return l1.waitForTransactionReceipt({ hash })
}

const channelOf = (blocks: BatchBlock[], parentHash?: Hex): Uint8Array => {
  const batch = batchFromBlocks(blocks)
  return encodeBatch(parentHash ? { ...batch, parentHash } : batch)
}
const single = (channel: Uint8Array) => toFrames(channel)[0]!

/** What a batch says about blocks, for comparing with the source. */
const dataOf = (blocks: BatchBlock[]): Batch['blocks'] => batchFromBlocks(blocks).blocks

describe('readBatches', () => {
  test('only the batcher, only successful, first valid wins; garbage is skipped', async () => {
    const source = new KeystoreBlockSource({ seed: 'read', firstOrigin: 1n })
    for (let i = 0; i < 14; i++) source.produce(i % 3)
    const b = (from: number, to: number) => source.blocks.slice(from, to + 1)
    const fromBlock = (await l1.getBlockNumber()) + 1n

    await post(batcher, single(channelOf(b(1, 5)))) // A: accepted
    await post(batcher, '0xdeadbeef') // garbage from the batcher: skipped, unknown frame type
    await post(batcher, new Uint8Array([0x01, 0x02, 0xff, 0xff])) // bad brotli
    await post(stranger, single(channelOf(b(6, 8)))) // valid batch, wrong sender: never seen
    await post(batcher, single(channelOf(b(6, 8), `0x${'00'.repeat(32)}`))) // wrong parent
    await post(batcher, single(channelOf(b(6, 8)))) // B: accepted
    await post(batcher, single(channelOf(b(6, 8)))) // duplicate
    await post(batcher, single(channelOf(b(7, 10)))) // overlap
    await post(batcher, single(channelOf(b(12, 13)))) // gap
    // C: a multi-frame batch, frames out of order with another transaction in between
    const frames = toFrames(channelOf(b(9, 11)), { maxFrameBytes: 200 })
    expect(frames.length).toBeGreaterThan(3)
    await post(batcher, frames[1]!)
    await post(batcher, '0x00')
    for (const [i, frame] of frames.entries()) if (i !== 1) await post(batcher, frame)
    const last = await post(batcher, single(channelOf(b(12, 14)))) // D: accepted
    const toBlock = last.blockNumber

    const skipped: SkippedInboxData[] = []
    const batches = await readBatches(l1, {
      inbox: BATCH_INBOX_ADDRESS,
      batcher: batcher.address,
      fromBlock,
      toBlock,
      start: { number: 1n, parentHash: source.genesis.hash },
      onSkip: (s) => skipped.push(s),
    })
    expect(batches.map((x) => [x.blocks[0]!.number, x.blocks.at(-1)!.number])).toEqual([
      [1n, 5n],
      [6n, 8n],
      [9n, 11n],
      [12n, 14n],
    ])
    expect(batches.flatMap((x) => x.blocks)).toEqual(dataOf(b(1, 14)))
    expect(batches.map((x) => x.lastHash)).toEqual([5, 8, 11, 14].map((n) => source.blocks[n]!.hash))
    expect(batches[2]!.inclusion.txHashes).toHaveLength(frames.length)
    expect(skipped.map((s) => s.reason)).toEqual([
      'unknown-version',
      'bad-compression',
      'parent-mismatch',
      'duplicate',
      'overlap',
      'gap',
      'unknown-version', // '0x00'
    ])
    expect(skipped.every((s) => s.l1BlockNumber >= fromBlock && s.txHash.length === 66)).toBe(true)
  })

  test('without a start, the first decodable batch sets it', async () => {
    const source = new KeystoreBlockSource({ seed: 'nostart', firstOrigin: 1n })
    for (let i = 0; i < 6; i++) source.produce(1)
    const fromBlock = (await l1.getBlockNumber()) + 1n
    await post(batcher, single(channelOf(source.blocks.slice(3, 5))))
    await post(batcher, single(channelOf(source.blocks.slice(5, 7))))
    const batches = await readBatches(l1, { inbox: BATCH_INBOX_ADDRESS, batcher: batcher.address, fromBlock })
    expect(batches.map((x) => x.blocks[0]!.number)).toEqual([3n, 5n])
  })

  test('a failed inbox transaction does not count; a future L1 origin does not count', async () => {
    const inbox: Address = '0x00000000000000000000000000000000000bad00'
    await l1.setCode({ address: inbox, bytecode: '0x60006000fd' }) // always reverts
    const source = new KeystoreBlockSource({ seed: 'failed', firstOrigin: 1n })
    source.produce(1)
    const fromBlock = (await l1.getBlockNumber()) + 1n
    const receipt = await post(batcher, single(channelOf(source.blocks.slice(1))), inbox)
    expect(receipt.status).toBe('reverted')
    const future = new KeystoreBlockSource({ seed: 'future', firstOrigin: 10_000n })
    future.produce(1)
    await post(batcher, single(channelOf(future.blocks.slice(1))), inbox)
    await l1.setCode({ address: inbox, bytecode: '0x' })
    await post(batcher, single(channelOf(future.blocks.slice(1))), inbox)
    const skipped: SkippedInboxData[] = []
    const batches = await readBatches(l1, {
      inbox,
      batcher: batcher.address,
      fromBlock,
      onSkip: (s) => skipped.push(s),
    })
    expect(batches).toEqual([])
    expect(skipped.map((s) => s.reason)).toEqual(['reverted', 'reverted', 'future-origin'])
  })
})

describe('InboxScanner', () => {
  test('incremental sync, and an L1 reorg drops the batch and rewinds the safe head', async () => {
    const source = new KeystoreBlockSource({ seed: 'reorg', firstOrigin: 1n })
    for (let i = 0; i < 4; i++) source.produce(2)
    const fromBlock = (await l1.getBlockNumber()) + 1n
    const scanner = new InboxScanner({
      client: l1,
      inbox: BATCH_INBOX_ADDRESS,
      batcher: batcher.address,
      fromBlock,
      start: { number: 1n, parentHash: source.genesis.hash },
    })
    await post(batcher, single(channelOf(source.blocks.slice(1, 3))))
    await scanner.sync()
    expect(scanner.safeHead?.number).toBe(2n)
    const snapshot = (await l1.request({ method: 'evm_snapshot' as never })) as Hex
    const second = await post(batcher, single(channelOf(source.blocks.slice(3, 5))))
    const { accepted } = await scanner.sync()
    expect(accepted.map((b: PostedBatch) => b.blocks.length)).toEqual([2])
    expect(scanner.safeHead).toMatchObject({
      number: 4n,
      l1BlockNumber: second.blockNumber,
      hash: source.blocks[4]!.hash,
    })
    // the second batch's block is replaced by other blocks at the same heights
    await l1.request({ method: 'evm_revert' as never, params: [snapshot] as never })
    await l1.mine({ blocks: 3 })
    await scanner.sync()
    expect(scanner.rewinds).toBe(1)
    expect(scanner.safeHead?.number).toBe(2n)
    expect(scanner.next?.number).toBe(3n)
    expect(scanner.batches).toHaveLength(1)
    // posting it again (what the batcher does) brings the safe head back
    await post(batcher, single(channelOf(source.blocks.slice(3, 5))))
    await scanner.sync()
    expect(scanner.safeHead?.number).toBe(4n)
  })
})

describe('InboxScanner retainBatches', () => {
  test('keeps the last N batches in memory; each sync still returns every batch it accepted', async () => {
    const source = new KeystoreBlockSource({ seed: 'retain', firstOrigin: 1n })
    for (let i = 0; i < 8; i++) source.produce(1)
    const fromBlock = (await l1.getBlockNumber()) + 1n
    for (let n = 1; n <= 5; n++) await post(batcher, single(channelOf(source.blocks.slice(n, n + 1))))
    const scanner = new InboxScanner({
      client: l1,
      inbox: BATCH_INBOX_ADDRESS,
      batcher: batcher.address,
      fromBlock,
      start: { number: 1n, parentHash: source.blocks[0]!.hash },
      retainBatches: 2,
    })
    const first = await scanner.sync()
    expect(first.accepted.map((b) => b.blocks[0]!.number)).toEqual([1n, 2n, 3n, 4n, 5n])
    expect(scanner.batches.map((b) => b.blocks[0]!.number)).toEqual([4n, 5n])
    expect(scanner.safeHead?.number).toBe(5n)
    await post(batcher, single(channelOf(source.blocks.slice(6, 7))))
    const second = await scanner.sync()
    expect(second.accepted.map((b) => b.blocks[0]!.number)).toEqual([6n])
    expect(scanner.batches.map((b) => b.blocks[0]!.number)).toEqual([5n, 6n])
    expect(scanner.next?.number).toBe(7n)
  })
})
