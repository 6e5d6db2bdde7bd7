/**
 * SafeHeadFollower against real batches on an anvil L1 (posted by the real Batcher from an
 * in-memory block source): the node's safe head follows the inbox, finalized follows L1's
 * finalized tag, and a node whose chain differs from L1's (or lacks the blocks) is never moved.
 */
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Batcher } from '../batcher/Batcher.js'
import { KeystoreBlockSource } from '../batcher/testing.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import type { StoredBlock } from '../node/KeystoreNode.js'
import { SafeHeadFollower, type SafeHeadNode } from './SafeHeadFollower.js'

const batcherAccount = privateKeyToAccount(
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
)
const INBOX: Hex = '0xff00000000000000000000000000000000000901'

let chains: TestChains
const source = new KeystoreBlockSource({ seed: 'safe-head', senders: 4 })

beforeAll(async () => {
  chains = await startTestChains([{ name: 'l1', chainId: 900 }])
  const l1 = chains.clients.l1!
  await l1.mine({ blocks: 20 })
  for (let i = 0; i < 5; i++) source.produce(1)
  const batcher = new Batcher({
    l1,
    account: batcherAccount,
    source,
    inbox: INBOX,
    maxDelayMs: 0,
    pollIntervalMs: 20,
  })
  await batcher.start()
  const deadline = Date.now() + 20_000
  while ((batcher.safeHead?.number ?? 0n) < 5n && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20))
  await batcher.stop()
})
afterAll(async () => {
  await chains?.stop()
})

/** A node holding `blocks` (a test double at the follower's boundary: it only reads hashes). */
function nodeWith(blocks: { number: bigint; hash: Hex }[]) {
  const calls: { safe?: bigint | undefined; finalized?: bigint | undefined }[] = []
  const node: SafeHeadNode = {
    get head() {
      return blocks[blocks.length - 1] as unknown as StoredBlock
    },
    getBlockByNumber: async (n) => blocks.find((b) => b.number === n) as unknown as StoredBlock | undefined,
    setSafeHeads: (heads) => void calls.push(heads),
  }
  return { node, calls }
}

const follower = (node: SafeHeadNode) =>
  new SafeHeadFollower({
    node,
    l1: chains.clients.l1!,
    inbox: INBOX,
    batcher: batcherAccount.address,
    l1StartBlock: 0n,
    genesisHash: source.genesis.hash,
  })

describe('SafeHeadFollower', () => {
  test('safe = the last block on L1; finalized once its batch is under the L1 finalized block', async () => {
    const { node, calls } = nodeWith(source.blocks)
    const f = follower(node)
    expect(await f.step()).toBe('idle')
    expect(calls.at(-1)).toEqual({ safe: 5n, finalized: undefined })
    expect(f.health()).toMatchObject({ status: 'ok', safe: { number: 5n }, batches: expect.any(Number) })
    await chains.clients.l1!.mine({ blocks: 70 }) // anvil's finalized tag trails the head by 64
    await f.step()
    expect(calls.at(-1)).toEqual({ safe: 5n, finalized: 5n })
    expect(f.health().finalized).toBe(5n)
  })

  test('a node on another chain than L1 carries is not moved; health says where they differ', async () => {
    const tampered = source.blocks.map((b) =>
      b.number === 5n ? { ...b, hash: `0x${'55'.repeat(32)}` as Hex } : b,
    )
    const { node, calls } = nodeWith(tampered)
    const f = follower(node)
    await f.step()
    expect(calls).toEqual([])
    expect(f.health()).toMatchObject({
      status: 'degraded',
      divergence: { number: 5n, l1Hash: source.blocks[5]!.hash, nodeHash: `0x${'55'.repeat(32)}` },
    })
  })

  test('a node without the blocks L1 has (lost its data) is not moved', async () => {
    const { node, calls } = nodeWith(source.blocks.slice(0, 3))
    const f = follower(node)
    await f.step()
    expect(calls).toEqual([])
    expect(f.health()).toMatchObject({ status: 'degraded', divergence: { number: 5n, nodeHash: null } })
  })
})
