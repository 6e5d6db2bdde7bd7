import { type Address, createPublicClient, custom, encodeDeployData, type Hex, parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { l1BlocksAbi, l1BlocksBytecode } from '../../contracts/generated/index.js'
import { deployCreate2, saltOf } from '../deploy/create2.js'
import { type DevnetClient, makeChain } from '../devnet/clients.js'
import { startTestChains, TEST_KEYS, type TestChains } from '../devnet/testing.js'
import { L1OriginUpdater } from '../origin/L1OriginUpdater.js'
import {
  DEPOSITOR_ACCOUNT,
  encodeSetL1BlockValuesEcotone,
  installL1Block,
  L1_BLOCK_ADDRESS,
  l1BlockValuesFromBlock,
} from '../origin/l1Block.js'
import { createLogger, type LogFields } from '../shared/logger.js'
import { TxSender } from '../shared/txSender.js'
import { Feeder, type FeederParameters } from './Feeder.js'

const feederAccount = privateKeyToAccount(TEST_KEYS.feeder)
let chains: TestChains
let l1: DevnetClient
let l2: DevnetClient
let updater: L1OriginUpdater
let deployments = 0

beforeAll(async () => {
  chains = await startTestChains([
    { name: 'l1', chainId: 900 },
    { name: 'l2a', chainId: 902, optimism: true },
  ])
  l1 = chains.clients.l1!
  l2 = chains.clients.l2a!
  await l1.mine({ blocks: 20 })
  await installL1Block(l2)
  updater = new L1OriginUpdater({ name: 'l2a', l1, l2, lag: 2, install: false })
})
afterAll(async () => {
  await chains?.stop()
})

/** A fresh L1Blocks (new salt) so each test starts from an empty window. */
async function freshL1Blocks(ringSize = 16n): Promise<Address> {
  const { address } = await deployCreate2({
    client: l2,
    sender: new TxSender({ client: l2, account: l2.account! }),
    salt: saltOf(`feeder-test/${deployments++}`),
    initCode: encodeDeployData({ abi: l1BlocksAbi, bytecode: l1BlocksBytecode, args: [ringSize] }),
    label: 'L1Blocks',
  })
  return address
}

function makeFeeder(l1Blocks: Address, overrides: Partial<FeederParameters> = {}): Feeder {
  return new Feeder({
    l1,
    l2s: [{ name: 'l2a', client: l2, l1Blocks }],
    account: feederAccount,
    pollIntervalMs: 20,
    backoffBaseMs: 20,
    backoffMaxMs: 400,
    ...overrides,
  })
}

async function latest(l1Blocks: Address): Promise<{ number: bigint; hash: Hex }> {
  const [number, hash] = await Promise.all([
    l2.readContract({ address: l1Blocks, abi: l1BlocksAbi, functionName: 'latestBlockNumber' }),
    l2.readContract({ address: l1Blocks, abi: l1BlocksAbi, functionName: 'latestL1Blockhash' }),
  ])
  return { number, hash }
}

async function anchor(): Promise<Hex> {
  return l2.readContract({
    address: L1_BLOCK_ADDRESS,
    abi: [
      { type: 'function', name: 'hash', inputs: [], outputs: [{ type: 'bytes32' }], stateMutability: 'view' },
    ],
    functionName: 'hash',
  })
}

/** An L1 client over a transport that fails the first `failures` requests, then tampers as asked. */
function hostileL1(parameters: { failures?: number; tamper?: (block: Record<string, unknown>) => unknown }) {
  const url = chains.anvils.l1!.rpcUrl
  let failures = parameters.failures ?? 0
  const failedAt: number[] = []
  const client = createPublicClient({
    chain: makeChain({ name: 'l1', chainId: 900, rpcUrl: url }),
    transport: custom(
      {
        async request({ method, params }) {
          if (failures > 0) {
            failures--
            failedAt.push(Date.now())
            throw new Error('ECONNRESET (hostile transport)')
          }
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
          })
          const { result } = (await res.json()) as { result: Record<string, unknown> }
          return method === 'eth_getBlockByHash' && result && parameters.tamper
            ? parameters.tamper(result)
            : result
        },
      },
      { retryCount: 0 },
    ),
  })
  return { client, failedAt }
}

