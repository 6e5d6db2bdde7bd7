import type { Hex } from 'viem'
import { L1SloadUnavailableError, type L1SloadUnavailableErrorType } from './errors.js'
import type { L1SloadWitness } from './L1SloadWitness.js'
import { type GetL1Origin, type L1SloadPrecompile, makeL1SloadPrecompile } from './precompile.js'

export type CreateReplayL1SloadParameters = {
  /** The entries a batch carried (load them with `witness.record`). */
  witness: L1SloadWitness
  /** The L1 origin of the block being replayed (only its number is used). */
  getL1Origin: GetL1Origin
}

export type CreateReplayL1SloadReturnType = L1SloadPrecompile

export type CreateReplayL1SloadErrorType = L1SloadUnavailableErrorType

/**
 * The L1SLOAD precompile for verifiers: the same input, gas and output as
 * `createL1SloadPrecompile`, answered only from witness entries, with no L1 RPC.
 *
 * @param parameters - {@link CreateReplayL1SloadParameters}
 * @returns `{ address, function }` for `customPrecompiles`.
 * @throws {@link L1SloadUnavailableError} from the EVM when an entry is missing (the batch is incomplete).
 * @example
 * const witness = new L1SloadWitness()
 * for (const entry of batch.l1sload) witness.record(entry)
 * const evm = await createEVM({ customPrecompiles: [createReplayL1Sload({ witness, getL1Origin })] })
 */
export function createReplayL1Sload({
  witness,
  getL1Origin,
}: CreateReplayL1SloadParameters): CreateReplayL1SloadReturnType {
  return makeL1SloadPrecompile(getL1Origin, async (origin, address, keys) =>
    keys.map((key): Hex => {
      const value = witness.get(origin.number, address, key)
      if (value === undefined)
        throw new L1SloadUnavailableError({
          reason: `the witness has no entry for key ${key}`,
          l1BlockNumber: origin.number,
          address,
          keys,
        })
      return value
    }),
  )
}
