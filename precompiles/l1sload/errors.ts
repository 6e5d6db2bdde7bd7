/**
 * Errors of the L1SLOAD precompile. They are thrown out of `evm.runCall` / `vm.runTx` (they are
 * not EVM results), so the caller can drop the transaction instead of committing a result.
 */
import { type Address, BaseError, type Hex } from 'viem'

export type L1SloadUnavailableErrorType = L1SloadUnavailableError & { name: 'L1SloadUnavailableError' }
/**
 * No verified value could be obtained: the L1 RPC failed or lied (its proof did not verify against
 * the trusted L1 origin state root), or, on replay, the witness lacks the entry.
 */
export class L1SloadUnavailableError extends BaseError {
  override name = 'L1SloadUnavailableError'
  l1BlockNumber: bigint
  address: Address
  keys: readonly Hex[]

  constructor({
    reason,
    l1BlockNumber,
    address,
    keys,
    cause,
  }: {
    reason: string
    l1BlockNumber: bigint
    address: Address
    keys: readonly Hex[]
    cause?: Error | undefined
  }) {
    super('L1SLOAD value unavailable; the transaction must not be included.', {
      cause,
      details: reason,
      metaMessages: [`L1 block: ${l1BlockNumber}`, `Address: ${address}`, `Keys: ${keys.join(', ')}`],
    })
    this.l1BlockNumber = l1BlockNumber
    this.address = address
    this.keys = keys
  }
}

export type L1SloadWitnessConflictErrorType = L1SloadWitnessConflictError & {
  name: 'L1SloadWitnessConflictError'
}
/** Two different values were recorded for the same (L1 block, address, key). */
export class L1SloadWitnessConflictError extends BaseError {
  override name = 'L1SloadWitnessConflictError'
  constructor({ key, recorded, value }: { key: string; recorded: Hex; value: Hex }) {
    super('Conflicting L1SLOAD witness entries.', {
      details: `${key}: recorded ${recorded}, new ${value}`,
    })
  }
}
