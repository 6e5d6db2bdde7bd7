/**
 * Test-only: a viem client whose transport forwards to a real node and lets a test rewrite
 * answers — the boundary double for "the L2 RPC lies".
 */
import { createPublicClient, custom, http } from 'viem'
import type { ChainClient } from '../../devnet/clients.js'

export type Tamper = (method: string, params: unknown, result: unknown) => unknown

export function lyingClient(rpcUrl: string, tamper: Tamper): ChainClient {
  const inner = http(rpcUrl)({ retryCount: 0 })
  return createPublicClient({
    transport: custom({
      async request({ method, params }) {
        const result = await inner.request({ method, params })
        return tamper(method, params, structuredClone(result))
      },
    }),
    cacheTime: 0,
  })
}

/** Flips the last hex digit of a 0x string (a different value of the same length). */
export function flip(hex: string): string {
  const last = hex.at(-1)!
  return hex.slice(0, -1) + (last === '0' ? '1' : '0')
}

/** The fields of block and `eth_getProof` answers the tests rewrite (a loose view of either). */
export type Answer = Record<string, unknown> & {
  hash: string
  stateRoot: string
  storageHash: string
  accountProof: string[]
}

/** A lie: given a method and the node's true answer, what the RPC says instead. */
export type Lie = (method: string, result: Answer) => unknown

/** A client that tells `lie` (see {@link Lie}). */
export function clientTelling(rpcUrl: string, lie: Lie): ChainClient {
  return lyingClient(rpcUrl, (method, _params, result) => lie(method, result as Answer))
}
