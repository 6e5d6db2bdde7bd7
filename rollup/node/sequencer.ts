import { RLP } from '@ethereumjs/rlp'
import { bigIntToBytes, bytesToBigInt, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { type Client, concat, encodeFunctionData, type Hex, keccak256, pad, toHex } from 'viem'
import { l1BlocksAbi } from '../../contracts/generated/index.js'
import type { BatchBlock } from '../batcher/types.js'
import { type DepositTx, fetchDeposits } from '../derivation/deposits.js'
import { buildL1AttributesDeposit } from '../derivation/l1Attributes.js'
import { DEPOSITOR_ACCOUNT } from '../origin/l1Block.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { decodeBlockExtra } from './blockExtra.js'
import type { StoredBlock } from './blockStore.js'
import type { BlockPlan, PlanBlock } from './KeystoreNode.js'
import type { L1OriginBlock, L1OriginSelector } from './l1Origin.js'

/** The L1 origin a block was built on, kept in the block's planner data. */
export type BlockOrigin = { number: bigint; hash: Hex; sequenceNumber: bigint }

export function encodeBlockOrigin(o: BlockOrigin): Uint8Array {
  return RLP.encode([bigIntToBytes(o.number), hexToBytes(o.hash), bigIntToBytes(o.sequenceNumber)])
}

/** The origin of `block` (genesis: the chain's starting L1 block, sequence number 0). */
export function blockOrigin(block: StoredBlock): BlockOrigin {
  const { planData } = decodeBlockExtra(block.extra)
  if (planData.length === 0) throw new Error(`block ${block.number} carries no L1 origin`)
  const [n, h, s] = RLP.decode(planData) as Uint8Array[]
  return {
    number: bytesToBigInt(n as Uint8Array),
    hash: bytesToHex(h as Uint8Array) as Hex,
    sequenceNumber: bytesToBigInt(s as Uint8Array),
  }
}

/**
 * Source-hash domain of the keystore chain's L1Blocks header deposit. OP defines 0 (user), 1 (L1
 * info) and 2 (upgrade); 3 is this chain's extension: keccak256(uint256(3) ‖ keccak256(l1BlockHash)).
 * One such deposit per L1 origin, so the hash is unique.
 */
export const L1_BLOCKS_HEADER_DOMAIN = 3n
/** Gas of the L1Blocks header deposit (setL1BlockHeader uses ~90k for a Prague header). */
export const L1_BLOCKS_HEADER_GAS = 300_000n

/**
 * The system deposit that stores an L1 origin's header in the chain's L1Blocks, where the L1SLOAD
 * precompile reads the state root it proves against. L1Blocks accepts it only if keccak256(header)
 * equals L1Block.hash(), which the L1-attributes deposit set just before in the same block.
 */
export function buildL1BlocksHeaderDeposit(parameters: { l1Blocks: Hex; origin: L1OriginBlock }): DepositTx {
  return {
    sourceHash: keccak256(concat([pad(toHex(L1_BLOCKS_HEADER_DOMAIN)), keccak256(parameters.origin.hash)])),
    from: DEPOSITOR_ACCOUNT,
    to: parameters.l1Blocks,
    mint: 0n,
    value: 0n,
    gas: L1_BLOCKS_HEADER_GAS,
    isSystemTx: false,
    data: encodeFunctionData({
      abi: l1BlocksAbi,
      functionName: 'setL1BlockHeader',
      args: [parameters.origin.rlp],
    }),
  }
}

export type SequencerPlannerParameters = {
  /** L1 RPC (untrusted; headers and deposit receipts are verified). */
  l1: Client
  selector: L1OriginSelector
  /** OptimismPortal (proxy) on L1: deposits. */
  portal: Hex
  /** L1Blocks predeploy on the keystore chain. */
  l1Blocks: Hex
  /** SystemConfig values the L1-attributes deposit carries. */
  systemConfig: { batcherHash: Hex; baseFeeScalar: number; blobBaseFeeScalar: number }
  logger?: Logger | undefined
}

/**
 * The sequencer's block planner: chooses the L1 origin (OP rules, `L1OriginSelector`), then the
 * block's deposits in derivation order: the L1-attributes deposit; on a new origin (and in block
 * 1), the L1Blocks header deposit and the user deposits of that L1 block from the portal.
 * A verifier derives the same list from L1 with `deriveBlockDeposits`.
 */
export function createSequencerPlanner(parameters: SequencerPlannerParameters): PlanBlock {
  const log = (parameters.logger ?? silentLogger).child({ service: 'sequencer' })
  return async ({ number, timestamp, parent }): Promise<BlockPlan> => {
    const parentOrigin = blockOrigin(parent)
    const parentBlock = await parameters.selector.byHash(parentOrigin.hash)
    const { origin, advanced } = await parameters.selector.select(parentBlock, timestamp)
    if (!advanced && parameters.selector.drifted(origin, timestamp))
      log.warn('L1 origin lags the L2 time by more than the max sequencer drift', {
        l2Timestamp: timestamp,
        origin: origin.number,
        originTimestamp: origin.timestamp,
      })
    const sequenceNumber = advanced ? 0n : parentOrigin.sequenceNumber + 1n
    const deposits = await deriveBlockDeposits({
      ...parameters,
      origin,
      sequenceNumber,
      newEpoch: advanced || number === 1n,
    })
    if (advanced) log.debug('new L1 origin', { number, origin: origin.number, deposits: deposits.length - 2 })
    return {
      deposits,
      extra: encodeBlockOrigin({ number: origin.number, hash: origin.hash, sequenceNumber }),
    }
  }
}

/**
 * The deposits of a keystore-chain block, from L1 alone: the L1-attributes deposit, and when the
 * block starts an epoch (new origin, or block 1) the L1Blocks header deposit and the portal's user
 * deposits of the origin block. Sequencer and verifier both use this.
 */
export async function deriveBlockDeposits(parameters: {
  l1: Client
  portal: Hex
  l1Blocks: Hex
  systemConfig: SequencerPlannerParameters['systemConfig']
  origin: L1OriginBlock
  sequenceNumber: bigint
  newEpoch: boolean
}): Promise<DepositTx[]> {
  const { origin } = parameters
  const attributes = buildL1AttributesDeposit({
    number: origin.number,
    timestamp: origin.timestamp,
    baseFee: origin.baseFee,
    blobBaseFee: origin.blobBaseFee,
    hash: origin.hash,
    sequenceNumber: parameters.sequenceNumber,
    ...parameters.systemConfig,
  })
  if (!parameters.newEpoch) return [attributes]
  const user = await fetchDeposits(parameters.l1, { portal: parameters.portal, l1BlockHash: origin.hash })
  return [attributes, buildL1BlocksHeaderDeposit({ l1Blocks: parameters.l1Blocks, origin }), ...user]
}

/**
 * A stored block as a batch carries it: number, timestamp, L1 origin, the signed user
 * transactions (deposits are derived from L1, not batched) and the block's L1SLOAD witness.
 */
export function toBatchBlock(block: StoredBlock): BatchBlock {
  const origin = blockOrigin(block)
  return {
    number: block.number,
    hash: block.hash,
    parentHash: bytesToHex(block.header.parentHash) as Hex,
    timestamp: block.header.timestamp,
    l1Origin: { number: origin.number, hash: origin.hash },
    transactions: block.txs.filter((t) => t.kind === 'signed').map((t) => bytesToHex(t.raw) as Hex),
    l1sload: decodeBlockExtra(block.extra).witness,
  }
}