describe('Feeder', () => {
  test('without an L1 origin it waits; once set it stores the anchor, then is idle', async () => {
    const l1Blocks = await freshL1Blocks()
    const feeder = makeFeeder(l1Blocks)
    // L1Block installed but never set: hash() == 0
    expect(await feeder.feedOnce('l2a')).toBe('no-origin')
    await updater.updateOnce()
    expect(await feeder.feedOnce('l2a')).toBe('submitted-anchor')
    expect((await latest(l1Blocks)).hash).toBe(await anchor())
    expect(await feeder.feedOnce('l2a')).toBe('up-to-date')
    expect(feeder.health().chains.l2a).toMatchObject({ submitted: 1, synced: true, lagBlocks: '2' })
  })

  test('restarts idempotently: a new instance reads chain state and sends nothing', async () => {
    const l1Blocks = await freshL1Blocks()
    await updater.updateOnce()
    expect(await makeFeeder(l1Blocks).feedOnce('l2a')).toBe('submitted-anchor')
    const height = await l2.getBlockNumber()
    const restarted = makeFeeder(l1Blocks)
    expect(await restarted.feedOnce('l2a')).toBe('up-to-date')
    expect(await l2.getBlockNumber()).toBe(height)
  })

  test('start() refuses an L2 without L1Blocks', async () => {
    const feeder = makeFeeder('0x000000000000000000000000000000000000dEaD')
    await expect(feeder.start()).rejects.toThrow(/L1Blocks is not deployed on l2a/)
  })

  test('a failing L1 RPC: backs off exponentially with jitter, then succeeds', async () => {
    const l1Blocks = await freshL1Blocks()
    await l1.mine({ blocks: 1 })
    await updater.updateOnce()
    const { client, failedAt } = hostileL1({ failures: 5 })
    const records: LogFields[] = []
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => records.push(JSON.parse(l)) })
    const feeder = makeFeeder(l1Blocks, { l1: client, logger })
    await feeder.start()
    try {
      await feeder.waitUntilSynced({ timeoutMs: 10_000 })
    } finally {
      await feeder.stop()
    }
    expect((await latest(l1Blocks)).hash).toBe(await anchor())
    const health = feeder.health().chains.l2a!
    expect(health.errors.rpc).toBe(5)
    expect(health.consecutiveErrors).toBe(0)
    const retries = records.filter((r) => r.msg === 'step failed').map((r) => r.retryInMs as number)
    expect(retries).toHaveLength(5)
    // base 20 ms, doubling, jitter in [0.5, 1): attempt n waits in [10·2^n, 20·2^n]
    retries.forEach((ms, n) => {
      expect(ms).toBeGreaterThanOrEqual(10 * 2 ** n)
      expect(ms).toBeLessThanOrEqual(20 * 2 ** n)
    })
    expect(failedAt[4]! - failedAt[3]!).toBeGreaterThanOrEqual(80)
  })

  test('a lying L1 RPC: the header is refused and nothing is submitted', async () => {
    const l1Blocks = await freshL1Blocks()
    await l1.mine({ blocks: 1 })
    await updater.updateOnce()
    const { client } = hostileL1({ tamper: (b) => ({ ...b, stateRoot: `0x${'66'.repeat(32)}` }) })
    const feeder = makeFeeder(l1Blocks, { l1: client })
    const height = await l2.getBlockNumber()
    for (let i = 0; i < 3; i++) await expect(feeder.feedOnce('l2a')).rejects.toThrow(/Refusing the header/)
    expect(await l2.getBlockNumber()).toBe(height)
    await expect(latest(l1Blocks)).rejects.toThrow(/L1BlocksNoHeaders/)
    const health = feeder.health()
    expect(health.chains.l2a!.errors.mismatch).toBe(3)
    expect(health.chains.l2a!.lastError).toMatch(/Refusing the header/)
  })

  test('rollover race: the anchor moves before inclusion -> revert -> retried with the new anchor', async () => {
    const l1Blocks = await freshL1Blocks()
    const feeder = makeFeeder(l1Blocks)
    await updater.updateOnce()
    expect(await feeder.feedOnce('l2a')).toBe('submitted-anchor')
    await l1.mine({ blocks: 1 })
    await updater.updateOnce() // anchor B, not stored yet

    await l2.setAutomine(false)
    try {
      const pending = feeder.feedOnce('l2a') // simulates fine against B, sends, waits
      while ((await l2.getTxpoolStatus()).pending < 1) await new Promise((r) => setTimeout(r, 10))
      // the sequencer moves the origin to C in the same block, ahead of the feeder (higher tip)
      await l1.mine({ blocks: 1 })
      const c = await l1.getBlock({ blockNumber: (await l1.getBlockNumber()) - 2n })
      await l2.sendTransaction({
        account: DEPOSITOR_ACCOUNT,
        to: L1_BLOCK_ADDRESS,
        data: encodeSetL1BlockValuesEcotone(
          l1BlockValuesFromBlock(c, { baseFeeScalar: 1, blobBaseFeeScalar: 1, batcher: DEPOSITOR_ACCOUNT }),
        ),
        gas: 200_000n,
        maxFeePerGas: parseGwei('500'),
        maxPriorityFeePerGas: parseGwei('200'),
        chain: l2.chain,
      })
      await l2.mine({ blocks: 1 })
      expect(await pending).toBe('race')
      const block = await l2.getBlock({ includeTransactions: true })
      expect(block.transactions).toHaveLength(2)
      const feederTx = block.transactions.find(
        (t) => t.from.toLowerCase() === feederAccount.address.toLowerCase(),
      )!
      expect((await l2.getTransactionReceipt({ hash: feederTx.hash })).status).toBe('reverted')
    } finally {
      await l2.setAutomine(true)
    }
    expect(await feeder.feedOnce('l2a')).toBe('submitted-anchor')
    expect((await latest(l1Blocks)).hash).toBe(await anchor())
    expect(feeder.health().chains.l2a!.errors.races).toBe(1)
  })

  test('backfills parents through parentHash, bounded by the ring, refilling after a gap', async () => {
    const ringSize = 6n
    const l1Blocks = await freshL1Blocks(ringSize)
    await updater.updateOnce()
    const feeder = makeFeeder(l1Blocks, { backfill: 3 })
    let outcome = await feeder.feedOnce('l2a')
    while (outcome !== 'up-to-date') outcome = await feeder.feedOnce('l2a')
    const window = async () => {
      const oldest = await l2.readContract({
        address: l1Blocks,
        abi: l1BlocksAbi,
        functionName: 'oldestBlockNumber',
      })
      const { number } = await latest(l1Blocks)
      for (let n = oldest; n <= number; n++) {
        const stored = await l2.readContract({
          address: l1Blocks,
          abi: l1BlocksAbi,
          functionName: 'l1Blockhash',
          args: [n],
        })
        expect(stored).toBe((await l1.getBlock({ blockNumber: n })).hash)
      }
      return { oldest, latest: number }
    }
    let w = await window()
    expect(w.latest - w.oldest).toBe(3n)

    // the origin jumps 4 blocks: the window restarts at the new anchor and is refilled
    await l1.mine({ blocks: 4 })
    await updater.updateOnce()
    outcome = await feeder.feedOnce('l2a')
    expect(outcome).toBe('submitted-anchor')
    while (outcome !== 'up-to-date') outcome = await feeder.feedOnce('l2a')
    w = await window()
    expect(w.latest - w.oldest).toBe(3n)

    // backfill larger than the ring keeps ringSize headers
    const greedy = makeFeeder(l1Blocks, { backfill: 100 })
    outcome = await greedy.feedOnce('l2a')
    while (outcome !== 'up-to-date') outcome = await greedy.feedOnce('l2a')
    w = await window()
    expect(w.latest - w.oldest).toBe(ringSize - 1n)
  })
})
