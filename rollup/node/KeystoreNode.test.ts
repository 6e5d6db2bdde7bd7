import { JsonRpcProvider } from 'ethers'
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  keccak256,
  parseEther,
  parseGwei,
  serializeTransaction,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { opL1BlockDeployedBytecode } from '../../contracts/generated/index.js'
import { KeystoreNode } from './KeystoreNode.js'

/**
 * Hand-assembled test predeploy. Calldata empty: returns sload(0). Otherwise: sstore(0, word0)
 * and LOG1(topic 0x2a, data word0).
 */
const STORE_CODE: Hex = '0x36600f5760005460005260206000f35b60003580600055600052602a60206000a100'
const STORE: Hex = '0x4200000000000000000000000000000000000042'
const L1_BLOCK: Hex = '0x4200000000000000000000000000000000000015'
const OTHER: Hex = '0x4200000000000000000000000000000000000099'

const dev = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcaf784d7bf4f2ff80')
const poor = privateKeyToAccount(generatePrivateKey())
const chain = defineChain({
  id: 901,
  name: 'keystore',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://127.0.0.1'] } },
})

let node: KeystoreNode
let url: string

beforeAll(async () => {
  node = await KeystoreNode.create({
    alloc: {
      [dev.address]: { balance: parseEther('1000') },
      [poor.address]: { balance: 1000n },
      [STORE]: { code: STORE_CODE },
      [L1_BLOCK]: { code: opL1BlockDeployedBytecode as Hex },
      [OTHER]: { code: STORE_CODE },
    },
    allowedRecipients: [STORE, L1_BLOCK],
    maxTxBytes: 4096,
    rpc: { port: 0, maxBodyBytes: 64 * 1024 },
  })
  await node.start()
  url = node.rpcUrl as string
})
afterAll(async () => {
  await node.stop()
})

const rpc = async (body: unknown, raw = false) => {
  const res = await fetch(url, { method: 'POST', body: raw ? (body as string) : JSON.stringify(body) })
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown> & {
      error?: { code: number; message: string; data?: { reason?: string } }
    },
  }
}

describe('KeystoreNode with viem', () => {
  it('serves chain id, blocks, genesis code', async () => {
    const client = createPublicClient({
      chain: { ...chain, rpcUrls: { default: { http: [url] } } },
      transport: http(url),
    })
    expect(await client.getChainId()).toBe(901)
    expect(await client.getBlockNumber()).toBe(0n)
    expect(await client.getCode({ address: L1_BLOCK })).toBe(
      (opL1BlockDeployedBytecode as string).toLowerCase(),
    )
    const block = await client.getBlock({ blockNumber: 0n })
    expect(block.number).toBe(0n)
  })

  it('sends a tx to an allowed predeploy, mines it, reads receipt, logs, storage, eth_call, estimateGas', async () => {
    const transport = http(url)
    const c = { ...chain, rpcUrls: { default: { http: [url] } } }
    const client = createPublicClient({ chain: c, transport })
    const wallet = createWalletClient({ account: dev, chain: c, transport })
    const value = `0x${'ab'.repeat(32)}` as Hex
    const gas = await client.estimateGas({ account: dev.address, to: STORE, data: value })
    expect(gas).toBeGreaterThan(21_000n + 20_000n)
    const hash = await wallet.sendTransaction({ to: STORE, data: value })
    const block = await node.produceBlock()
    expect(block.txs).toHaveLength(1)
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    expect(receipt.status).toBe('success')
    expect(receipt.blockNumber).toBe(1n)
    expect(receipt.logs[0]?.topics[0]).toBe(`0x${'2a'.padStart(64, '0')}`)
    expect(receipt.logs[0]?.data).toBe(value)
    expect(await client.getStorageAt({ address: STORE, slot: '0x0' })).toBe(value)
    expect(await client.call({ to: STORE })).toEqual({ data: value })
    const logs = await client.getLogs({ address: STORE, fromBlock: 0n, toBlock: 'latest' })
    expect(logs).toHaveLength(1)
    expect(logs[0]?.transactionHash).toBe(hash)
    const none = await client.getLogs({ address: L1_BLOCK, fromBlock: 0n })
    expect(none).toHaveLength(0)
    const tx = await client.getTransaction({ hash })
    expect(tx.from.toLowerCase()).toBe(dev.address.toLowerCase())
    const full = await client.getBlock({ blockNumber: 1n, includeTransactions: true })
    expect(full.transactions[0]?.hash).toBe(hash)
    const byHash = await client.getBlock({ blockHash: full.hash })
    expect(byHash.transactions).toEqual([hash])
    expect(await client.getTransactionCount({ address: dev.address })).toBe(1)
    // Historical state: slot 0 was empty at genesis.
    expect(await client.getStorageAt({ address: STORE, slot: '0x0', blockNumber: 0n })).toBe(
      `0x${'0'.repeat(64)}`,
    )
    const fees = await client.estimateFeesPerGas()
    expect(fees.maxFeePerGas).toBeGreaterThan(0n)
    const history = await client.getFeeHistory({ blockCount: 2, rewardPercentiles: [50] })
    expect(history.baseFeePerGas).toHaveLength(3)
  })

  it('ethers JsonRpcProvider: blockNumber, getBalance, call', async () => {
    const provider = new JsonRpcProvider(url, 901, { staticNetwork: true })
    expect(await provider.getBlockNumber()).toBe(Number(node.head.number))
    expect(await provider.getBalance(poor.address)).toBe(1000n)
    expect(await provider.call({ to: STORE })).toBe(`0x${'ab'.repeat(32)}`)
    provider.destroy()
  })
})

