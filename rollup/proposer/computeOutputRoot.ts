import { concat, type Hex, keccak256, zeroHash } from 'viem'
import { RollupError } from '../shared/errors.js'

/** The L2ToL1MessagePasser predeploy: its storage root is part of every output root. */
export const L2_TO_L1_MESSAGE_PASSER = '0x4200000000000000000000000000000000000016' as const

/** Output root version 0 (the only version OP Bedrock defines): 32 zero bytes. */
export const OUTPUT_VERSION_V0: Hex = zeroHash

export type ComputeOutputRootParameters = {
  /** The L2 block's state root. */
  stateRoot: Hex
  /** The storage root of L2ToL1MessagePasser at that block (the empty-trie root if it has no storage). */
  messagePasserStorageRoot: Hex
  /** The L2 block's hash. */
  blockHash: Hex
}

export type ComputeOutputRootReturnType = Hex

export type ComputeOutputRootErrorType = OutputRootInputError

/** A field of an output root is not 32 bytes of hex. */
export class OutputRootInputError extends RollupError {
  override name = 'OutputRootInputError'
}

/**
 * The version-0 output root of an L2 block, as L2OutputOracle stores it and OptimismPortal
 * checks it when a withdrawal is proven:
 * `keccak256(bytes32(0) ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash)`.
 *
 * @param parameters - {@link ComputeOutputRootParameters}, each a 32-byte hex string.
 * @returns The output root (32 bytes, lowercase hex).
 * @throws {@link OutputRootInputError} when a field is not 32 bytes of hex.
 * @example
 * const root = computeOutputRoot({ stateRoot, messagePasserStorageRoot, blockHash })
 */
export function computeOutputRoot(parameters: ComputeOutputRootParameters): ComputeOutputRootReturnType {
  const { stateRoot, messagePasserStorageRoot, blockHash } = parameters
  for (const [name, value] of [
    ['stateRoot', stateRoot],
    ['messagePasserStorageRoot', messagePasserStorageRoot],
    ['blockHash', blockHash],
  ] as const)
    if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value))
      throw new OutputRootInputError(`${name} must be 32 bytes of hex.`, {
        details: `got ${String(value)}`,
        input: parameters,
      })
  return keccak256(concat([OUTPUT_VERSION_V0, stateRoot, messagePasserStorageRoot, blockHash]))
}
