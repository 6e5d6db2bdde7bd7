import type { Address, Hex } from 'viem'
import { readContract } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { opL2OutputOracleAbi } from '../../contracts/generated/index.js'
import { createLogger, type LogFields } from '../shared/logger.js'
import { InvalidL2ResponseError } from './fetchOutputRoot.js'
import { Proposer, type ProposerParameters, ProposerSetupError } from './Proposer.js'
import {
  challengerAccount,
  type ProposerFixture,
  proposerAccount,
  startProposerFixture,
} from './testing/fixture.js'
import { independentOutputRoot } from './testing/independentOutputRoot.js'
import { clientTelling, flip, type Lie } from './testing/lyingClient.js'

let fx: ProposerFixture
const withdrawals: Hex[] = []

beforeAll(async () => {
  fx = await startProposerFixture()
  await fx.mineL2(2)
  withdrawals.push((await fx.withdraw('0x01')).withdrawalHash)
})
afterAll(async () => {
  await fx?.stop()
})

/** A fresh oracle whose first output is `interval` blocks after the current L2 head. */
async function freshOracle(submissionInterval = 4n): Promise<{ oracle: Address; start: bigint }> {
  const head = await fx.l2.getBlock({ blockTag: 'latest' })
  const { address } = await fx.deployOracle({
    submissionInterval,
    startingBlockNumber: head.number,
    startingTimestamp: head.timestamp,
  })
  return { oracle: address, start: head.number }
}

function makeProposer(oracle: Address, overrides: Partial<ProposerParameters> = {}): Proposer {
  return new Proposer({
    l1: fx.l1,
    l2: fx.l2,
    l2OutputOracle: oracle,
    account: proposerAccount,
    safeTag: 'latest',
    pollIntervalMs: 20,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
    txTimeoutMs: 5000,
    ...overrides,
  })
}

async function outputs(oracle: Address): Promise<{ outputRoot: Hex; l2BlockNumber: bigint }[]> {
  const count = await readContract(fx.l1, {
    address: oracle,
    abi: opL2OutputOracleAbi,
    functionName: 'nextOutputIndex',
  })
  return Promise.all(
    Array.from({ length: Number(count) }, (_, i) =>
      readContract(fx.l1, {
        address: oracle,
        abi: opL2OutputOracleAbi,
        functionName: 'getL2Output',
        args: [BigInt(i)],
      }),
    ),
  )
}