describe('mempool rejections', () => {
  const base = {
    chainId: 901,
    gas: 100_000n,
    maxFeePerGas: parseGwei('10'),
    maxPriorityFeePerGas: 1n,
    type: 'eip1559',
  } as const
  const send = async (raw: Hex) =>
    rpc({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] })

  it.each([
    ['contract-creation', async () => dev.signTransaction({ ...base, nonce: 1, data: '0x00' })],
    ['recipient-not-allowed', async () => dev.signTransaction({ ...base, nonce: 1, to: OTHER })],
    ['wrong-chain-id', async () => dev.signTransaction({ ...base, chainId: 1, nonce: 1, to: STORE })],
    ['nonce-too-low', async () => dev.signTransaction({ ...base, nonce: 0, to: STORE })],
    ['nonce-gap', async () => dev.signTransaction({ ...base, nonce: 5, to: STORE })],
    ['insufficient-balance', async () => poor.signTransaction({ ...base, nonce: 0, to: STORE })],
    [
      'oversized',
      async () => dev.signTransaction({ ...base, nonce: 1, to: STORE, data: `0x${'00'.repeat(5000)}` }),
    ],
    [
      'bad-signature',
      async () => {
        const signed = await dev.signTransaction({ ...base, nonce: 1, to: STORE })
        // Flip r to a value that is not on the curve / recovers to garbage: replace the signature.
        return serializeTransaction(
          { ...base, nonce: 1, to: STORE },
          { r: `0x${'ff'.repeat(32)}`, s: `0x${'11'.repeat(32)}`, yParity: 0 },
        ) as unknown as typeof signed
      },
    ],
    ['malformed', async () => '0x02deadbeef' as Hex],
  ])('%s', async (reason, make) => {
    const before = { head: node.head.hash, pool: node.mempool.size, root: node.head.header.stateRoot }
    const { json } = await send(await make())
    expect(json.error?.code).toBe(-32003)
    expect(json.error?.data?.reason).toBe(reason)
    expect(node.mempool.size).toBe(before.pool)
    expect(node.head.hash).toBe(before.head)
    expect(node.head.header.stateRoot).toEqual(before.root)
  })

  it('an accepted tx is pooled once (already-known)', async () => {
    const raw = await dev.signTransaction({
      ...base,
      nonce: 1,
      to: STORE,
      data: `0x${'01'.padStart(64, '0')}`,
    })
    const first = await send(raw)
    expect(first.json.result).toBe(keccak256(raw))
    const again = await send(raw)
    expect(again.json.error?.data?.reason).toBe('already-known')
    expect(node.mempool.size).toBe(1)
    await node.produceBlock()
    expect(node.mempool.size).toBe(0)
    const replay = await send(raw)
    expect(replay.json.error?.data?.reason).toBe('nonce-too-low')
  })
})

