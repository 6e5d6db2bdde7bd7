import { createPublicClient, custom, type Hex, keccak256 } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { encodeBlockHeader } from '../../precompiles/storage-proof/index.js'
import { makeChain } from '../devnet/clients.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import {
  fetchVerifiedHeader,
  HeaderHashMismatchError,
  HeaderNotFoundError,
  InvalidL1HeaderError,
} from './blockHeader.js'

let chains: TestChains
beforeAll(async () => {
  chains = await startTestChains([
    { name: 'prague', chainId: 900 },
    { name: 'cancun', chainId: 900, hardfork: 'cancun' },
  ])
  await chains.clients.prague!.mine({ blocks: 3 })
  await chains.clients.cancun!.mine({ blocks: 1 })
})
afterAll(async () => {
  await chains?.stop()
})

/** A client whose eth_getBlockByHash answers are rewritten by `tamper`. */
function lyingClient(rpcUrl: string, tamper: (block: Record<string, unknown>) => Promise<unknown> | unknown) {
  return createPublicClient({
    chain: makeChain({ name: 'liar', chainId: 900, rpcUrl }),
    transport: custom(
      {
        async request({ method, params }) {
          const res = await fetch(rpcUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
          })
          const { result } = (await res.json()) as { result: Record<string, unknown> }
          return method === 'eth_getBlockByHash' && result ? tamper(result) : result
        },
      },
      { retryCount: 0 },
    ),
  })
}

describe('encodeBlockHeader', () => {
  test('hashes to the block hash (Prague: requestsHash; genesis)', async () => {
    for (const n of [0n, 1n, 3n]) {
      const block = await chains.clients.prague!.getBlock({ blockNumber: n })
      expect(keccak256(encodeBlockHeader(block))).toBe(block.hash)
    }
  })

  test('hashes to the block hash (Cancun: no requestsHash)', async () => {
    const block = await chains.clients.cancun!.getBlock({ blockNumber: 1n })
    expect((block as { requestsHash?: Hex }).requestsHash).toBeUndefined()
    expect(keccak256(encodeBlockHeader(block))).toBe(block.hash)
  })
})

describe('fetchVerifiedHeader', () => {
  test('returns the RLP header of the hash asked for', async () => {
    const block = await chains.clients.prague!.getBlock({ blockNumber: 2n })
    const header = await fetchVerifiedHeader(chains.clients.prague!, block.hash)
    expect(header).toMatchObject({ hash: block.hash, number: 2n, parentHash: block.parentHash })
    expect(keccak256(header.rlp)).toBe(block.hash)
  })

  test('refuses a header whose fields were altered', async () => {
    const block = await chains.clients.prague!.getBlock({ blockNumber: 2n })
    const liar = lyingClient(chains.anvils.prague!.rpcUrl, (b) => ({
      ...b,
      stateRoot: `0x${'11'.repeat(32)}`,
    }))
    const error = await fetchVerifiedHeader(liar, block.hash).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HeaderHashMismatchError)
    expect((error as Error).message).toMatch(/Refusing the header/)
  })

  test('refuses another (real) block served for the hash', async () => {
    const block = await chains.clients.prague!.getBlock({ blockNumber: 2n })
    const res = await fetch(chains.anvils.prague!.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: ['0x1', false] }),
    })
    const other = ((await res.json()) as { result: object }).result
    const liar = lyingClient(chains.anvils.prague!.rpcUrl, (b) => ({ ...other, hash: b.hash }))
    await expect(fetchVerifiedHeader(liar, block.hash)).rejects.toBeInstanceOf(HeaderHashMismatchError)
  })

  test('refuses a block that cannot be a header', async () => {
    const block = await chains.clients.prague!.getBlock({ blockNumber: 2n })
    const liar = lyingClient(chains.anvils.prague!.rpcUrl, (b) => ({ ...b, parentBeaconBlockRoot: null }))
    await expect(fetchVerifiedHeader(liar, block.hash)).rejects.toBeInstanceOf(InvalidL1HeaderError)
  })

  test('an unknown hash is HeaderNotFoundError', async () => {
    const unknown: Hex = `0x${'ee'.repeat(32)}`
    await expect(fetchVerifiedHeader(chains.clients.cancun!, unknown)).rejects.toBeInstanceOf(
      HeaderNotFoundError,
    )
  })
})
