/** The L1SLOAD precompile (RIP-7728) for @ethereumjs/evm: live (proven L1 reads) and replay. See README.md. */
export { L1SLOAD_ADDRESS, L1SLOAD_FIXED_GAS, L1SLOAD_MAX_KEYS, L1SLOAD_PER_KEY_GAS } from './constants.js'
export {
  type CreateL1SloadPrecompileErrorType,
  type CreateL1SloadPrecompileParameters,
  type CreateL1SloadPrecompileReturnType,
  createL1SloadPrecompile,
} from './createL1SloadPrecompile.js'
export {
  type CreateReplayL1SloadErrorType,
  type CreateReplayL1SloadParameters,
  type CreateReplayL1SloadReturnType,
  createReplayL1Sload,
} from './createReplayL1Sload.js'
export {
  L1SloadUnavailableError,
  type L1SloadUnavailableErrorType,
  L1SloadWitnessConflictError,
  type L1SloadWitnessConflictErrorType,
} from './errors.js'
export { L1SloadWitness, type L1SloadWitnessEntry } from './L1SloadWitness.js'
export { l1SloadGas, type ParseL1SloadInputReturnType, parseL1SloadInput } from './parseL1SloadInput.js'
export type { GetL1Origin, L1Origin, L1SloadPrecompile } from './precompile.js'
