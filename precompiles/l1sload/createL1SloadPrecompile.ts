import type { Address, Client, Hex } from 'viem'
import { type ProofResponse, verifyProofResponse } from '../storage-proof/index.js'
import { L1SloadUnavailableError, type L1SloadUnavailableErrorType } from './errors.js'
import { type L1SloadWitness, witnessKey } from './L1SloadWitness.js'
import {
  type GetL1Origin,
  type L1Origin,
  type L1SloadPrecompile,
  makeL1SloadPrecompile,
} from './precompile.js'

export type CreateL1SloadPrecompileParameters = {
  /** Any viem client on L1. Untrusted: every answer is proven against `getL1Origin().stateRoot`. */
  l1Client: Client
  /** The trusted L1 origin (number + state root) the current L2 block reads at. */
  getL1Origin: GetL1Origin
  /** Records every value served, for the batch. */
  witness?: L1SloadWitness | undefined
  /** Verified values to keep, keyed by (L1 block, address, key); 0 disables. Default 4096. */
  cacheSize?: number | undefined
}

export type CreateL1SloadPrecompileReturnType = L1SloadPrecompile & {
  /**
   * Proves `keys` of `address` at `origin` with ONE `eth_getProof` and caches the values, so that
   * later calls reading them need no round trip. Nothing is recorded in the witness: a value is
   * recorded only when a call is served. For a block builder that knows the keys its transactions
   * will read (a dry run), ahead of executing them. Keep `keys` within the cache size.
   * @throws {L1SloadUnavailableError} when the RPC fails or its answer does not verify (nothing cached).
   */
  prefetch(origin: L1Origin, address: Address, keys: readonly Hex[]): Promise<void>
  /** Whether the value of (origin, address, key) is cached (no RPC). */
  isCached(origin: L1Origin, address: Address, key: Hex): boolean
}

/** Thrown out of `runCall`/`runTx` by the precompile (not an EVM result). */
export type CreateL1SloadPrecompileErrorType = L1SloadUnavailableErrorType

/**
 * The L1SLOAD precompile (RIP-7728) for @ethereumjs/evm, reading L1 through an untrusted RPC:
 * it fetches `eth_getProof(address, keys, origin.number)` and answers only values proven against
 * `origin.stateRoot`.
 *
 * Why throw instead of halting: a failing or lying L1 RPC is a fault of this node, not of the
 * transaction. An EVM result (revert or exceptional halt) would be committed to L2 state, and a
 * verifier replaying the batch would have no way to reproduce it (its RPC, or the witness, answers
 * correctly). So the precompile throws {@link L1SloadUnavailableError} out of the EVM and the
 * sequencer leaves the transaction out of the block (and may retry later).
 *
 * @param parameters - {@link CreateL1SloadPrecompileParameters}
 * @returns `{ address, function }` for `customPrecompiles`.
 * @example
 * const witness = new L1SloadWitness()
 * const evm = await createEVM({
 *   customPrecompiles: [createL1SloadPrecompile({ l1Client, getL1Origin: () => origin, witness })],
 * })
 */
export function createL1SloadPrecompile({
  l1Client,
  getL1Origin,
  witness,
  cacheSize = 4096,
}: CreateL1SloadPrecompileParameters): CreateL1SloadPrecompileReturnType {
  // Insertion-ordered Map as an LRU: a hit is moved to the end, the oldest entry is evicted first.
  const cache = new Map<string, Hex>()
  const remember = (k: string, value: Hex) => {
    if (cacheSize <= 0) return
    cache.delete(k)
    cache.set(k, value)
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string)
  }
  const cached = (k: string) => {
    const value = cache.get(k)
    if (value !== undefined) remember(k, value)
    return value
  }

  /** Proves `keys` (distinct) with one eth_getProof; caches and returns them in order. */
  const fetchProven = async (origin: L1Origin, address: Address, keys: Hex[], calledWith: Hex[]) => {
    const fail = (reason: string, cause?: Error) =>
      new L1SloadUnavailableError({ reason, l1BlockNumber: origin.number, address, keys: calledWith, cause })
    let response: ProofResponse
    try {
      response = (await l1Client.request({
        method: 'eth_getProof',
        params: [address, keys, `0x${origin.number.toString(16)}`],
      } as never)) as unknown as ProofResponse
    } catch (error) {
      throw fail('the L1 RPC failed to answer eth_getProof', error as Error)
    }
    let values: Hex[]
    try {
      const { storage } = verifyProofResponse({ stateRoot: origin.stateRoot, address, slots: keys, response })
      values = keys.map((_, i) => storage[i]?.value as Hex)
    } catch (error) {
      throw fail('the L1 RPC answer does not verify against the L1 origin state root', error as Error)
    }
    for (const [i, key] of keys.entries()) remember(witnessKey(origin.number, address, key), values[i] as Hex)
    return values
  }

  const precompile = makeL1SloadPrecompile(getL1Origin, async (origin, address, keys) => {
    const values: (Hex | undefined)[] = keys.map((key) => cached(witnessKey(origin.number, address, key)))
    const missing = [...new Set(keys.filter((_, i) => values[i] === undefined))]
    if (missing.length > 0) {
      const fetched = await fetchProven(origin, address, missing, keys)
      const proven = new Map(missing.map((key, i) => [key, fetched[i] as Hex]))
      keys.forEach((key, i) => {
        if (values[i] === undefined) values[i] = proven.get(key) as Hex
      })
    }
    const served = values as Hex[]
    // Recorded only once every key is proven: a failed call leaves no trace in the witness.
    if (witness)
      for (const [i, key] of keys.entries())
        witness.record({ l1BlockNumber: origin.number, address, key, value: served[i] as Hex })
    return served
  })
  return {
    ...precompile,
    prefetch: async (origin, address, keys) => {
      const lower = address.toLowerCase() as Address
      const missing = [...new Set(keys.map((k) => k.toLowerCase() as Hex))].filter(
        (k) => !cache.has(witnessKey(origin.number, lower, k)),
      )
      if (missing.length > 0) await fetchProven(origin, lower, missing, missing)
    },
    isCached: (origin, address, key) => cache.has(witnessKey(origin.number, address, key)),
  }
}
