/**
 * The keystore chain as separate processes (the docker-compose topology, on loopback): a devnet's
 * L1 with the keystore chain deployed, then `keystore-node`, `batcher` and `proposer` as CLI
 * processes composing over JSON-RPC and L1 alone; the status report sees them all ok, and the
 * `status` CLI exits 2 naming the service that is down; SIGTERM stops each cleanly; the node
 * refuses a data directory of another deployment.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { getFreePort } from '../rollup/devnet/anvil.js'
import { type Devnet, startDevnet } from '../rollup/devnet/startDevnet.js'
import { getKeystoreStatus } from '../rollup/keystore/status.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const children: ChildProcess[] = []
const tmp = mkdtempSync(join(tmpdir(), 'keystore-ops-'))
const configPath = join(tmp, 'config.json')
const addressesPath = join(tmp, 'addresses.json')
let devnet: Devnet
let rpc: string

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', script), ...args], {
    cwd: root,
    env: {
      ...process.env,
      LOG_FORMAT: 'json',
      KEYSTORE_CONFIG: configPath,
      KEYSTORE_ADDRESSES: addressesPath,
      ...env,
    },
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

async function until<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await get().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const health = async (port: number) =>
  (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Record<string, unknown>

beforeAll(async () => {
  const config = JSON.parse(readFileSync(join(root, 'node-config/devnet.json'), 'utf8'))
  config.l1.blockTime = 1
  config.keystore.submissionInterval = 2
  config.keystore.originLag = 1
  writeFileSync(configPath, JSON.stringify(config))
  // Only L1 matters here: the L2s' services stay off, the keystore chain is deployed but not run.
  devnet = await startDevnet({
    config: configPath,
    ports: { l1: await getFreePort(), l2a: await getFreePort(), l2b: await getFreePort() },
    addressesFile: addressesPath,
    keystore: false,
    feeder: false,
    originUpdater: false,
  })
  rpc = `l1=${devnet.rpcUrls.l1}`
}, 60_000)
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  await devnet?.stop()
})

// Independent checks run concurrently: the CLIs' start-up (tsx) costs more than the chain's waits.
describe.concurrent('the keystore chain as processes', () => {
  test.each([
    [
      'keystore-node.ts',
      [
        '--data-dir',
        'KEYSTORE_DATA_DIR',
        '--port',
        'KEYSTORE_NODE_PORT',
        '--host',
        'KEYSTORE_NODE_HOST',
        '--role',
        'KEYSTORE_NODE_ROLE',
        '--confirmations',
        'KEYSTORE_NODE_CONFIRMATIONS',
        '--addresses',
        'KEYSTORE_ADDRESSES',
        'HEALTH_PORT',
        'LOG_FORMAT',
        'KEYSTORE_RPC',
      ],
    ],
    [
      'status.ts',
      ['--health', 'STATUS_HEALTH', '--json', 'STATUS_JSON', '--batch-scan-blocks', 'KEYSTORE_RPC'],
    ],
  ])('%s documents its flags and their environment variables', async (script, expected) => {
    const p = run(script, ['--help'])
    expect(await p.exited).toBe(0)
    for (const word of expected) expect(p.out()).toContain(word)
  })

  test('--role verifier points to the verifier', async () => {
    const verifier = run('keystore-node.ts', ['--rpc', rpc, '--role', 'verifier'])
    expect(await verifier.exited).toBe(1)
    expect(verifier.err()).toMatch(/^error: verifier: use npm run verifier/m)
  })

  test('node + batcher + proposer compose over JSON-RPC and L1; status reports them; the data directory is bound to its deployment', async () => {
    const dataDir = join(tmp, 'node-data')
    const [nodePort, nodeHealth] = [await getFreePort(), await getFreePort()]
    const [batcherHealth, proposerHealth] = [await getFreePort(), await getFreePort()]
    const node = run(
      'keystore-node.ts',
      ['--rpc', rpc, '--data-dir', dataDir, '--health-port', String(nodeHealth)],
      {
        KEYSTORE_NODE_PORT: String(nodePort),
        KEYSTORE_NODE_SAFE_HEAD_POLL_MS: '200',
      },
    )
    await until('the node', async () => ((await health(nodeHealth)).status === 'ok' ? true : undefined))
    const nodeRpc = `http://127.0.0.1:${nodePort}`
    const batcher = run(
      'batcher.ts',
      ['--rpc', rpc, '--node-rpc', nodeRpc, '--health-port', String(batcherHealth)],
      {
        BATCHER_PRIVATE_KEY: JSON.parse(readFileSync(configPath, 'utf8')).accounts.batcher,
        BATCHER_MAX_DELAY_MS: '300',
        BATCHER_POLL_INTERVAL_MS: '200',
      },
    )
    const proposer = run('proposer.ts', ['--health-port', String(proposerHealth)], {
      KEYSTORE_RPC: `${rpc},keystore=${nodeRpc}`,
      PROPOSER_POLL_INTERVAL_MS: '200',
    })
    // The node learns its safe head from the L1 inbox, not from the batcher process.
    await until('a safe head from L1', async () =>
      Number((await health(nodeHealth)).safe) > 0 ? true : undefined,
    )
    await until('a proposed output', async () =>
      Number((await health(proposerHealth)).proposed) > 0 ? true : undefined,
    )
    const healthFlag = `node=http://127.0.0.1:${nodeHealth}/health,batcher=http://127.0.0.1:${batcherHealth}/health,proposer=http://127.0.0.1:${proposerHealth}/health`
    // The library behind `status` (in-process: one process start less).
    const s = await getKeystoreStatus({
      l1: devnet.clients.l1!,
      l1RpcUrl: devnet.rpcUrls.l1!,
      keystoreRpcUrl: nodeRpc,
      deployment: devnet.addresses.keystore!,
      health: Object.fromEntries(healthFlag.split(',').map((kv) => kv.split('=') as [string, string])),
    })
    expect(
      s.ok,
      JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)),
    ).toBe(true)
    expect(s.keystore).toMatchObject({ state: 'ok', chainId: 901 })
    expect(s.keystore.safe).toBeGreaterThan(0n)
    expect(s.l1Origin.state).toBe('ok')
    expect(s.lastBatch.batch?.last).toBeGreaterThan(0n)
    expect(s.outputs.latest?.matchesNode).toBe(true)
    expect(Object.values(s.services).map((c) => c.state)).toEqual(['ok', 'ok', 'ok'])

    // A service down: the table says which, exit 2.
    batcher.child.kill('SIGTERM')
    expect(await batcher.exited, batcher.err()).toBe(0)
    const down = run('status.ts', ['--rpc', `${rpc},keystore=${nodeRpc}`, '--health', healthFlag])
    const json = run('status.ts', [
      '--rpc',
      `${rpc},keystore=${nodeRpc}`,
      '--json',
      '--withdrawal-scan-blocks',
      '0',
    ])
    expect(await down.exited, down.err()).toBe(2)
    expect(down.out()).toMatch(/^ {2}FAIL {2}batcher .*fetch failed/m)
    expect(down.out()).toMatch(/^ {2}ok {4}outputs .*matches the node/m)
    expect(down.out()).toMatch(/^ {2}ok {4}keystore .*chain 901 +head \d+ .*safe [1-9]/m)
    expect(await json.exited, json.err()).toBe(0)
    expect(JSON.parse(json.out())).toMatchObject({ ok: true, keystore: { state: 'ok' } })

    proposer.child.kill('SIGTERM')
    node.child.kill('SIGTERM')
    expect(await proposer.exited, proposer.err()).toBe(0)
    expect(await node.exited, node.err()).toBe(0)
    expect(node.err()).toMatch(/"msg":"stopped"/)

    // The node down: its parts fail with the reason, L1's still report.
    const after = await getKeystoreStatus({
      l1: devnet.clients.l1!,
      l1RpcUrl: devnet.rpcUrls.l1!,
      keystoreRpcUrl: nodeRpc,
      deployment: devnet.addresses.keystore!,
      timeoutMs: 1000,
    })
    expect(after.ok).toBe(false)
    expect(after.keystore.state).toBe('fail')
    expect(after.l1Origin).toMatchObject({ state: 'fail', error: 'keystore node unreachable' })
    expect(after.lastBatch.state).toBe('ok')
    expect(after.outputs).toMatchObject({ state: 'ok', note: 'not checked against the node (unreachable)' })

    // Its data directory, given another deployment's addresses file: refused.
    const other = JSON.parse(readFileSync(addressesPath, 'utf8'))
    other.keystore.genesis.l2Timestamp -= 100
    const otherPath = join(tmp, 'other.addresses.json')
    writeFileSync(otherPath, JSON.stringify(other))
    const refused = run('keystore-node.ts', [
      '--rpc',
      rpc,
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--addresses',
      otherPath,
    ])
    expect(await refused.exited).toBe(1)
    expect(refused.err()).toMatch(
      /^error: The data directory .* holds a keystore chain of another deployment\./m,
    )
  }, 60_000)
})
