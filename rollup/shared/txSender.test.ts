import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startTestChains, TEST_KEYS, type TestChains } from '../devnet/testing.js'
import { TxSender, TxTimeoutError } from './txSender.js'

const account = privateKeyToAccount(TEST_KEYS.feeder)
const to = '0x000000000000000000000000000000000000bEEF'
let chains: TestChains
beforeAll(async () => {
  chains = await startTestChains([{ name: 'l2', chainId: 902, optimism: true }])
})
afterAll(async () => {
  await chains?.stop()
})

async function until(predicate: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('TxSender', () => {
  test('sends one transaction at a time: concurrent sends get consecutive nonces', async () => {
    const l2 = chains.clients.l2!
    const sender = new TxSender({ client: l2, account })
    const start = await l2.getTransactionCount({ address: account.address })
    const receipts = await Promise.all([1n, 2n, 3n].map((value) => sender.send({ to, data: '0x', value })))
    const txs = await Promise.all(receipts.map((r) => l2.getTransaction({ hash: r.transactionHash })))
    expect(txs.map((t) => t.nonce)).toEqual([start, start + 1, start + 2])
    expect(txs.map((t) => t.value)).toEqual([1n, 2n, 3n])
    expect(receipts.every((r) => r.status === 'success')).toBe(true)
  })

  test('re-sends a transaction the node dropped, after the timeout', async () => {
    const l2 = chains.clients.l2!
    const sender = new TxSender({ client: l2, account, timeoutMs: 300 })
    await l2.setAutomine(false)
    try {
      const sending = sender.send({ to, data: '0x', value: 7n })
      await until(async () => (await l2.getTxpoolStatus()).pending === 1)
      const content = await l2.getTxpoolContent()
      const hash = Object.values(Object.values(content.pending)[0]!)[0]!.hash
      await l2.dropTransaction({ hash })
      expect((await l2.getTxpoolStatus()).pending).toBe(0)
      // after 300 ms without a receipt the same transaction is sent again
      await until(async () => (await l2.getTxpoolStatus()).pending === 1)
      await l2.mine({ blocks: 1 })
      const receipt = await sending
      expect(receipt.status).toBe('success')
      expect(receipt.transactionHash).toBe(hash)
    } finally {
      await l2.setAutomine(true)
    }
  })

  test('gives up after maxSends with the hashes it sent', async () => {
    const l2 = chains.clients.l2!
    const sender = new TxSender({ client: l2, account, timeoutMs: 100, maxSends: 2 })
    await l2.setAutomine(false)
    try {
      const error = await sender.send({ to, data: '0x' }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TxTimeoutError)
      expect((error as Error).message).toMatch(/2 sends, 100 ms each; hashes 0x/)
    } finally {
      await l2.mine({ blocks: 1 })
      await l2.setAutomine(true)
    }
  })

  test('stops waiting when aborted', async () => {
    const l2 = chains.clients.l2!
    const sender = new TxSender({ client: l2, account, timeoutMs: 10_000 })
    await l2.setAutomine(false)
    try {
      const controller = new AbortController()
      const sending = sender.send({ to, data: '0x' }, { signal: controller.signal })
      await until(async () => (await l2.getTxpoolStatus()).pending >= 1)
      controller.abort(new Error('stopping'))
      await expect(sending).rejects.toThrow('stopping')
    } finally {
      await l2.mine({ blocks: 1 })
      await l2.setAutomine(true)
    }
  })
})
