import { createPublicClient, custom, type Hex } from 'viem'
import { getBlock, mine } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeChain } from '../devnet/clients.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import { HeaderHashMismatchError } from '../feeder/blockHeader.js'
import { L1OriginReorgError, L1OriginSelector } from './l1Origin.js'

let chains: TestChains
beforeAll(async () => {
  chains = await startTestChains([{ name: 'l1', chainId: 900 }])
})
afterAll(async () => {
  await chains?.stop()
})

const l1 = () => chains.clients.l1!

/** An L1 client that rewrites eth_getBlockByHash answers (a lying RPC). */
function lyingL1(tamper: (block: Record<string, unknown>) => unknown) {
  const url = chains.anvils.l1!.rpcUrl
  return createPublicClient({
    chain: makeChain({ name: 'l1', chainId: 900, rpcUrl: url }),
    transport: custom({
      async request({ method, params }) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        })
        const { result } = (await res.json()) as { result: Record<string, unknown> }
        return method === 'eth_getBlockByHash' && result ? tamper(result) : result
      },
    }),
  })
}

describe('L1OriginSelector', () => {
  it('advances one confirmed L1 block per L2 block, never past the L2 timestamp', async () => {
    await mine(l1(), { blocks: 5, interval: 12 })
    const selector = new L1OriginSelector({ l1: l1(), confirmations: 2 })
    const head = await getBlock(l1())
    const start = await selector.byHash((await getBlock(l1(), { blockNumber: head.number - 4n })).hash)
    expect(start.number).toBe(head.number - 4n)
    // Up to head-2 is confirmed (2 blocks on top): one step per call.
    const far = start.timestamp + 10_000n
    const first = await selector.select(start, far)
    expect(first).toMatchObject({
      advanced: true,
      origin: { number: start.number + 1n, parentHash: start.hash },
    })
    const second = await selector.select(first.origin, far)
    expect(second).toMatchObject({ advanced: true, origin: { number: start.number + 2n } })
    // head-1 has one block on top only: stay.
    expect(await selector.select(second.origin, far)).toMatchObject({
      advanced: false,
      origin: second.origin,
    })
    // An L2 block older than the next L1 block keeps its origin.
    await mine(l1(), { blocks: 2, interval: 12 })
    const early = await selector.select(second.origin, second.origin.timestamp + 1n)
    expect(early.advanced).toBe(false)
    expect(selector.drifted(second.origin, second.origin.timestamp + 601n)).toBe(false) // no drift limit set
    expect(
      new L1OriginSelector({ l1: l1(), confirmations: 0, maxSequencerDrift: 600 }).drifted(
        second.origin,
        second.origin.timestamp + 601n,
      ),
    ).toBe(true)
  })

  it('refuses a forged header and a chain that does not extend the origin', async () => {
    const head = await getBlock(l1())
    const liar = new L1OriginSelector({
      l1: lyingL1((b) => ({ ...b, stateRoot: `0x${'66'.repeat(32)}` })) as never,
      confirmations: 0,
    })
    await expect(liar.byHash(head.hash)).rejects.toBeInstanceOf(HeaderHashMismatchError)

    const selector = new L1OriginSelector({ l1: l1(), confirmations: 1 })
    await mine(l1(), { blocks: 4, interval: 12 })
    const tip = await getBlock(l1())
    const origin = await selector.byHash((await getBlock(l1(), { blockNumber: tip.number - 2n })).hash as Hex)
    // Replace the last 3 blocks (the origin among them): the block after the origin has another parent.
    // (with a transaction in the replacement, so the new blocks differ from the old ones)
    const from = l1().account?.address as Hex
    const tx = { from, to: from, value: '0x1' }
    await l1().request({ method: 'anvil_reorg' as never, params: [3, [[tx, 0]]] as never })
    expect((await getBlock(l1(), { blockNumber: origin.number + 1n })).parentHash).not.toBe(origin.hash)
    await expect(selector.select({ ...origin }, origin.timestamp + 1000n)).rejects.toBeInstanceOf(
      L1OriginReorgError,
    )
  })
})