describe('JSON-RPC errors', () => {
  it('garbage body → -32700', async () => {
    expect((await rpc('{not json', true)).json.error?.code).toBe(-32700)
  })
  it('wrong jsonrpc → -32600', async () => {
    expect((await rpc({ jsonrpc: '1.0', id: 1, method: 'eth_chainId' })).json.error?.code).toBe(-32600)
  })
  it('unknown method → -32601', async () => {
    expect((await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_mine' })).json.error?.code).toBe(-32601)
  })
  it('bad params → -32602', async () => {
    expect(
      (await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: ['0x12', 'latest'] })).json.error
        ?.code,
    ).toBe(-32602)
    expect(
      (await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: ['zz', false] })).json.error
        ?.code,
    ).toBe(-32602)
    expect((await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_call', params: 'x' })).json.error?.code).toBe(
      -32602,
    )
  })
  it('oversized body → 413 / -32600', async () => {
    const { status, json } = await rpc(`[${'1,'.repeat(40_000)}1]`, true)
    expect(status).toBe(413)
    expect(json.error?.code).toBe(-32600)
  })
  it('batch: mixed results, and the server keeps serving', async () => {
    const res = await fetch(url, {
      method: 'POST',
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
        { jsonrpc: '2.0', id: 3, method: 'net_version' },
      ]),
    })
    const out = (await res.json()) as { id: number; result?: unknown; error?: { code: number } }[]
    expect(out.map((o) => o.result ?? o.error?.code)).toEqual(['0x385', -32601, '901'])
    expect((await rpc({ jsonrpc: '2.0', id: 9, method: 'eth_blockNumber' })).json.result).toBe(
      `0x${node.head.number.toString(16)}`,
    )
  })
  it('eth_call revert → code 3 with data', async () => {
    // opL1Block: setL1BlockValues from a non-depositor reverts.
    const { json } = await rpc({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_call',
      params: [{ to: L1_BLOCK, data: '0x015d8eb9' + '00'.repeat(32 * 8) }, 'latest'],
    })
    expect(json.error?.code).toBe(3)
  })
})

describe('slot block production', () => {
  it('produceBlocks catches up on missed slots, keeps slot timestamps, and stop() halts it', async () => {
    const now = BigInt(Math.floor(Date.now() / 1000))
    const timed = await KeystoreNode.create({
      alloc: {},
      allowedRecipients: [STORE],
      genesisTimestamp: now - 5n,
      blockTime: 1,
      produceBlocks: true,
    })
    await timed.start()
    await new Promise((r) => setTimeout(r, 300))
    await timed.stop()
    const head = timed.head.number
    // Slots now-4 … now are due at once; a sixth may have come due meanwhile.
    expect(head).toBeGreaterThanOrEqual(5n)
    expect(head).toBeLessThanOrEqual(6n)
    expect(timed.head.header.timestamp).toBe(now - 5n + head)
    expect(timed.head.header.timestamp).toBeLessThanOrEqual(BigInt(Math.floor(Date.now() / 1000)))
    expect(timed.health().status).toBe('stopped')
    await new Promise((r) => setTimeout(r, 1100))
    expect(timed.head.number).toBe(head)
  })
})

