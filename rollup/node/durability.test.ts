import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Address, hexToBytes } from '@ethereumjs/util'
import { type Hex, numberToHex, pad } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { afterAll, describe, expect, it } from 'vitest'
import { verifyProofResponse } from '../../precompiles/storage-proof/index.js'
import { CRASH_STORE, crashAlloc, crashSenders, STORE_CODE } from './__fixtures__/crashAlloc.js'
import { KeystoreNode } from './KeystoreNode.js'
import { handleRpc } from './rpcMethods.js'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'keystore-node-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const sign = (account: PrivateKeyAccount, nonce: number, word: bigint) =>
  account.signTransaction({
    chainId: 901,
    type: 'eip1559',
    to: CRASH_STORE,
    data: pad(numberToHex(word)),
    nonce,
    gas: 60_000n,
    maxFeePerGas: 100_000_000_000n,
    maxPriorityFeePerGas: 1n,
  })

const open = (dataDir: string, extra: Partial<Parameters<typeof KeystoreNode.create>[0]> = {}) =>
  KeystoreNode.create({
    alloc: crashAlloc,
    allowedRecipients: [CRASH_STORE],
    dataDir,
    genesisTimestamp: 1_700_000_000n,
    ...extra,
  })

describe('durable store', () => {
  it('a restart resumes at the same head and state, with receipts and the pending pool', async () => {
    const dir = tempDir()
    const [a] = crashSenders as [PrivateKeyAccount]
    const node = await open(dir)
    const included: Hex[] = []
    for (let i = 0; i < 3; i++)
      included.push(await node.sendRawTransaction(hexToBytes(await sign(a, i, BigInt(i + 1)))))
    const block = await node.produceBlock()
    expect(block.txs.map((t) => t.hash)).toEqual(included)
    const pending = [
      await node.sendRawTransaction(hexToBytes(await sign(a, 3, 40n))),
      await node.sendRawTransaction(hexToBytes(await sign(a, 4, 50n))),
    ]
    const head = { hash: node.head.hash, root: node.head.header.stateRoot, number: node.head.number }
    await node.stop()

    const again = await open(dir, { genesisTimestamp: 1n }) // ignored: the stored genesis wins
    expect(again.head.hash).toBe(head.hash)
    expect(again.head.header.stateRoot).toEqual(head.root)
    expect(again.genesisTimestamp).toBe(1_700_000_000n)
    const receipt = (await handleRpc(again, 'eth_getTransactionReceipt', [included[2]])) as {
      status: Hex
      logs: unknown[]
    }
    expect(receipt.status).toBe('0x1')
    expect(receipt.logs).toHaveLength(1)
    expect(await handleRpc(again, 'eth_getStorageAt', [CRASH_STORE, '0x0', 'latest'])).toBe(pad('0x3'))
    // Acknowledged but not yet included: back in the pool, and they go into the next block.
    expect(pending.every((h) => again.mempool.has(h))).toBe(true)
    const next = await again.produceBlock()
    expect(next.number).toBe(head.number + 1n)
    expect(next.txs.map((t) => t.hash)).toEqual(pending)
    expect(await handleRpc(again, 'eth_getStorageAt', [CRASH_STORE, '0x0', 'latest'])).toBe(pad('0x32'))
    // History is still readable at the old root.
    expect(await handleRpc(again, 'eth_getStorageAt', [CRASH_STORE, '0x0', numberToHex(head.number)])).toBe(
      pad('0x3'),
    )
    await again.stop()

    const third = await open(dir)
    expect(third.mempool.size).toBe(0) // the journal entries went out with the block
    expect(third.head.hash).toBe(next.hash)
    await third.stop()
  })

  it('eth_getProof answers verify against the block state root (account and storage)', async () => {
    const node = await open(tempDir())
    const [a] = crashSenders as [PrivateKeyAccount]
    await node.sendRawTransaction(hexToBytes(await sign(a, 0, 7n)))
    await node.produceBlock()
    const slots: Hex[] = [pad('0x0'), pad('0x1')]
    const response = await handleRpc(node, 'eth_getProof', [CRASH_STORE, slots, 'latest'])
    const verified = verifyProofResponse({
      stateRoot: `0x${Buffer.from(node.head.header.stateRoot).toString('hex')}`,
      address: CRASH_STORE,
      slots,
      response: response as never,
    })
    expect(verified.storage.map((s) => s.value)).toEqual([pad('0x7'), pad('0x0')])
    const sender = await handleRpc(node, 'eth_getProof', [a.address, [], '0x0'])
    expect((sender as { balance: Hex }).balance).toBe(numberToHex(10n ** 21n))
    await expect(handleRpc(node, 'eth_getProof', [CRASH_STORE, 'x', 'latest'])).rejects.toThrow(/storageKeys/)
    await node.stop()
  })

  it('refuses a data directory of another chain, and one that is in use', async () => {
    const dir = tempDir()
    const node = await open(dir)
    await expect(open(dir)).rejects.toThrow(/another node running/)
    await node.stop()
    await expect(
      open(dir, { alloc: { ...crashAlloc, [CRASH_STORE]: { code: STORE_CODE, balance: 1n } } }),
    ).rejects.toThrow(/holds another chain/)
    const ok = await open(dir)
    expect(ok.head.number).toBe(0n)
    await ok.stop()
  })
})

