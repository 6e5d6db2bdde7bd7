import type { Address, Hex } from 'viem'
import { L1SloadWitnessConflictError } from './errors.js'

/** One value the precompile served: `value` is a 32-byte word. */
export type L1SloadWitnessEntry = { l1BlockNumber: bigint; address: Address; key: Hex; value: Hex }

/** The lookup key of an entry: (L1 block, address, storage key), lowercase. */
export function witnessKey(l1BlockNumber: bigint, address: Address, key: Hex): string {
  return `${l1BlockNumber}:${address.toLowerCase()}:${key.toLowerCase()}`
}

/**
 * The L1 values served while building (or replaying) blocks, one entry per (L1 block, address,
 * key). A batch carries `entries()`; a verifier loads them into a witness and replays with
 * `createReplayL1Sload`, with no L1 archive node.
 *
 * @example
 * const witness = new L1SloadWitness()
 * const l1sload = createL1SloadPrecompile({ l1Client, getL1Origin, witness })
 * // ... build a block ...
 * const forTheBatch = witness.entries()
 * witness.clear()
 */
export class L1SloadWitness {
  readonly #entries = new Map<string, L1SloadWitnessEntry>()

  /**
   * Records a served value. Recording the same value again is a no-op.
   *
   * @param entry - {@link L1SloadWitnessEntry}
   * @throws {@link L1SloadWitnessConflictError} when a different value is already recorded.
   */
  record(entry: L1SloadWitnessEntry): void {
    const k = witnessKey(entry.l1BlockNumber, entry.address, entry.key)
    const value = entry.value.toLowerCase() as Hex
    const recorded = this.#entries.get(k)
    if (recorded !== undefined) {
      if (recorded.value !== value)
        throw new L1SloadWitnessConflictError({ key: k, recorded: recorded.value, value })
      return
    }
    this.#entries.set(k, {
      l1BlockNumber: entry.l1BlockNumber,
      address: entry.address.toLowerCase() as Address,
      key: entry.key.toLowerCase() as Hex,
      value,
    })
  }

  /** @returns The recorded value for (block, address, key), or `undefined`. */
  get(l1BlockNumber: bigint, address: Address, key: Hex): Hex | undefined {
    return this.#entries.get(witnessKey(l1BlockNumber, address, key))?.value
  }

  /** @returns Every entry, in recording order. */
  entries(): L1SloadWitnessEntry[] {
    return [...this.#entries.values()].map((e) => ({ ...e }))
  }

  /** Forgets every entry (e.g. once a batch has been posted). */
  clear(): void {
    this.#entries.clear()
  }

  get size(): number {
    return this.#entries.size
  }
}
