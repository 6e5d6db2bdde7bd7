import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { opL1BlockAbi } from '../../contracts/generated/index.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import { L1OriginUpdater } from './L1OriginUpdater.js'
import { DEPOSITOR_ACCOUNT, L1_BLOCK_ADDRESS } from './l1Block.js'

let chains: TestChains
beforeAll(async () => {
  chains = await startTestChains([
    { name: 'l1', chainId: 900 },
    { name: 'l2a', chainId: 902, optimism: true },
  ])
})
afterAll(async () => {
  await chains?.stop()
})

async function l1Block(fn: 'hash' | 'number' | 'timestamp' | 'basefee' | 'sequenceNumber' | 'batcherHash') {
  return chains.clients.l2a!.readContract({ address: L1_BLOCK_ADDRESS, abi: opL1BlockAbi, functionName: fn })
}

async function until(predicate: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('L1OriginUpdater', () => {
  test('installs the genuine L1Block and keeps it `lag` blocks behind the L1 head, following reorgs', async () => {
    const { l1, l2a } = chains.clients as Required<typeof chains.clients>
    await l1!.mine({ blocks: 10 })
    const updater = new L1OriginUpdater({
      name: 'l2a',
      l1: l1!,
      l2: l2a!,
      lag: 3,
      pollIntervalMs: 50,
      batcher: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
    })
    await updater.start()
    try {
      // start() resolves with the origin set: genuine bytecode, written by the depositor
      expect(await l2a!.getCode({ address: L1_BLOCK_ADDRESS })).toMatch(/^0x6080/)
      const target = await l1!.getBlock({ blockNumber: 7n })
      expect(await l1Block('number')).toBe(7n)
      expect(await l1Block('hash')).toBe(target.hash)
      expect(await l1Block('timestamp')).toBe(target.timestamp)
      expect(await l1Block('basefee')).toBe(target.baseFeePerGas)
      expect(await l1Block('sequenceNumber')).toBe(0n)
      expect(await l1Block('batcherHash')).toBe(
        '0x00000000000000000000000090f79bf6eb2c4f870365e785982e1f101e93b906',
      )
      const tx = (await l2a!.getBlock({ includeTransactions: true })).transactions[0]
      expect(tx?.from.toLowerCase()).toBe(DEPOSITOR_ACCOUNT.toLowerCase())

      // follows the head
      await l1!.mine({ blocks: 5 })
      await until(async () => (await l1Block('number')) === 12n)
      expect(await l1Block('hash')).toBe((await l1!.getBlock({ blockNumber: 12n })).hash)

      // an L1 reorg deeper than the lag replaces the origin with the new canonical block
      const old = await l1Block('hash')
      await l1!.request({ method: 'anvil_reorg' as never, params: [5, []] as never })
      const canonical = (await l1!.getBlock({ blockNumber: 12n })).hash
      expect(canonical).not.toBe(old)
      await until(async () => (await l1Block('hash')) === canonical)
      expect(await l1Block('number')).toBe(12n)

      // the counter moves once the updater has its receipt, a moment after the chain shows the change
      await until(async () => updater.health().updates >= 3)
      expect(updater.health()).toMatchObject({ status: 'ok', chain: 'l2a', errors: 0 })
    } finally {
      await updater.stop()
    }
    expect(updater.health().status).toBe('stopped')
  })

  test('a restarted updater reads the origin from chain and sends nothing when it is current', async () => {
    const { l1, l2a } = chains.clients
    const updater = new L1OriginUpdater({ name: 'l2a', l1: l1!, l2: l2a!, lag: 3 })
    const before = await l2a!.getBlockNumber()
    const result = await updater.updateOnce()
    expect(result.changed).toBe(false)
    expect(await l2a!.getBlockNumber()).toBe(before)
  })

  test('lag larger than the chain clamps to genesis', async () => {
    const { l1, l2a } = chains.clients
    const updater = new L1OriginUpdater({ name: 'l2a', l1: l1!, l2: l2a!, lag: 10_000 })
    const result = await updater.updateOnce()
    expect(result.number).toBe(0n)
    expect(await l1Block('hash')).toBe((await l1!.getBlock({ blockNumber: 0n })).hash)
  })
})
