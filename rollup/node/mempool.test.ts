import { hexToBytes } from '@ethereumjs/util'
import { parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { expect, it } from 'vitest'
import { createKeystoreCommon } from './chain.js'
import { Mempool } from './mempool.js'

const dev = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcaf784d7bf4f2ff80')
const STORE = '0x4200000000000000000000000000000000000042'
const tx = async (nonce: number) =>
  hexToBytes(
    await dev.signTransaction({
      chainId: 901,
      type: 'eip1559',
      to: STORE,
      nonce,
      gas: 50_000n,
      maxFeePerGas: parseGwei('10'),
      maxPriorityFeePerGas: 1n,
    }),
  )

it('re-reads the account when the head moves during admission (pool and state checked together)', async () => {
  const pool = new Mempool({
    common: createKeystoreCommon(),
    allowedRecipients: [STORE],
    maxTxBytes: 4096,
    blockGasLimit: 30_000_000n,
  })
  const state = { nonce: 0n, version: 1 }
  const first = await pool.add(
    await tx(0),
    { getAccount: async () => ({ nonce: 0n, balance: 10n ** 20n }) },
    1n,
  )
  // While nonce 1 is being admitted (its account read in flight), a block including nonce 0 is
  // committed: the state nonce becomes 1 and nonce 0 leaves the pool, in one step.
  let reads = 0
  const reader = {
    getAccount: async () => {
      reads++
      const seen = { nonce: state.nonce, balance: 10n ** 20n }
      if (reads === 1) {
        state.nonce = 1n
        state.version++
        pool.remove([first.hash])
      }
      return seen
    },
    version: () => state.version,
  }
  const second = await pool.add(await tx(1), reader, 1n)
  expect(reads).toBe(2) // the stale read (nonce 0, pool now empty → "gap") was retried
  expect(pool.has(second.hash)).toBe(true)
  // Without a version the stale read is what the check sees.
  const stale = new Mempool({
    common: createKeystoreCommon(),
    allowedRecipients: [STORE],
    maxTxBytes: 4096,
    blockGasLimit: 30_000_000n,
  })
  await expect(
    stale.add(await tx(1), { getAccount: async () => ({ nonce: 0n, balance: 10n ** 20n }) }, 1n),
  ).rejects.toThrow(/nonce-gap|gaps are not queued/)
})