async function waitFor(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('Proposer', () => {
  test('catches up several intervals in a row, then waits for L2 blocks; roots equal an independent computation', async () => {
    const { oracle, start } = await freshOracle(4n)
    withdrawals.push((await fx.withdraw('0xbeef')).withdrawalHash)
    const head = await fx.mineL2(Number(start + 14n - (await fx.l2.getBlockNumber({ cacheTime: 0 }))))
    expect(head).toBe(start + 14n)
    const proposer = makeProposer(oracle)
    await proposer.start()
    try {
      await waitFor(async () => (await outputs(oracle)).length === 3, 'three outputs')
      await waitFor(() => proposer.health().waitingFor === 'l2', 'waiting for the L2')
      const proposed = await outputs(oracle)
      // Exactly at the interval, in order: start+4, start+8, start+12 (the L2 is at start+14).
      expect(proposed.map((o) => o.l2BlockNumber)).toEqual([start + 4n, start + 8n, start + 12n])
      for (const o of proposed)
        expect(o.outputRoot).toBe(
          (await independentOutputRoot(fx.l2, o.l2BlockNumber, withdrawals)).outputRoot,
        )
      const health = proposer.health()
      expect(health).toMatchObject({
        status: 'ok',
        proposed: 3,
        waitingFor: 'l2',
        nextBlockNumber: String(start + 16n),
        latestBlockNumber: String(start + 12n),
        l2Head: String(start + 14n),
        lagBlocks: '2',
        timestampMismatches: 0,
      })
      expect(health.lastProposed).toMatchObject({ l2BlockNumber: String(start + 12n), l2OutputIndex: '2' })

      // Nothing more until the L2 reaches start+16.
      await new Promise((r) => setTimeout(r, 150))
      expect(await outputs(oracle)).toHaveLength(3)
      await fx.mineL2(2)
      await waitFor(async () => (await outputs(oracle)).length === 4, 'the fourth output')
      const fourth = (await outputs(oracle))[3]!
      expect(fourth.l2BlockNumber).toBe(start + 16n)
      expect(fourth.outputRoot).toBe(
        (await independentOutputRoot(fx.l2, start + 16n, withdrawals)).outputRoot,
      )
    } finally {
      await proposer.stop()
    }
    expect(proposer.health().status).toBe('stopped')
  })

  test('a restart resumes from the oracle: no duplicates, no gaps', async () => {
    const { oracle, start } = await freshOracle(3n)
    await fx.mineL2(3)
    expect(await makeProposer(oracle).proposeOnce()).toBe('proposed')
    // "Crash", the L2 moves on, a new instance (no local state) takes over.
    await fx.mineL2(6)
    const second = makeProposer(oracle)
    expect(await second.proposeOnce()).toBe('proposed')
    expect(await second.proposeOnce()).toBe('proposed')
    expect(await second.proposeOnce()).toBe('waiting-for-l2')
    expect((await outputs(oracle)).map((o) => o.l2BlockNumber)).toEqual([start + 3n, start + 6n, start + 9n])
  })

  test("proposes only blocks at the safe tag (anvil's 'safe' = latest - 32)", async () => {
    const { oracle, start } = await freshOracle(4n)
    await fx.mineL2(42)
    const proposer = makeProposer(oracle, { safeTag: undefined })
    while ((await proposer.proposeOnce()) === 'proposed');
    expect(proposer.health().waitingFor).toBe('l2')
    expect(proposer.health().l2Head).toBe(String(start + 10n))
    expect((await outputs(oracle)).map((o) => o.l2BlockNumber)).toEqual([start + 4n, start + 8n])
  })

  const lies: [string, Lie][] = [
    [
      'a wrong storageHash',
      (m, r) => (m === 'eth_getProof' ? { ...r, storageHash: flip(r.storageHash) } : r),
    ],
    [
      'a forged account proof',
      (m, r) =>
        m === 'eth_getProof'
          ? { ...r, accountProof: r.accountProof.map((n, i) => (i === 0 ? flip(n) : n)) }
          : r,
    ],
    [
      'a wrong block hash',
      (m, r) =>
        m === 'eth_getBlockByNumber' && r && r.number !== undefined ? { ...r, hash: flip(r.hash) } : r,
    ],
  ]
  test.each(lies)('a lying L2 RPC (%s): an error, loudly, and nothing proposed', async (_, lie) => {
    const { oracle } = await freshOracle(2n)
    await fx.mineL2(3)
    const records: LogFields[] = []
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      write: (line) => records.push(JSON.parse(line)),
    })
    const l2 = clientTelling(fx.l2Anvil.rpcUrl, lie)
    const proposer = makeProposer(oracle, { l2, logger })
    await expect(proposer.proposeOnce()).rejects.toThrow(InvalidL2ResponseError)
    await proposer.start()
    try {
      await waitFor(() => proposer.health().errors.invalidL2 >= 3, 'repeated refusals')
      expect(proposer.health()).toMatchObject({ status: 'degraded', proposed: 0, lastErrorKind: 'invalidL2' })
      expect(records.some((r) => r.level === 'error' && /Refusing the L2 RPC/.test(String(r.error)))).toBe(
        true,
      )
    } finally {
      await proposer.stop()
    }
    expect(await outputs(oracle)).toHaveLength(0)
    // The honest RPC proposes at once: the oracle state was left untouched.
    expect(await makeProposer(oracle).proposeOnce()).toBe('proposed')
  })

  test("refuses to start with a key that is not the oracle's proposer, or without an oracle", async () => {
    const { oracle } = await freshOracle()
    await expect(makeProposer(oracle, { account: challengerAccount }).start()).rejects.toThrow(
      ProposerSetupError,
    )
    await expect(makeProposer('0x000000000000000000000000000000000000dEaD').start()).rejects.toThrow(
      /not deployed/,
    )
  })
})

describe('Proposer and the L1 clock', () => {
  let clock: ProposerFixture
  beforeAll(async () => {
    clock = await startProposerFixture({ l2GenesisAtL1Now: true })
  })
  afterAll(async () => {
    await clock?.stop()
  })

  test('waits until computeL2Timestamp(next) is before the L1 head, then proposes', async () => {
    const { address: oracle } = await clock.deployOracle({ submissionInterval: 10n })
    await clock.mineL2(12)
    const proposer = new Proposer({
      l1: clock.l1,
      l2: clock.l2,
      l2OutputOracle: oracle,
      account: proposerAccount,
      safeTag: 'latest',
    })
    // L2 block 10 is stamped genesis + 20 s: in the L1's future.
    expect(await proposer.proposeOnce()).toBe('waiting-for-l1-time')
    expect(proposer.health().waitingFor).toBe('l1-time')
    await clock.l1.increaseTime({ seconds: 60 })
    await clock.l1.mine({ blocks: 1 })
    expect(await proposer.proposeOnce()).toBe('proposed')
    expect(proposer.health().lastProposed?.l2BlockNumber).toBe('10')
  })
})
