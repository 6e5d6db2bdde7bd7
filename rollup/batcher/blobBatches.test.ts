/**
 * Blob batches on a real anvil (hardfork Bpo1): the Batcher posting type-3 transactions, readers
 * fetching and verifying blobs (anvil's RPC and its beacon API stand-in), lying sources, mixed
 * calldata and blob batches, and the cost measurement. One KZG worker for the whole file: loading
 * the trusted setup takes ~15–25 s here, done while anvil starts.
 */
import {
  type Account,
  type Address,
  commitmentToVersionedHash,
  type Hex,
  hexToBytes,
  type LocalAccount,
  toHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DevnetClient } from '../devnet/clients.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import { Batcher, type BatcherParameters, inboxTxGas } from './Batcher.js'
import { type BlobSource, createBeaconBlobSource, createRpcBlobSource } from './blobSource.js'
import { BYTES_PER_BLOB, encodeBlobPayload, GAS_PER_BLOB } from './blobs.js'
import { BlobTxSender, wrapBlobTransaction } from './blobTx.js'
import { batchFromBlocks, encodeBatch } from './codec.js'
import { BlobMismatchError, BlobUnavailableError } from './errors.js'
import { toFrames } from './frames.js'
import { InboxScanner, type SkippedInboxData } from './InboxScanner.js'
import { createKzgWorker } from './kzg.js'
import { readBatches } from './readBatches.js'
import { KeystoreBlockSource } from './testing.js'
import type { BatchBlock } from './types.js'

/** anvil dev keys #3 (the batcher) and #4 (someone else). */
const batcher = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6')
const stranger = privateKeyToAccount('0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a')

let chains: TestChains
let l1: DevnetClient
const kzg = createKzgWorker()

/**
 * anvil loads its own KZG setup on its first blob transaction (~5 s): send it one whose sidecar
 * needs no computing (the zero blob: commitment and proof are the point at infinity).
 */
async function warmUpAnvil(): Promise<void> {
  const infinity = `0xc0${'00'.repeat(47)}` as Hex
  const sidecars = [{ blob: toHex(new Uint8Array(BYTES_PER_BLOB)), commitment: infinity, proofs: [infinity] }]
  const signed = await stranger.signTransaction({
    type: 'eip4844',
    chainId: 900,
    nonce: await l1.getTransactionCount({ address: stranger.address }),
    to: stranger.address,
    gas: 21_000n,
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 10n ** 9n,
    maxFeePerBlobGas: 10n ** 9n,
    blobVersionedHashes: [commitmentToVersionedHash({ commitment: infinity })],
  })
  // plain fetch: anvil answers once its setup is loaded, which can take longer than viem's 10 s timeout
  const response = await fetch(chains.anvils.l1!.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_sendRawTransaction',
      params: [wrapBlobTransaction(signed, sidecars, 0)],
    }),
  })
  const { result: hash } = (await response.json()) as { result: Hex }
  await l1.waitForTransactionReceipt({ hash })
}

beforeAll(async () => {
  const warm = kzg.blobToCommitment(new Uint8Array(BYTES_PER_BLOB)) // the trusted setup loads meanwhile
  warm.catch(() => undefined)
  chains = await startTestChains([{ name: 'l1', chainId: 900 }])
  l1 = chains.clients.l1!
  await l1.mine({ blocks: 40 })
  await Promise.all([warmUpAnvil(), warm])
})
afterAll(async () => {
  await chains?.stop()
  await kzg.close()
})