describe('admission beside block production', () => {
  const base = {
    chainId: 901,
    gas: 100_000n,
    maxFeePerGas: parseGwei('10'),
    maxPriorityFeePerGas: 1n,
    type: 'eip1559',
    to: STORE,
  } as const

  it('acknowledges transactions while a block is being built; they go into a later block, nonces consistent', async () => {
    let release: () => void = () => {}
    let gate: Promise<void> = Promise.resolve()
    const paused = await KeystoreNode.create({
      alloc: { [dev.address]: { balance: parseEther('10') }, [STORE]: { code: STORE_CODE } },
      allowedRecipients: [STORE],
      // The planner runs inside block production: holding it holds the block.
      planBlock: async () => {
        await gate
        return { deposits: [], extra: new Uint8Array() }
      },
    })
    const tx = (nonce: number) =>
      dev.signTransaction({ ...base, nonce, data: `0x${nonce.toString(16).padStart(64, '0')}` })
    const raw = async (nonce: number) => Uint8Array.from(Buffer.from((await tx(nonce)).slice(2), 'hex'))
    await paused.sendRawTransaction(await raw(0))
    await paused.produceBlock() // nonce 0 in block 1
    await paused.sendRawTransaction(await raw(1))
    gate = new Promise((r) => {
      release = r
    })
    const building = paused.produceBlock() // holds on the planner; nonce 1 is in its snapshot-to-be
    // Acknowledged at once although the block is still being built (nonce 2 follows the pool's 1).
    const acked = await Promise.race([
      paused.sendRawTransaction(await raw(2)).then(() => true),
      new Promise((r) => setTimeout(() => r(false), 2000)),
    ])
    expect(acked).toBe(true)
    expect(paused.head.number).toBe(1n)
    release()
    const block2 = await building
    await paused.sendRawTransaction(await raw(3)) // against the new head: state nonce 2 or 3, pool consistent
    const block3 = await paused.produceBlock()
    const nonces = [...block2.txs, ...block3.txs].map((t) => (t.kind === 'signed' ? Number(t.tx.nonce) : -1))
    expect(nonces).toEqual([1, 2, 3])
    expect(paused.mempool.size).toBe(0)
    await paused.stop()
  })
})

describe('memory bounds', () => {
  it('emptying the state caches and evicting cached blocks change no result', async () => {
    const make = (cache?: { stateTxs: number; blockTxs: number; blocks: number }) =>
      KeystoreNode.create({
        alloc: { [dev.address]: { balance: parseEther('10') }, [STORE]: { code: STORE_CODE } },
        allowedRecipients: [STORE],
        genesisTimestamp: 1_700_000_000n,
        ...(cache ? { cache } : {}),
      })
    const tight = await make({ stateTxs: 1, blockTxs: 1, blocks: 2 })
    const roomy = await make()
    const hashes: [string, string][] = []
    for (let nonce = 0; nonce < 6; nonce++) {
      const raw = await dev.signTransaction({
        chainId: 901,
        type: 'eip1559',
        to: STORE,
        nonce,
        gas: 100_000n,
        maxFeePerGas: parseGwei('10'),
        maxPriorityFeePerGas: 1n,
        data: `0x${(nonce + 1).toString(16).padStart(64, '0')}`,
      })
      const bytes = Uint8Array.from(Buffer.from(raw.slice(2), 'hex'))
      await tight.sendRawTransaction(bytes)
      await roomy.sendRawTransaction(bytes)
      hashes.push([(await tight.produceBlock()).hash, (await roomy.produceBlock()).hash])
    }
    for (const [a, b] of hashes) expect(a).toBe(b)
    // Evicted blocks are read back from the store, identical.
    for (let n = 1n; n <= 6n; n++)
      expect((await tight.getBlockByNumber(n))?.hash).toBe((await roomy.getBlockByNumber(n))?.hash)
    const first = await tight.getBlockByNumber(1n)
    expect(first?.receipts[0]?.status).toBe(1)
    await tight.stop()
    await roomy.stop()
  })
})

describe('health', () => {
  it('is degraded while slots are overdue, and failing production backs off', async () => {
    const now = BigInt(Math.floor(Date.now() / 1000))
    const stuck = await KeystoreNode.create({
      alloc: {},
      allowedRecipients: [STORE],
      genesisTimestamp: now - 100n,
      blockTime: 1,
      produceBlocks: true,
      planTimeoutMs: 50,
      planBlock: async () => {
        attempts++
        throw new Error('L1 unreachable (test)')
      },
    })
    let attempts = 0
    await stuck.start()
    await new Promise((r) => setTimeout(r, 1000))
    const health = stuck.health()
    await stuck.stop()
    expect(health.status).toBe('degraded')
    // backing off (250, 500 ms …), not retrying in a hot loop
    expect(attempts).toBeGreaterThanOrEqual(2)
    expect(attempts).toBeLessThanOrEqual(4)
    expect(health.lastError).toMatch(/L1 unreachable/)
    expect(health.head).toBe(0n)
  })
})
