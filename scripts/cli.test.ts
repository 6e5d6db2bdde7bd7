/**
 * The operator CLIs as processes: --help with env twins, the devnet's single ready line and clean
 * exit, and the docker-compose topology (deploy, origin-updater, feeder against running chains).
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { l1BlocksAbi } from '../contracts/generated/index.js'
import type { NetworkAddresses } from '../rollup/deploy/addresses.js'
import { getFreePort } from '../rollup/devnet/anvil.js'
import { startTestChains, type TestChains } from '../rollup/devnet/testing.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
})

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', script), ...args], {
    cwd: root,
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, exited, out: () => stdout, err: () => stderr }
}

/** PIDs of anvil processes listening on any of `ports` (from /proc). */
function anvilsOn(ports: number[]): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0]
      const i = cmd.indexOf('--port')
      if (state !== 'Z' && cmd[0]?.endsWith('/anvil') && i >= 0 && ports.includes(Number(cmd[i + 1])))
        pids.push(Number(entry))
    } catch {
      // process went away
    }
  }
  return pids
}

async function healthy(url: string, timeoutMs = 30_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url)
      if (res.ok) return res.json()
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} not healthy in time`)
}

describe('--help', () => {
  test.each([
    ['devnet.ts', ['--l1-block-time', 'DEVNET_L1_BLOCK_TIME', '--no-demo', '--port', 'DEVNET_NO_FEEDER']],
    ['deploy.ts', ['--deployer-key', 'DEPLOYER_PRIVATE_KEY', '--rpc', 'KEYSTORE_RPC', '--dry-run']],
    ['feeder.ts', ['--feeder-key', 'FEEDER_PRIVATE_KEY', '--backfill', 'HEALTH_PORT', 'L1_BLOCKS_ADDRESS']],
    ['origin-updater.ts', ['--lag', 'ORIGIN_LAG', '--chains', 'KEYSTORE_CONFIG']],
    ['chain.ts', ['--chain', 'DEVNET_CHAIN', '--host', 'DEVNET_HOST']],
    ['verifier.ts', ['--data-dir', 'VERIFIER_DATA_DIR', '--no-witness', 'KEYSTORE_ADDRESSES', 'HEALTH_PORT']],
    [
      'proposer.ts',
      [
        '--proposer-key',
        'PROPOSER_PRIVATE_KEY',
        '--l2-rpc',
        'PROPOSER_L2_RPC',
        '--safe-tag',
        'L2_OUTPUT_ORACLE_ADDRESS',
      ],
    ],
    [
      'relayer.ts',
      [
        '--relayer-key',
        'RELAYER_PRIVATE_KEY',
        '--l2-rpc',
        'RELAYER_L2_RPC',
        '--state-file',
        'RELAYER_STATE_FILE',
        'HEALTH_PORT',
      ],
    ],
  ])('%s documents its flags and their environment variables', async (script, expected) => {
    const p = run(script, ['--help'])
    expect(await p.exited).toBe(0)
    for (const word of expected) expect(p.out()).toContain(word)
  })
})

describe('devnet CLI', () => {
  test('prints the endpoints and exactly one ready line, then stops every process', async () => {
    const ports = [await getFreePort(), await getFreePort(), await getFreePort(), await getFreePort()]
    const addresses = join(mkdtempSync(join(tmpdir(), 'devnet-cli-')), 'addresses.json')
    const p = run(
      'devnet.ts',
      ['--exit-when-ready', '--addresses', addresses, '--log-dir', join(addresses, '../logs')],
      {
        DEVNET_PORTS: `l1=${ports[0]},l2a=${ports[1]},l2b=${ports[2]},keystore=${ports[3]}`,
        DEVNET_L1_BLOCK_TIME: '1',
        DEVNET_L2_BLOCK_TIME: '0.5',
        DEVNET_NO_DEMO: '1',
      },
    )
    expect(await p.exited, p.err()).toBe(0)
    const ready = p
      .out()
      .split('\n')
      .filter((l) => l.startsWith('devnet ready in'))
    expect(ready).toHaveLength(1)
    expect(ready[0]).toMatch(
      new RegExp(
        `^devnet ready in \\d+\\.\\ds — l1 http://127.0.0.1:${ports[0]} · l2a http://127.0.0.1:${ports[1]} · l2b`,
      ),
    )
    expect(p.out()).toMatch(/l2a +http:\/\/127\.0\.0\.1:\d+ +chain 902 +L1Blocks 0x/)
    expect(p.out()).toMatch(
      new RegExp(`^ {2}keystore http://127\\.0\\.0\\.1:${ports[3]} +chain 901 +head \\d+`, 'm'),
    )
    for (const service of ['feeder', 'node', 'batcher', 'proposer', 'relayer'])
      expect(p.out()).toMatch(new RegExp(`^ {2}service {2}${service} +(ok|starting)\\b`, 'm'))
    expect(ready[0]).toContain(` · keystore http://127.0.0.1:${ports[3]} — addresses`)
    const file = JSON.parse(readFileSync(addresses, 'utf8')) as NetworkAddresses
    expect(file.chains.l1!.rpcUrl).toBe(`http://127.0.0.1:${ports[0]}`)
    expect(anvilsOn(ports)).toEqual([])
  })

  test('a bad configuration exits 1 with the problem, not a stack trace', async () => {
    const p = run('devnet.ts', ['--config', '/nonexistent.json'])
    expect(await p.exited).toBe(1)
    expect(p.err()).toMatch(/^error: Cannot read configuration \/nonexistent.json/)
  })
})

