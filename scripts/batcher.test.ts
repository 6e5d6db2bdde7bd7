/**
 * scripts/batcher.ts as a process: --help with env twins; posting to anvil from a node RPC that
 * serves `keystore_getBatchBlock` (a stand-in HTTP server over the in-memory block source: the
 * keystore node's method of that name does not exist yet), /health, clean SIGTERM exit.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { batchFromBlocks } from '../rollup/batcher/codec.js'
import { BATCH_INBOX_ADDRESS } from '../rollup/batcher/constants.js'
import { readBatches } from '../rollup/batcher/readBatches.js'
import { createRpcBatchSource, formatRpcBatchBlock } from '../rollup/batcher/rpcBatchSource.js'
import { KeystoreBlockSource } from '../rollup/batcher/testing.js'
import { getFreePort } from '../rollup/devnet/anvil.js'
import { startTestChains, type TestChains } from '../rollup/devnet/testing.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const BATCHER_KEY = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6'
const children: ChildProcess[] = []
let chains: TestChains
let node: { server: Server; url: string; source: KeystoreBlockSource }

/** A JSON-RPC server answering eth_blockNumber and keystore_getBatchBlock from `source`. */
async function serveSource(source: KeystoreBlockSource) {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => {
      body += d
    })
    req.on('end', async () => {
      const { id, method, params } = JSON.parse(body)
      const reply = (result: unknown) => res.end(JSON.stringify({ jsonrpc: '2.0', id, result }))
      if (method === 'eth_blockNumber') return reply(toHex(await source.head()))
      if (method === 'keystore_getBatchBlock') {
        const block = await source.getBatchBlock(BigInt(params[0]))
        return reply(block ? formatRpcBatchBlock(block) : null)
      }
      res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32601, message: 'method not found' } }))
    })
  })
  const port = await getFreePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()))
  return { server, url: `http://127.0.0.1:${port}`, source }
}

beforeAll(async () => {
  chains = await startTestChains([{ name: 'l1', chainId: 900 }])
  await chains.clients.l1!.mine({ blocks: 20 })
  const source = new KeystoreBlockSource({ seed: 'cli', firstOrigin: 1n })
  for (let i = 0; i < 8; i++) source.produce(2)
  node = await serveSource(source)
})
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  node?.server.close()
  await chains?.stop()
})

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'batcher.ts'), ...args], {
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

describe('scripts/batcher.ts', () => {
  test('--help lists every option with its environment variable', async () => {
    const p = run(['--help'])
    expect(await p.exited).toBe(0)
    for (const s of [
      '--batcher-key',
      'BATCHER_PRIVATE_KEY',
      '--node-rpc',
      'KEYSTORE_NODE_RPC',
      'BATCH_INBOX',
      'BATCHER_MAX_DELAY_MS',
      'BATCHER_COMPRESSION',
      'BATCHER_DATA_AVAILABILITY',
      'BATCHER_MAX_BLOBS_PER_TX',
      'BATCHER_BLOB_SIDECAR_VERSION',
      'BATCHER_MAX_FEE_PER_BLOB_GAS',
      'BATCHER_BEACON_URL',
      'HEALTH_PORT',
      'KEYSTORE_RPC',
    ])
      expect(p.out()).toContain(s)
  })

  test('refuses to start without a key or a node', async () => {
    // A configuration without a batcher account or a keystore node endpoint (the devnet's has
    // both: they are the defaults).
    const dir = mkdtempSync(join(tmpdir(), 'batcher-cli-'))
    const config = JSON.parse(readFileSync(join(root, 'node-config', 'devnet.json'), 'utf8'))
    delete config.accounts.batcher
    delete config.keystore.port
    delete config.keystore.rpcUrl
    writeFileSync(join(dir, 'bare.json'), JSON.stringify(config))
    const bare = ['--config', join(dir, 'bare.json'), '--rpc', `l1=${chains.anvils.l1!.rpcUrl}`]
    const p = run(bare)
    expect(await p.exited).toBe(1)
    expect(p.err()).toMatch(/No batcher key/)
    const q = run(bare, { BATCHER_PRIVATE_KEY: BATCHER_KEY })
    expect(await q.exited).toBe(1)
    expect(q.err()).toMatch(/No keystore node RPC/)
    // A named addresses file that does not exist is an error, not a silent default.
    const r = run([...bare, '--addresses', join(dir, 'missing.json')], {
      BATCHER_PRIVATE_KEY: BATCHER_KEY,
      KEYSTORE_NODE_RPC: node.url,
    })
    expect(await r.exited).toBe(1)
    expect(r.err()).toMatch(/No addresses file/)
  })

  test('posts the node blocks to L1 and stops cleanly on SIGTERM', async () => {
    const healthPort = await getFreePort()
    const p = run(
      [
        '--rpc',
        `l1=${chains.anvils.l1!.rpcUrl}`,
        '--max-delay',
        '0',
        '--poll-interval',
        '50',
        '--health-port',
        String(healthPort),
        // explicit, whatever node-config/devnet.addresses.json holds
        '--inbox',
        BATCH_INBOX_ADDRESS,
        '--l1-start-block',
        '0',
      ],
      { BATCHER_PRIVATE_KEY: BATCHER_KEY, KEYSTORE_NODE_RPC: node.url },
    )
    const deadline = Date.now() + 30_000
    type Health = { status?: string; safeHead?: { number: string } }
    let health: Health = {}
    while (Date.now() < deadline && health.safeHead?.number !== '8') {
      await new Promise((r) => setTimeout(r, 100))
      health = await fetch(`http://127.0.0.1:${healthPort}/health`)
        .then((r) => r.json() as Promise<Health>)
        .catch(() => ({}))
    }
    expect(health).toMatchObject({ status: 'ok', safeHead: { number: '8' } })
    p.child.kill('SIGTERM')
    expect(await p.exited).toBe(0)
    const batches = await readBatches(chains.clients.l1!, {
      inbox: BATCH_INBOX_ADDRESS,
      batcher: privateKeyToAccount(BATCHER_KEY).address,
      fromBlock: 0n,
      start: { number: 1n, parentHash: node.source.genesis.hash },
    })
    expect(batches.flatMap((b) => b.blocks)).toEqual(batchFromBlocks(node.source.blocks.slice(1)).blocks)
  })

  test('the RPC source validates the node answers', async () => {
    const source = createRpcBatchSource({ url: node.url })
    expect(await source.head()).toBe(8n)
    expect(await source.getBatchBlock(3n)).toEqual(node.source.blocks[3])
    expect(await source.getBatchBlock(99n)).toBeUndefined()
    const bad = await serveSource(node.source)
    bad.server.removeAllListeners('request')
    bad.server.on('request', (req, res) => {
      req.resume()
      req.on('end', () =>
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: 0,
            result: { ...formatRpcBatchBlock(node.source.blocks[3]!), hash: '0x12' },
          }),
        ),
      )
    })
    await expect(createRpcBatchSource({ url: bad.url }).getBatchBlock(3n)).rejects.toThrow(
      /answered an invalid block[\s\S]*hash: 32 bytes of hex/,
    )
    bad.server.close()
  })
})
