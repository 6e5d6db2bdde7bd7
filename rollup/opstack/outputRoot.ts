/**
 * Output roots (OP "version 0"), what the proposer posts to L2OutputOracle and what a withdrawal
 * is proven against: `keccak256(version ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash)`,
 * each a 32-byte word, version = 0.
 */
import { type BlockNumber, encodeAbiParameters, type Hex, keccak256, zeroHash } from 'viem'
import { getBlock, getProof } from 'viem/actions'
import type { ChainClient } from '../devnet/clients.js'
import { L2_TO_L1_MESSAGE_PASSER } from './contracts.js'

export type OutputRootProof = {
  version: Hex
  stateRoot: Hex
  messagePasserStorageRoot: Hex
  latestBlockhash: Hex
}

/**
 * `Hashing.hashOutputRootProof` (contracts-bedrock): keccak256 of the four words.
 *
 * @example
 * computeOutputRoot({ version: zeroHash, stateRoot, messagePasserStorageRoot, latestBlockhash })
 */
export function computeOutputRoot(proof: OutputRootProof): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }],
      [proof.version, proof.stateRoot, proof.messagePasserStorageRoot, proof.latestBlockhash],
    ),
  )
}

/**
 * The output root of an L2 block as an L2 RPC reports it: the block's state root and hash, and
 * L2ToL1MessagePasser's storage root from `eth_getProof`. The RPC is trusted here, so a proposer
 * must use its own node; a relayer compares the result with what L2OutputOracle holds.
 *
 * @returns The root and its preimage.
 * @example
 * const { outputRoot } = await getOutputRootAt(l2, { blockNumber: 10n })
 */
export async function getOutputRootAt(
  l2: ChainClient,
  parameters: { blockNumber: BlockNumber },
): Promise<{ outputRoot: Hex; proof: OutputRootProof; blockNumber: bigint; timestamp: bigint }> {
  const [block, account] = await Promise.all([
    getBlock(l2, { blockNumber: parameters.blockNumber }),
    getProof(l2, { address: L2_TO_L1_MESSAGE_PASSER, storageKeys: [], blockNumber: parameters.blockNumber }),
  ])
  const proof: OutputRootProof = {
    version: zeroHash,
    stateRoot: block.stateRoot,
    messagePasserStorageRoot: account.storageHash,
    latestBlockhash: block.hash,
  }
  return {
    outputRoot: computeOutputRoot(proof),
    proof,
    blockNumber: block.number,
    timestamp: block.timestamp,
  }
}