describe('compose topology: deploy, origin-updater and feeder as processes', () => {
  let chains: TestChains
  afterAll(async () => {
    await chains?.stop()
  })

  test('deploy --dry-run prints the deterministic plan', async () => {
    const p = run('deploy.ts', ['--dry-run'])
    expect(await p.exited, p.err()).toBe(0)
    expect(p.out()).toMatch(/L1Blocks +0x[0-9a-fA-F]{40} +on l2a, l2b/)
  })

  test('deploys, follows the origin and feeds headers against running chains', async () => {
    chains = await startTestChains([
      { name: 'l1', chainId: 900, blockTime: 0.5 },
      { name: 'l2a', chainId: 902, optimism: true },
      { name: 'l2b', chainId: 903, optimism: true },
    ])
    const rpc = Object.entries(chains.anvils)
      .map(([n, a]) => `${n}=${a.rpcUrl}`)
      .join(',')
    const addresses = join(mkdtempSync(join(tmpdir(), 'deploy-cli-')), 'addresses.json')
    const deploy = run('deploy.ts', ['--addresses', addresses], { KEYSTORE_RPC: rpc })
    expect(await deploy.exited, deploy.err()).toBe(0)
    const file = JSON.parse(readFileSync(addresses, 'utf8')) as NetworkAddresses
    const l1Blocks = file.contracts.l2.L1Blocks!

    const [originPort, feederPort] = [await getFreePort(), await getFreePort()]
    const origin = run('origin-updater.ts', ['--health-port', String(originPort)], {
      KEYSTORE_RPC: rpc,
      ORIGIN_POLL_INTERVAL_MS: '100',
    })
    await healthy(`http://127.0.0.1:${originPort}/health`)
    const feeder = run('feeder.ts', ['--rpc', rpc], {
      HEALTH_PORT: String(feederPort),
      FEEDER_POLL_INTERVAL_MS: '100',
    })
    const health = (await healthy(`http://127.0.0.1:${feederPort}/health`)) as { status: string }
    expect(health.status).toBe('ok')
    for (const l2 of ['l2a', 'l2b']) {
      const hash = await chains.clients[l2]!.readContract({
        address: l1Blocks,
        abi: l1BlocksAbi,
        functionName: 'latestL1Blockhash',
      })
      expect((await chains.clients.l1!.getBlock({ blockHash: hash })).hash).toBe(hash)
    }
    origin.child.kill('SIGTERM')
    feeder.child.kill('SIGTERM')
    expect(await origin.exited, origin.err()).toBe(0)
    expect(await feeder.exited, feeder.err()).toBe(0)
  })
})