let inboxes = 0
function freshInbox(): Address {
  inboxes++
  return `0xff000000000000000000000000000000000${(0xb0000 + inboxes).toString(16)}` as Address
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

function makeBatcher(source: KeystoreBlockSource, overrides: Partial<BatcherParameters> = {}) {
  return new Batcher({
    l1,
    account: batcher,
    source,
    inbox: freshInbox(),
    dataAvailability: 'blobs',
    blobSidecarVersion: 0, // anvil takes both; version 0 proofs are ~5x cheaper to compute
    kzg,
    maxDelayMs: 0,
    pollIntervalMs: 20,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    ...overrides,
  })
}

/** Posts until the safe head reaches `last`, then stops. */
async function runUntil(b: Batcher, last: bigint): Promise<void> {
  await b.start()
  try {
    await until(() => b.safeHead?.number === last || b.health().status === 'degraded', `safe head ${last}`)
    expect(b.health().lastError).toBeUndefined()
  } finally {
    await b.stop()
  }
}

const senders = new Map<Address, BlobTxSender>()
/** One blob transaction to `to` carrying `payload` (or these exact blobs). */
async function postBlobs(account: LocalAccount, to: Address, payload: Uint8Array | { blobs: Uint8Array[] }) {
  let sender = senders.get(account.address)
  if (!sender) {
    sender = new BlobTxSender({ client: l1, account, kzg, sidecarVersion: 0 })
    senders.set(account.address, sender)
  }
  const blobs = payload instanceof Uint8Array ? encodeBlobPayload(payload) : payload.blobs
  return sender.send({ to, blobs })
}

async function postCalldata(account: Account, to: Address, data: Uint8Array) {
  const hash = await l1.sendTransaction({
    account,
    to,
    data: toHex(data),
    gas: inboxTxGas(data),
    chain: l1.chain,
  })
  return l1.waitForTransactionReceipt({ hash })
}

const single = (blocks: BatchBlock[]) => toFrames(encodeBatch(batchFromBlocks(blocks)))[0]!
const dataOf = (blocks: BatchBlock[]) => batchFromBlocks(blocks).blocks

/** The anvil RPC source, counting which transactions were asked for. */
function countingSource(): BlobSource & { asked: Hex[] } {
  const inner = createRpcBlobSource({ client: l1 })
  const asked: Hex[] = []
  return {
    asked,
    getBlobs: (request) => {
      asked.push(request.txHash)
      return inner.getBlobs(request)
    },
  }
}

describe('Batcher with blobs', () => {
  test('posts type-3 transactions (cell-proof wrapper); readBatches reconstructs exactly the blocks', async () => {
    const source = new KeystoreBlockSource({ seed: 'blob-post', firstOrigin: 1n })
    for (let i = 0; i < 8; i++) source.produce(i % 3)
    const b = makeBatcher(source, { blobSidecarVersion: 1 })
    await runUntil(b, 8n)
    const health = b.health()
    expect(health).toMatchObject({ dataAvailability: 'blobs', reposts: 0 })
    expect(health.posted).toMatchObject({ blocks: 8, calldataBytes: 0 })
    expect(health.posted.blobs).toBeGreaterThanOrEqual(1)
    expect(BigInt(health.posted.blobGasUsed)).toBe(BigInt(health.posted.blobs) * GAS_PER_BLOB)
    expect(BigInt(health.posted.gasUsed)).toBe(21_000n * BigInt(health.posted.frames))

    const skipped: SkippedInboxData[] = []
    const batches = await readBatches(l1, {
      inbox: b.inbox,
      batcher: batcher.address,
      fromBlock: 0n,
      start: { number: 1n, parentHash: source.genesis.hash },
      kzg,
      onSkip: (s) => skipped.push(s),
    })
    expect(skipped).toEqual([])
    expect(batches.flatMap((x) => x.blocks)).toEqual(dataOf(source.blocks.slice(1)))
    expect(batches.at(-1)!.lastHash).toBe(source.latest.hash)
    for (const batch of batches) {
      expect(batch).toMatchObject({ calldataBytes: 0, blobs: 1 })
      const tx = await l1.getTransaction({ hash: batch.inclusion.txHashes[0]! })
      expect(tx).toMatchObject({ type: 'eip4844', input: '0x', from: batcher.address.toLowerCase() })
      expect(tx.blobVersionedHashes).toHaveLength(1)
    }
  })

  test('mixed calldata and blob batches in one chain; restarts resume from L1; multi-frame over blob txs', async () => {
    const source = new KeystoreBlockSource({ seed: 'blob-mixed', firstOrigin: 1n })
    for (let i = 0; i < 4; i++) source.produce(2)
    const first = makeBatcher(source, { dataAvailability: 'calldata' })
    await runUntil(first, 4n)
    const inbox = first.inbox
    // a new process, switched to blobs: resumes after block 4 from what L1 has
    for (let i = 0; i < 4; i++) source.produce(1)
    const second = makeBatcher(source, { inbox })
    await runUntil(second, 8n)
    expect(second.health().posted).toMatchObject({ blocks: 4, batches: 1, blobs: 1 })
    // one block larger than an 8,000-byte frame: parts in several blob transactions
    source.produce(40)
    const third = makeBatcher(source, { inbox, maxFrameBytes: 8000 })
    await runUntil(third, 9n)
    const frames = third.health().lastBatch!.frames
    expect(frames).toBeGreaterThanOrEqual(2)
    for (let i = 0; i < 3; i++) source.produce(1)
    const fourth = makeBatcher(source, { inbox, dataAvailability: 'calldata' })
    await runUntil(fourth, 12n)

    const skipped: SkippedInboxData[] = []
    const batches = await readBatches(l1, {
      inbox,
      batcher: batcher.address,
      fromBlock: 0n,
      start: { number: 1n, parentHash: source.genesis.hash },
      kzg,
      onSkip: (s) => skipped.push(s),
    })
    expect(skipped).toEqual([])
    expect(batches.map((x) => [x.blocks[0]!.number, x.blobs, x.calldataBytes > 0])).toEqual([
      [1n, 0, true],
      [5n, 1, false],
      [9n, frames, false],
      [10n, 0, true],
    ])
    expect(batches[2]!.inclusion.txHashes).toHaveLength(frames)
    expect(batches.flatMap((x) => x.blocks)).toEqual(dataOf(source.blocks.slice(1)))
  })
})

describe('reading blob batches', () => {
  test('a lying or empty blob source is refused before decoding; the scanner stops there and resumes', async () => {
    const source = new KeystoreBlockSource({ seed: 'blob-lie', firstOrigin: 1n })
    for (let i = 0; i < 6; i++) source.produce(2)
    const inbox = freshInbox()
    const fromBlock = (await l1.getBlockNumber()) + 1n
    const posted = await postBlobs(batcher, inbox, single(source.blocks.slice(1, 4)))
    // what the liar serves instead: a well-formed blob of another valid batch (would decode fine)
    const other = new KeystoreBlockSource({ seed: 'blob-lie', firstOrigin: 1n })
    for (let i = 0; i < 3; i++) other.produce(1)
    const forged = encodeBlobPayload(single(other.blocks.slice(1, 4)))
    const honest = createRpcBlobSource({ client: l1 })
    let mode: 'forged' | 'flipped' | 'invalid' | 'none' | 'extra' = 'forged'
    const liar: BlobSource = {
      getBlobs: async (request) => {
        const real = (await honest.getBlobs(request)).map((b) => hexToBytes(b as Hex))
        if (mode === 'forged') return forged
        if (mode === 'flipped') real[0]![100] = real[0]![100]! ^ 1 // one data byte
        if (mode === 'invalid') real[0]![0] = 0xff // a field element above the BLS modulus
        if (mode === 'none') return []
        if (mode === 'extra') return [...forged, ...real] // another blob first, then ours: matched by hash
        return real
      },
    }
    const skipped: SkippedInboxData[] = []
    const scanner = new InboxScanner({
      client: l1,
      inbox,
      batcher: batcher.address,
      fromBlock,
      start: { number: 1n, parentHash: source.genesis.hash },
      blobSource: liar,
      kzg,
      onSkip: (s) => skipped.push(s),
    })
    const error = await scanner.sync().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BlobMismatchError)
    expect(error).toMatchObject({ txHash: posted.transactionHash, index: 0 })
    expect((error as Error).message).toMatch(/Blob 0 of 0x[0-9a-f]{64} does not match its versioned hash/)
    mode = 'flipped'
    await expect(scanner.sync()).rejects.toBeInstanceOf(BlobMismatchError)
    mode = 'invalid'
    await expect(scanner.sync()).rejects.toThrow(/refused #0: KZG failed/)
    mode = 'none'
    await expect(scanner.sync()).rejects.toBeInstanceOf(BlobUnavailableError)
    // nothing was decoded, skipped or taken from that L1 block
    expect(skipped).toEqual([])
    expect(scanner.batches).toEqual([])
    expect(scanner.scanned === undefined || scanner.scanned.number < posted.blockNumber).toBe(true)
    mode = 'extra'
    await scanner.sync()
    expect(scanner.safeHead?.number).toBe(3n)
    // readBatches refuses the same way
    mode = 'forged'
    await expect(
      readBatches(l1, { inbox, batcher: batcher.address, fromBlock, blobSource: liar, kzg }),
    ).rejects.toBeInstanceOf(BlobMismatchError)
  })

  test('only the batcher counts; bad payloads are skipped; a channel may mix calldata and blob frames', async () => {
    const source = new KeystoreBlockSource({ seed: 'blob-read', firstOrigin: 1n })
    for (let i = 0; i < 9; i++) source.produce(2)
    const b = (from: number, to: number) => source.blocks.slice(from, to + 1)
    const inbox = freshInbox()
    const fromBlock = (await l1.getBlockNumber()) + 1n
    const fromStranger = await postBlobs(stranger, inbox, single(b(1, 3))) // never fetched
    await postBlobs(batcher, inbox, new Uint8Array([0xde, 0xad])) // unknown frame type
    const notOurs = new Uint8Array(BYTES_PER_BLOB)
    notOurs[1] = 0x07 // blob encoding version 7
    await postBlobs(batcher, inbox, { blobs: [notOurs] })
    await postBlobs(batcher, inbox, single(b(1, 3))) // accepted
    const channel = encodeBatch(batchFromBlocks(b(4, 6)))
    const parts = toFrames(channel, { maxFrameBytes: Math.ceil(channel.length / 2) + 30 })
    expect(parts.length).toBe(2)
    for (const [i, part] of parts.entries())
      if (i % 2 === 0) await postBlobs(batcher, inbox, part)
      else await postCalldata(batcher, inbox, part)
    const last = await postBlobs(batcher, inbox, single(b(7, 9)))

    const counting = countingSource()
    const skipped: SkippedInboxData[] = []
    const batches = await readBatches(l1, {
      inbox,
      batcher: batcher.address,
      fromBlock,
      toBlock: last.blockNumber,
      start: { number: 1n, parentHash: source.genesis.hash },
      blobSource: counting,
      kzg,
      onSkip: (s) => skipped.push(s),
    })
    expect(counting.asked).not.toContain(fromStranger.transactionHash)
    expect(skipped.map((s) => [s.reason, s.message])).toEqual([
      ['unknown-version', 'Unknown frame type 0xde.'],
      ['unknown-version', 'Unknown blob encoding 0x07.'],
    ])
    const blobParts = Math.ceil(parts.length / 2)
    expect(batches.map((x) => [x.blocks[0]!.number, x.blobs])).toEqual([
      [1n, 1],
      [4n, blobParts],
      [7n, 1],
    ])
    expect(batches[1]!.calldataBytes).toBe(
      parts.filter((_, i) => i % 2 === 1).reduce((n, p) => n + p.length, 0),
    )
    expect(batches.flatMap((x) => x.blocks)).toEqual(dataOf(b(1, 9)))

    // the same through anvil's stand-in for the beacon API (block_id = the execution block number)
    const beacon = createBeaconBlobSource({
      url: chains.anvils.l1!.rpcUrl,
      blockId: (block) => block.number.toString(),
    })
    const viaBeacon = await readBatches(l1, {
      inbox,
      batcher: batcher.address,
      fromBlock,
      toBlock: last.blockNumber,
      start: { number: 1n, parentHash: source.genesis.hash },
      blobSource: beacon,
      kzg,
    })
    expect(viaBeacon.flatMap((x) => x.blocks)).toEqual(dataOf(b(1, 9)))
  })
})

describe('BlobTxSender', () => {
  test('does not bid above maxFeePerBlobGas: refuses before computing anything', async () => {
    const sender = new BlobTxSender({ client: l1, account: stranger, kzg, maxFeePerBlobGas: 0n })
    await expect(
      sender.send({ to: freshInbox(), blobs: encodeBlobPayload(new Uint8Array([1])) }),
    ).rejects.toThrow(/The blob base fee 1 is above maxFeePerBlobGas 0/)
    await expect(sender.send({ to: freshInbox(), blobs: [] })).rejects.toThrow(/carries 1\.\.6 blobs, not 0/)
  })
})

describe('measured: 1,000 updateKey transactions, calldata vs blobs', () => {
  test('execution gas and blob gas per update', async () => {
    const rows: Record<string, unknown>[] = []
    for (const [label, dataAvailability, witnessPerTx] of [
      ['calldata, no witness', 'calldata', 0],
      ['blobs, no witness', 'blobs', 0],
      ['blobs, 1 witness entry per tx', 'blobs', 1],
    ] as const) {
      const source = new KeystoreBlockSource({ seed: 'measure', firstOrigin: 1n, witnessPerTx })
      for (let i = 0; i < 100; i++) source.produce(10)
      const b = makeBatcher(source, { dataAvailability, maxBlocksPerBatch: 100 })
      await runUntil(b, 100n)
      const { posted } = b.health()
      const frameBytes = posted.calldataBytes + posted.blobDataBytes
      rows.push({
        label,
        batches: posted.batches,
        txs: posted.frames,
        blobs: posted.blobs,
        bytesPerUpdate: Number((frameBytes / 1000).toFixed(1)),
        executionGasPerUpdate: Number(BigInt(posted.gasUsed) / 1000n),
        blobGasPerUpdate: Number(BigInt(posted.blobGasUsed) / 1000n),
        blobFill: posted.blobs ? Number((frameBytes / (posted.blobs * 126_976)).toFixed(2)) : undefined,
      })
    }
    console.log(
      `blob batches measurement (1,000 updateKey txs, 100 blocks, brotli):\n${rows.map((r) => JSON.stringify(r)).join('\n')}`,
    )
    const [calldata, blobs] = rows as { executionGasPerUpdate: number; blobGasPerUpdate: number }[]
    expect(calldata!.executionGasPerUpdate).toBeGreaterThan(5000)
    expect(blobs!.executionGasPerUpdate).toBeLessThanOrEqual(21) // one 21,000-gas tx for 1,000 updates
    expect(blobs!.blobGasPerUpdate).toBeLessThanOrEqual(Number((2n * GAS_PER_BLOB) / 1000n))
  })
})
