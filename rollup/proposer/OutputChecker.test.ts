import { type Address, type Hex, keccak256, toHex, zeroHash } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { opL2OutputOracleAbi } from '../../contracts/generated/index.js'
import { createLogger, type LogFields } from '../shared/logger.js'
import {
  type OutputCheck,
  OutputChecker,
  type OutputCheckerParameters,
  type OutputMismatch,
} from './OutputChecker.js'
import { Proposer } from './Proposer.js'
import {
  challengerAccount,
  type ProposerFixture,
  proposerAccount,
  startProposerFixture,
} from './testing/fixture.js'
import { independentOutputRoot } from './testing/independentOutputRoot.js'

let fx: ProposerFixture
const withdrawals: Hex[] = []

beforeAll(async () => {
  fx = await startProposerFixture()
  await fx.mineL2(1)
  withdrawals.push((await fx.withdraw('0x01')).withdrawalHash)
})
afterAll(async () => {
  await fx?.stop()
})

async function freshOracle(
  submissionInterval = 2n,
): Promise<{ oracle: Address; start: bigint; deployBlock: bigint }> {
  const head = await fx.l2.getBlock({ blockTag: 'latest' })
  const { address, deployBlock } = await fx.deployOracle({
    submissionInterval,
    startingBlockNumber: head.number,
    startingTimestamp: head.timestamp,
  })
  return { oracle: address, start: head.number, deployBlock }
}

function proposerFor(oracle: Address): Proposer {
  return new Proposer({
    l1: fx.l1,
    l2: fx.l2,
    l2OutputOracle: oracle,
    account: proposerAccount,
    safeTag: 'latest',
  })
}

function checkerFor(oracle: Address, overrides: Partial<OutputCheckerParameters> = {}): OutputChecker {
  return new OutputChecker({
    l1: fx.l1,
    l2: fx.l2,
    l2OutputOracle: oracle,
    pollIntervalMs: 20,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
    ...overrides,
  })
}

async function drain(checker: OutputChecker): Promise<void> {
  while ((await checker.checkOnce()).more);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('OutputChecker', () => {
  test('passes honest outputs, including past ones, scanning L1 in ranges', async () => {
    const { oracle, deployBlock } = await freshOracle(2n)
    withdrawals.push((await fx.withdraw('0x02')).withdrawalHash)
    await fx.mineL2(6)
    const proposer = proposerFor(oracle)
    while ((await proposer.proposeOnce()) === 'proposed');
    const checks: OutputCheck[] = []
    const mismatches: OutputMismatch[] = []
    const checker = checkerFor(oracle, {
      fromBlock: deployBlock,
      maxBlockRange: 2,
      onChecked: (c) => checks.push(c),
      onMismatch: (m) => mismatches.push(m),
    })
    expect((await checker.checkOnce()).more).toBe(true) // several ranges to scan
    await drain(checker)
    expect(checks.map((c) => c.result)).toEqual(['match', 'match', 'match'])
    for (const c of checks) {
      expect(c.outputRoot).toBe(c.expected.outputRoot)
      expect(c.outputRoot).toBe((await independentOutputRoot(fx.l2, c.l2BlockNumber, withdrawals)).outputRoot)
    }
    expect(checks.map((c) => c.l2OutputIndex)).toEqual([0n, 1n, 2n])
    expect(mismatches).toEqual([])

    // Running: new outputs are picked up as they land.
    await checker.start()
    try {
      await waitFor(() => checker.health().status === 'ok', 'ok')
      await fx.mineL2(2)
      expect(await proposer.proposeOnce()).toBe('proposed')
      await waitFor(() => checker.health().checked === 4, 'the fourth check')
      expect(checker.health()).toMatchObject({
        status: 'ok',
        matched: 4,
        mismatched: 0,
        mismatches: [],
        pending: 0,
      })
    } finally {
      await checker.stop()
    }
  })

  test('waits while the trusted L2 is behind, then flags a tampered root loudly; a deletion clears it', async () => {
    const { oracle, start, deployBlock } = await freshOracle(2n)
    const records: LogFields[] = []
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      write: (line) => records.push(JSON.parse(line)),
    })
    const mismatches: OutputMismatch[] = []
    const checker = checkerFor(oracle, {
      fromBlock: deployBlock,
      logger,
      onMismatch: (m) => mismatches.push(m),
    })
    await checker.start()
    try {
      // The proposer key posts a wrong root for a block the L2 has not even produced yet.
      const forged = keccak256(toHex('not the output root'))
      const hash = await fx.l1.writeContract({
        address: oracle,
        abi: opL2OutputOracleAbi,
        functionName: 'proposeL2Output',
        args: [forged, start + 2n, zeroHash, 0n],
        account: proposerAccount,
        chain: fx.l1.chain,
      })
      expect((await fx.l1.waitForTransactionReceipt({ hash })).status).toBe('success')

      // Behind: waiting, not a mismatch.
      await waitFor(() => checker.health().waitingFor !== null, 'the checker to wait')
      await new Promise((r) => setTimeout(r, 100))
      expect(checker.health()).toMatchObject({
        status: 'ok',
        mismatched: 0,
        pending: 1,
        waitingFor: { l2OutputIndex: '0', l2BlockNumber: String(start + 2n), l2Head: String(start) },
      })
      expect(mismatches).toHaveLength(0)

      // The trusted L2 catches up: mismatch, loudly.
      await fx.mineL2(2)
      await waitFor(() => mismatches.length === 1, 'the mismatch')
      const expected = (await independentOutputRoot(fx.l2, start + 2n, withdrawals)).outputRoot
      const health = checker.health()
      expect(health.status).toBe('degraded')
      expect(health.mismatches).toEqual([
        expect.objectContaining({
          l2OutputIndex: '0',
          l2BlockNumber: String(start + 2n),
          proposed: forged,
          expected,
        }),
      ])
      const error = records.find((r) => r.level === 'error')
      expect(error).toMatchObject({ msg: expect.stringMatching(/MISMATCH/), proposed: forged, expected })
      const [m] = mismatches
      expect(m!.challenge).toMatchObject({
        action: 'deleteL2Outputs',
        args: [0n],
        challenger: challengerAccount.address,
        deadline: m!.l1Timestamp + 600n,
      })

      // The challenger deletes it: no longer active (history kept), and the honest proposer redoes it.
      const del = await fx.l1.writeContract({
        address: oracle,
        abi: opL2OutputOracleAbi,
        functionName: 'deleteL2Outputs',
        args: [0n],
        account: challengerAccount,
        chain: fx.l1.chain,
      })
      expect((await fx.l1.waitForTransactionReceipt({ hash: del })).status).toBe('success')
      await waitFor(() => checker.health().mismatches.length === 0, 'the deletion to be seen')
      expect(await proposerFor(oracle).proposeOnce()).toBe('proposed')
      await waitFor(() => checker.health().matched === 1, 'the honest re-proposal')
      expect(checker.health()).toMatchObject({ status: 'ok', checked: 2, matched: 1, mismatched: 1 })
    } finally {
      await checker.stop()
    }
  })
})
