/** The proposer CLI as a process against two anvils (an L1 with the oracle, a stand-in L2). */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { getFreePort } from '../rollup/devnet/anvil.js'
import type { ProposerHealth } from '../rollup/proposer/Proposer.js'
import {
  FIXTURE_KEYS,
  type ProposerFixture,
  startProposerFixture,
} from '../rollup/proposer/testing/fixture.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const children: ChildProcess[] = []
let fx: ProposerFixture

beforeAll(async () => {
  fx = await startProposerFixture()
})
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  await fx?.stop()
})

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/proposer.ts'), ...args], {
    cwd: root,
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, exited, err: () => stderr }
}

describe('proposer CLI', () => {
  test('proposes until caught up, serves /health, stops on SIGTERM', async () => {
    const { address } = await fx.deployOracle({ submissionInterval: 4n })
    await fx.mineL2(9)
    const port = await getFreePort()
    const p = run(
      ['--rpc', `l1=${fx.l1Anvil.rpcUrl}`, '--safe-tag', 'latest', '--health-port', String(port)],
      {
        PROPOSER_L2_RPC: fx.l2Anvil.rpcUrl,
        L2_OUTPUT_ORACLE_ADDRESS: address,
        PROPOSER_PRIVATE_KEY: FIXTURE_KEYS.proposer,
        PROPOSER_POLL_INTERVAL_MS: '50',
      },
    )
    let health: ProposerHealth | undefined
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) {
      try {
        health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as ProposerHealth
        // caught up: output 8 proposed and the next poll found nothing to propose yet
        if (health.lastProposed?.l2BlockNumber === '8' && health.waitingFor === 'l2') break
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(health, p.err()).toMatchObject({ status: 'ok', proposed: 2, waitingFor: 'l2', safeTag: 'latest' })
    p.child.kill('SIGTERM')
    expect(await p.exited, p.err()).toBe(0)
    expect(p.err()).toMatch(/"msg":"proposed output"/)
  })

  test("a key that is not the oracle's proposer: exit 1 with the reason", async () => {
    const { address } = await fx.deployOracle()
    const p = run(['--rpc', `l1=${fx.l1Anvil.rpcUrl}`], {
      PROPOSER_L2_RPC: fx.l2Anvil.rpcUrl,
      L2_OUTPUT_ORACLE_ADDRESS: address,
      PROPOSER_PRIVATE_KEY: FIXTURE_KEYS.challenger,
    })
    expect(await p.exited).toBe(1)
    expect(p.err()).toMatch(/^error: This key is not the oracle's proposer/m)
  })

  test('a missing flag names its environment variable', async () => {
    // Without a keystore section there is no planned oracle to default to.
    const { keystore: _, ...config } = JSON.parse(readFileSync(join(root, 'node-config/devnet.json'), 'utf8'))
    delete config.accounts.proposer
    delete config.accounts.batcher
    config.deploy.contracts = []
    const path = join(mkdtempSync(join(tmpdir(), 'proposer-cli-')), 'config.json')
    writeFileSync(path, JSON.stringify(config))
    const p = run(['--config', path], {
      PROPOSER_L2_RPC: fx.l2Anvil.rpcUrl,
      PROPOSER_PRIVATE_KEY: FIXTURE_KEYS.proposer,
    })
    expect(await p.exited).toBe(1)
    expect(p.err()).toMatch(/pass --l2-output-oracle or set L2_OUTPUT_ORACLE_ADDRESS/)
  })
})
