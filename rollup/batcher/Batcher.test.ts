import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DevnetClient } from '../devnet/clients.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import { createLogger, type LogFields } from '../shared/logger.js'
import { Batcher, type BatcherParameters, inboxTxGas } from './Batcher.js'
import { batchFromBlocks } from './codec.js'
import { BATCH_INBOX_ADDRESS } from './constants.js'
import type { SafeHead, SkippedInboxData } from './InboxScanner.js'
import { readBatches } from './readBatches.js'
import { KeystoreBlockSource } from './testing.js'

/** anvil dev key #3 (devnet.json's batcher). */
const batcherAccount = privateKeyToAccount(
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
)

let chains: TestChains
let l1: DevnetClient

beforeAll(async () => {
  chains = await startTestChains([{ name: 'l1', chainId: 900 }])
  l1 = chains.clients.l1!
  await l1.mine({ blocks: 40 })
})
afterAll(async () => {
  await chains?.stop()
})

/** Each test gets its own inbox, so earlier tests' batches are not in its way. */
let inboxes = 0
function freshInbox(): Hex {
  inboxes++
  return `0xff000000000000000000000000000000000${(0x90000 + inboxes).toString(16)}` as Hex
}

function makeBatcher(source: KeystoreBlockSource, overrides: Partial<BatcherParameters> = {}) {
  const logs: ({ msg: string } & LogFields)[] = []
  const batcher = new Batcher({
    l1,
    account: batcherAccount,
    source,
    inbox: freshInbox(),
    maxDelayMs: 0,
    pollIntervalMs: 20,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    logger: createLogger({ format: 'json', level: 'debug', write: (line) => logs.push(JSON.parse(line)) }),
    ...overrides,
  })
  return { batcher, logs }
}

