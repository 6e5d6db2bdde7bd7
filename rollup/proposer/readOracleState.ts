import { type Address, BaseError, ContractFunctionRevertedError } from 'viem'
import { readContract } from 'viem/actions'
import { opL2OutputOracleAbi } from '../../contracts/generated/index.js'
import type { ChainClient } from '../devnet/clients.js'

export type ReadOracleStateParameters = {
  /** The L2OutputOracle (its proxy). */
  l2OutputOracle: Address
  /** Read every value at this L1 block (one consistent snapshot). Default: latest. */
  blockNumber?: bigint | undefined
}

/** What the proposer and the checker need from L2OutputOracle, read at one L1 block. */
export type OracleState = {
  /** The L2 block the next output must be for: `latestBlockNumber + submissionInterval`. */
  nextBlockNumber: bigint
  /** The L2 block of the latest output (`startingBlockNumber` before the first). */
  latestBlockNumber: bigint
  /** The index the next output gets (= the number of outputs). */
  nextOutputIndex: bigint
  submissionInterval: bigint
  l2BlockTime: bigint
  startingBlockNumber: bigint
  startingTimestamp: bigint
}

/**
 * Reads L2OutputOracle's schedule at one L1 block.
 *
 * @param client - Any viem client on L1.
 * @param parameters - {@link ReadOracleStateParameters}
 * @returns {@link OracleState}
 * @example
 * const { nextBlockNumber } = await readOracleState(l1, { l2OutputOracle })
 */
export async function readOracleState(
  client: ChainClient,
  parameters: ReadOracleStateParameters,
): Promise<OracleState> {
  const read = (functionName: OracleView): Promise<bigint> =>
    readContract(client, {
      address: parameters.l2OutputOracle,
      abi: opL2OutputOracleAbi,
      functionName,
      blockNumber: parameters.blockNumber,
    })
  const [
    nextBlockNumber,
    latestBlockNumber,
    nextOutputIndex,
    submissionInterval,
    l2BlockTime,
    startingBlockNumber,
    startingTimestamp,
  ] = await Promise.all([
    read('nextBlockNumber'),
    read('latestBlockNumber'),
    read('nextOutputIndex'),
    read('submissionInterval'),
    read('l2BlockTime'),
    read('startingBlockNumber'),
    read('startingTimestamp'),
  ])
  return {
    nextBlockNumber,
    latestBlockNumber,
    nextOutputIndex,
    submissionInterval,
    l2BlockTime,
    startingBlockNumber,
    startingTimestamp,
  }
}

type OracleView =
  | 'nextBlockNumber'
  | 'latestBlockNumber'
  | 'nextOutputIndex'
  | 'submissionInterval'
  | 'l2BlockTime'
  | 'startingBlockNumber'
  | 'startingTimestamp'

/**
 * The L2 timestamp the oracle assumes for an L2 block (`L2OutputOracle.computeL2Timestamp`):
 * `startingTimestamp + (l2BlockNumber - startingBlockNumber) · l2BlockTime`. The oracle refuses an
 * output unless this is before the proposing L1 block's timestamp.
 *
 * @example
 * computeL2Timestamp(state, state.nextBlockNumber) < l1Head.timestamp // may propose
 */
export function computeL2Timestamp(
  state: Pick<OracleState, 'startingTimestamp' | 'startingBlockNumber' | 'l2BlockTime'>,
  l2BlockNumber: bigint,
): bigint {
  return state.startingTimestamp + (l2BlockNumber - state.startingBlockNumber) * state.l2BlockTime
}

/** The `Error(string)` reason of a contract revert inside `error` (L2OutputOracle uses require strings). */
export function revertReason(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
  return reverted instanceof ContractFunctionRevertedError ? reverted.reason : undefined
}