describe('kill -9 under load', () => {
  let child: ChildProcess | undefined
  afterAll(() => child?.kill('SIGKILL'))

  it('loses no acknowledged transaction, and the restarted node keeps going', async () => {
    const dir = tempDir()
    const genesis = BigInt(Math.floor(Date.now() / 1000)) - 2n
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.url.replace('file://', ''), '..', '__fixtures__', 'crashNode.ts'),
        dir,
        String(genesis),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child?.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /READY (\S+)/.exec(out)
        if (m) resolve(m[1] as string)
      })
      child?.once('exit', (code) => reject(new Error(`node exited early (${code})`)))
    })
    const acked = new Map<Hex, { sender: number; nonce: number }>()
    let stop = false
    const load = crashSenders.map(async (account, sender) => {
      for (let nonce = 0; !stop; nonce++) {
        const raw = await sign(account, nonce, BigInt(nonce + 1))
        try {
          const res = await fetch(url, {
            method: 'POST',
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] }),
          })
          const json = (await res.json()) as { result?: Hex; error?: unknown }
          if (!json.result) throw new Error(JSON.stringify(json.error))
          acked.set(json.result, { sender, nonce })
        } catch {
          return // the node is gone
        }
      }
    })
    await new Promise((r) => setTimeout(r, 2500))
    const exited = new Promise((resolve) => child?.once('exit', resolve))
    child.kill('SIGKILL')
    await exited // the kernel releases the LevelDB lock with the process
    stop = true
    await Promise.all(load)
    expect(acked.size).toBeGreaterThan(50)

    const node = await open(dir, { genesisTimestamp: genesis })
    let inBlocks = 0
    for (const hash of acked.keys()) {
      if (await node.getTransaction(hash)) inBlocks++
      else expect(node.mempool.has(hash), `acknowledged ${hash} lost`).toBe(true)
    }
    expect(inBlocks).toBeGreaterThan(0)
    console.info(
      `crash test: ${acked.size} acknowledged, ${inBlocks} in blocks, ${acked.size - inBlocks} in the journal`,
    )
    while (node.mempool.size > 0) await node.produceBlock()
    for (const hash of acked.keys()) expect(await node.getTransaction(hash)).toBeDefined()
    // Per sender, the chain holds every acknowledged nonce (plus at most the one in flight).
    const sm = await node.stateAt(node.head)
    for (const [i, account] of crashSenders.entries()) {
      const ackedCount = [...acked.values()].filter((v) => v.sender === i).length
      const nonce = (await sm.getAccount(new Address(hexToBytes(account.address))))?.nonce ?? 0n
      expect(nonce).toBeGreaterThanOrEqual(BigInt(ackedCount))
      expect(nonce).toBeLessThanOrEqual(BigInt(ackedCount + 1))
    }
    await node.stop()
  }, 30_000)
})