async function until<T>(fn: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = fn()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function readAll(
  batcher: Batcher,
  source: KeystoreBlockSource,
  onSkip?: (s: SkippedInboxData) => void,
) {
  return readBatches(l1, {
    inbox: batcher.inbox,
    batcher: batcher.address,
    fromBlock: 0n,
    start: { number: 1n, parentHash: source.genesis.hash },
    onSkip,
  })
}

describe('Batcher', () => {
  test('posts every block; readBatches reconstructs exactly the blocks; the safe head follows', async () => {
    const source = new KeystoreBlockSource({ seed: 'post', firstOrigin: 1n })
    for (let i = 0; i < 12; i++) source.produce(i % 4)
    const heads: (SafeHead | undefined)[] = []
    const { batcher } = makeBatcher(source, { onSafeHead: (h) => heads.push(h) })
    expect(batcher.health().status).toBe('stopped')
    await batcher.start()
    await until(() => batcher.safeHead?.number === 12n, 'safe head 12')
    for (let i = 0; i < 6; i++) source.produce(3)
    await until(() => batcher.safeHead?.number === 18n, 'safe head 18')
    const health = batcher.health()
    expect(health).toMatchObject({ status: 'ok', sourceHead: 18n, consecutiveErrors: 0, reposts: 0 })
    expect(health.posted.blocks).toBe(18)
    expect(health.posted.transactions).toBe(source.blocks.reduce((n, b) => n + b.transactions.length, 0))
    expect(heads.at(-1)).toMatchObject({ number: 18n, hash: source.latest.hash })
    await batcher.stop()
    expect(batcher.health().status).toBe('stopped')

    const skipped: SkippedInboxData[] = []
    const batches = await readAll(batcher, source, (s) => skipped.push(s))
    expect(skipped).toEqual([])
    expect(batches.flatMap((b) => b.blocks)).toEqual(batchFromBlocks(source.blocks.slice(1)).blocks)
    expect(batches.at(-1)!.lastHash).toBe(source.latest.hash)
  })

  test('restart resumes from L1 without duplicates', async () => {
    const source = new KeystoreBlockSource({ seed: 'restart', firstOrigin: 1n })
    for (let i = 0; i < 5; i++) source.produce(2)
    const first = makeBatcher(source)
    await first.batcher.start()
    await until(() => first.batcher.safeHead?.number === 5n, 'safe head 5')
    await first.batcher.stop()
    for (let i = 0; i < 5; i++) source.produce(1)
    // a new instance: nothing in memory, only L1 and the source
    const second = makeBatcher(source, { inbox: first.batcher.inbox })
    await second.batcher.start()
    await until(() => second.batcher.safeHead?.number === 10n, 'safe head 10')
    await second.batcher.stop()
    expect(second.batcher.health().posted.blocks).toBe(5)
    const skipped: SkippedInboxData[] = []
    const batches = await readAll(second.batcher, source, (s) => skipped.push(s))
    expect(skipped).toEqual([])
    expect(batches.map((b) => b.blocks[0]!.number)).toEqual([1n, 6n])
  })

  test('packs up to the size limit, and posts the rest after the delay', async () => {
    const source = new KeystoreBlockSource({ seed: 'size', firstOrigin: 1n })
    for (let i = 0; i < 40; i++) source.produce(2)
    const { batcher } = makeBatcher(source, { maxBatchBytes: 4000, maxDelayMs: 60_000 })
    await batcher.start()
    // only full batches go out while the delay has not passed
    await until(() => (batcher.safeHead?.number ?? 0n) > 25n, 'full batches')
    await new Promise((r) => setTimeout(r, 300))
    const batches = await readAll(batcher, source)
    expect(batches.length).toBeGreaterThan(3)
    for (const b of batches) expect(b.calldataBytes).toBeLessThanOrEqual(4000)
    expect(batcher.safeHead!.number).toBeLessThan(40n)
    await batcher.stop()
    // the tail goes out once the oldest pending block is older than maxDelayMs
    const tail = makeBatcher(source, { inbox: batcher.inbox, maxBatchBytes: 4000, maxDelayMs: 200 })
    await tail.batcher.start()
    await until(() => tail.batcher.safeHead?.number === 40n, 'the tail')
    await tail.batcher.stop()
    expect((await readAll(batcher, source)).flatMap((b) => b.blocks)).toEqual(
      batchFromBlocks(source.blocks.slice(1)).blocks,
    )
  })

  test('a block larger than a frame is posted as a multi-frame batch', async () => {
    const source = new KeystoreBlockSource({ seed: 'frames', firstOrigin: 1n })
    source.produce(40) // ~15 KB compressed with its witness
    const { batcher } = makeBatcher(source, { maxFrameBytes: 4000 })
    await batcher.start()
    await until(() => batcher.safeHead?.number === 1n, 'the big block')
    await batcher.stop()
    const health = batcher.health()
    expect(health.lastBatch!.frames).toBeGreaterThanOrEqual(3)
    const [batch] = await readAll(batcher, source)
    expect(batch!.inclusion.txHashes).toHaveLength(health.lastBatch!.frames)
    expect(batch!.blocks).toEqual(batchFromBlocks(source.blocks.slice(1)).blocks)
  })

  test('an L1 reorg that removes a posted batch: posted again', async () => {
    const source = new KeystoreBlockSource({ seed: 'l1reorg', firstOrigin: 1n })
    for (let i = 0; i < 3; i++) source.produce(1)
    const { batcher } = makeBatcher(source)
    await batcher.start()
    await until(() => batcher.safeHead?.number === 3n, 'safe head 3')
    await batcher.stop()
    const snapshot = (await l1.request({ method: 'evm_snapshot' as never })) as Hex
    for (let i = 0; i < 3; i++) source.produce(1)
    await batcher.start()
    await until(() => batcher.safeHead?.number === 6n, 'safe head 6')
    const lost = batcher.safeHead!
    // while it runs, L1 drops the second batch and grows past it with other blocks
    await l1.request({ method: 'evm_revert' as never, params: [snapshot] as never })
    await l1.mine({ blocks: 3 })
    await until(() => batcher.health().l1Reorgs === 1, 'the reorg')
    await until(
      () => batcher.safeHead?.number === 6n && batcher.safeHead.l1BlockHash !== lost.l1BlockHash,
      're-post',
    )
    await batcher.stop()
    expect(batcher.health().reposts).toBe(1)
    const batches = await readAll(batcher, source)
    expect(batches.map((b) => b.blocks[0]!.number)).toEqual([1n, 4n])
  })

  test('refuses to post when the L2 chain no longer continues L1 (node reset)', async () => {
    const source = new KeystoreBlockSource({ seed: 'diverge', firstOrigin: 1n })
    for (let i = 0; i < 3; i++) source.produce(1)
    const { batcher, logs } = makeBatcher(source)
    await batcher.start()
    await until(() => batcher.safeHead?.number === 3n, 'safe head 3')
    source.forkAt(2n) // blocks 2.. replaced: block 4 no longer builds on the posted block 3
    for (let i = 0; i < 3; i++) source.produce(1)
    await until(() => batcher.health().status === 'degraded', 'degraded')
    expect(batcher.health().lastError).toMatch(/no longer continues the batches on L1 at block 4/)
    expect(logs.some((l) => l.level === 'error' && l.msg === 'step failed')).toBe(true)
    await batcher.stop()
    expect(batcher.health().posted.blocks).toBe(3)
  })
})

describe('Batcher never burns gas on batches readers refuse', () => {
  test('L1 origins ahead of L1: posts the blocks before them, then waits', async () => {
    const source = new KeystoreBlockSource({ seed: 'ahead', firstOrigin: 1n, originEvery: 3 })
    for (let i = 0; i < 5; i++) source.produce(1) // origin 2 from block 3 on
    const l1Head = await l1.getBlockNumber()
    for (let i = 0; i < 3; i++) source.produce(0)
    source.latest.l1Origin = { number: l1Head + 1000n, hash: source.latest.l1Origin.hash } // block 8
    const { batcher, logs } = makeBatcher(source)
    await batcher.start()
    await until(() => batcher.safeHead?.number === 7n, 'blocks 1-7')
    await until(() => logs.some((l) => l.msg === 'L1 origin ahead of the L1 head: waiting'), 'the warning')
    await new Promise((r) => setTimeout(r, 200))
    await batcher.stop()
    expect(batcher.safeHead?.number).toBe(7n)
  })

  test('a posted batch the inbox rules refuse: posted once, then blocked until restart', async () => {
    const source = new KeystoreBlockSource({ seed: 'refused', firstOrigin: 1n, originEvery: 1_000_000 })
    for (let i = 0; i < 10_001; i++) source.produce(0) // readers take at most 10,000 blocks per batch
    const { batcher, logs } = makeBatcher(source, {
      maxBlocksPerBatch: 20_000,
      maxBatchBytes: 1_000_000,
      maxFrameBytes: 1_000_000,
    })
    await batcher.start()
    await until(() => batcher.health().status === 'degraded', 'degraded')
    expect(logs.filter((l) => l.msg === 'batch posted')).toHaveLength(1)
    expect(batcher.health().lastError).toMatch(/L1 refused our batch ending at block 10001: limit-exceeded/)
    await new Promise((r) => setTimeout(r, 300))
    await batcher.stop()
    expect(batcher.health().posted.batches).toBe(1)
  })
})

describe('measured: 1,000 updateKey transactions', () => {
  test('bytes and L1 gas per transaction', async () => {
    const results: Record<string, unknown>[] = []
    for (const [label, witnessPerTx, compression] of [
      ['no witness, brotli', 0, 'brotli'],
      ['no witness, deflate', 0, 'deflate'],
      ['1 witness entry per tx, brotli', 1, 'brotli'],
      ['1 witness entry per tx, deflate', 1, 'deflate'],
    ] as const) {
      const source = new KeystoreBlockSource({ seed: 'measure', firstOrigin: 1n, witnessPerTx })
      for (let i = 0; i < 100; i++) source.produce(10) // 1,000 txs in 100 blocks (a 2 s block time: 200 s)
      const { batcher } = makeBatcher(source, { compression, maxBlocksPerBatch: 100 })
      await batcher.start()
      await until(() => batcher.safeHead?.number === 100n, 'all 100 blocks', 60_000)
      await batcher.stop()
      const h = batcher.health()
      const txBytes = source.blocks.reduce(
        (n, b) => n + b.transactions.reduce((m, t) => m + (t.length - 2) / 2, 0),
        0,
      )
      const gas = BigInt(h.posted.gasUsed)
      results.push({
        label,
        batches: h.posted.batches,
        frames: h.posted.frames,
        rawTxBytes: txBytes,
        calldataBytes: h.posted.calldataBytes,
        ratio: Number((h.posted.calldataBytes / txBytes).toFixed(3)),
        bytesPerTx: Number((h.posted.calldataBytes / 1000).toFixed(1)),
        l1GasPerTx: Number(gas / 1000n),
      })
      // EIP-7623 floor: between 10 (all zero) and 40 (no zero) gas per calldata byte
      const base = 21_000n * BigInt(h.posted.frames)
      expect(gas).toBeGreaterThanOrEqual(base + 10n * BigInt(h.posted.calldataBytes))
      expect(gas).toBeLessThanOrEqual(base + 40n * BigInt(h.posted.calldataBytes))
    }
    console.log(
      `batcher measurement (1,000 updateKey txs):\n${results.map((r) => JSON.stringify(r)).join('\n')}`,
    )
    const [brotli, deflate] = results as { calldataBytes: number; l1GasPerTx: number }[]
    expect(brotli!.calldataBytes).toBeLessThan(deflate!.calldataBytes)
    expect(brotli!.l1GasPerTx).toBeLessThan(10_000)
  })

  test('inboxTxGas is what L1 charges (EIP-7623 floor on anvil)', async () => {
    const data = new Uint8Array(1000).map((_, i) => (i % 4 === 0 ? 0 : i))
    const hash = await l1.sendTransaction({
      account: batcherAccount,
      to: BATCH_INBOX_ADDRESS,
      data: `0x${Buffer.from(data).toString('hex')}`,
      chain: l1.chain,
    })
    const receipt = await l1.waitForTransactionReceipt({ hash })
    expect(receipt.gasUsed).toBe(inboxTxGas(data))
    expect(inboxTxGas(data)).toBe(21_000n + 10n * (250n + 4n * 750n))
  })
})
