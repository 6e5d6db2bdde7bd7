import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { EMPTY_TRIE_ROOT } from '../../precompiles/storage-proof/index.js'
import { fetchOutputRoot, InvalidL2ResponseError, L2BlockNotFoundError } from './fetchOutputRoot.js'
import { type ProposerFixture, startProposerFixture } from './testing/fixture.js'
import { independentOutputRoot } from './testing/independentOutputRoot.js'
import { clientTelling, flip, type Lie } from './testing/lyingClient.js'

let fx: ProposerFixture
let withdrawals: Hex[] = []
let afterWithdrawals: bigint

beforeAll(async () => {
  fx = await startProposerFixture()
  await fx.l1.mine({ blocks: 1 })
  await fx.mineL2(3)
  withdrawals = [(await fx.withdraw('0x01')).withdrawalHash, (await fx.withdraw('0xbeef')).withdrawalHash]
  afterWithdrawals = await fx.mineL2(1)
})
afterAll(async () => {
  await fx?.stop()
})

describe('fetchOutputRoot', () => {
  test('a chain without the message passer (the L1 anvil) → the empty-trie root', async () => {
    const blockNumber = await fx.l1.getBlockNumber({ cacheTime: 0 })
    const output = await fetchOutputRoot(fx.l1, { blockNumber })
    expect(output.messagePasserStorageRoot).toBe(EMPTY_TRIE_ROOT)
    const independent = await independentOutputRoot(fx.l1, blockNumber, [])
    expect(output.outputRoot).toBe(independent.outputRoot)
  })

  test('code but no storage yet → the empty-trie root', async () => {
    const output = await fetchOutputRoot(fx.l2, { blockNumber: 2n })
    expect(output.messagePasserStorageRoot).toBe(EMPTY_TRIE_ROOT)
    expect(output.timestamp).toBe(fx.l2Genesis + 2n * fx.l2BlockTime)
  })

  test('after withdrawals: equals an independent computation (storage trie rebuilt from the slots)', async () => {
    const output = await fetchOutputRoot(fx.l2, { blockNumber: afterWithdrawals })
    const independent = await independentOutputRoot(fx.l2, afterWithdrawals, withdrawals)
    expect(output.messagePasserStorageRoot).not.toBe(EMPTY_TRIE_ROOT)
    expect(output.messagePasserStorageRoot).toBe(independent.storageRoot)
    expect(output.blockHash).toBe(independent.blockHash)
    expect(output.stateRoot).toBe(independent.stateRoot)
    expect(output.outputRoot).toBe(independent.outputRoot)
    // One withdrawal fewer is another root.
    const earlier = await fetchOutputRoot(fx.l2, { blockNumber: afterWithdrawals - 2n })
    expect(earlier.outputRoot).not.toBe(output.outputRoot)
  })

  test('a block the L2 does not have yet → L2BlockNotFoundError', async () => {
    await expect(fetchOutputRoot(fx.l2, { blockNumber: 1000n })).rejects.toThrow(L2BlockNotFoundError)
  })

  test('a pinned block hash that is not the block → refused', async () => {
    const other = (await fx.l2.getBlock({ blockNumber: 1n })).hash
    await expect(fetchOutputRoot(fx.l2, { blockNumber: 2n, blockHash: other })).rejects.toThrow(
      InvalidL2ResponseError,
    )
  })

  const lies: [string, Lie][] = [
    [
      'a wrong storageHash',
      (m, r) => (m === 'eth_getProof' ? { ...r, storageHash: flip(r.storageHash) } : r),
    ],
    [
      'the empty-trie root as storageHash',
      (m, r) => (m === 'eth_getProof' ? { ...r, storageHash: EMPTY_TRIE_ROOT } : r),
    ],
    [
      'a forged account-proof node',
      (m, r) =>
        m === 'eth_getProof'
          ? {
              ...r,
              accountProof: r.accountProof.map((n: string, i: number) =>
                i === r.accountProof.length - 1 ? flip(n) : n,
              ),
            }
          : r,
    ],
    [
      'a truncated account proof',
      (m, r) => (m === 'eth_getProof' ? { ...r, accountProof: r.accountProof.slice(0, 1) } : r),
    ],
    ['a wrong block hash', (m, r) => (m === 'eth_getBlockByNumber' && r ? { ...r, hash: flip(r.hash) } : r)],
    [
      'a state root that is not the header’s',
      (m, r) => (m === 'eth_getBlockByNumber' && r ? { ...r, stateRoot: flip(r.stateRoot) } : r),
    ],
  ]
  test.each(lies)('a lying L2 RPC (%s) → InvalidL2ResponseError, no root', async (_, lie) => {
    const client = clientTelling(fx.l2Anvil.rpcUrl, lie)
    const error = await fetchOutputRoot(client, { blockNumber: afterWithdrawals }).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidL2ResponseError)
    expect(error.message).toMatch(/lying/)
  })
})
