import type { Address, Hex } from 'viem'
import type { L1SloadWitnessEntry } from '../../precompiles/l1sload/L1SloadWitness.js'

/** An L1 block an L2 block is derived from (its "L1 origin"). */
export type L1Origin = { number: bigint; hash: Hex }

/**
 * What a batch says about one L2 block: enough, together with L1 (deposits, L1 attributes), to
 * re-execute it. Deposits and the L1-attributes transaction are NOT here: a verifier derives them
 * from L1 (the portal's `TransactionDeposited` events, the origin block).
 */
export type BatchBlockData = {
  number: bigint
  /** Seconds. */
  timestamp: bigint
  l1Origin: L1Origin
  /** The signed user transactions (types 0/1/2), raw, in block order, after the deposits. */
  transactions: Hex[]
  /**
   * The L1SLOAD values served while building the block (`L1SloadWitness.entries()`), in
   * recording order. Replaying needs exactly these: load them into an `L1SloadWitness` and use
   * `createReplayL1Sload`.
   */
  l1sload: L1SloadWitnessEntry[]
}

/** An L2 block as the batcher gets it from its source: the batch data plus its hash links. */
export type BatchBlock = BatchBlockData & { hash: Hex; parentHash: Hex }

/** A decoded batch: a contiguous run of L2 blocks and the hashes at both ends. */
export type Batch = {
  /** Hash of the L2 block before the first one (the link to the previous batch, or genesis). */
  parentHash: Hex
  /** Hash the sequencer claims for the last block (the link the next batch must start from). */
  lastHash: Hex
  blocks: BatchBlockData[]
}

/**
 * Where the batcher gets L2 blocks (the node, over JSON-RPC or in-process).
 *
 * @example
 * const source: BatchSource = {
 *   head: async () => node.head.number,
 *   getBatchBlock: async (n) => toBatchBlock(node.getBlockByNumber(n)),
 * }
 */
export type BatchSource = {
  /** Number of the newest block the batcher may post (the node's unsafe head). */
  head(): Promise<bigint>
  /** Block `number` (0 = genesis: only its `hash` is used), or undefined if the node does not have it. */
  getBatchBlock(number: bigint): Promise<BatchBlock | undefined>
}

/** Where a batch was found on L1 (the frame that completed it, for multi-frame channels). */
export type BatchInclusion = {
  l1BlockNumber: bigint
  l1BlockHash: Hex
  /** Every inbox transaction that carried a frame of the batch, in frame order. */
  txHashes: Hex[]
  /** Index of the completing transaction in its L1 block. */
  txIndex: number
}

/** A batch read from L1, with where it was found. */
export type PostedBatch = Batch & {
  inclusion: BatchInclusion
  /** Bytes of calldata it took on L1 (its frames that came as calldata; 0 for a batch in blobs). */
  calldataBytes: number
  /** Blobs that carried its frames (0 for a batch in calldata). */
  blobs: number
}

/** Inbox and authorised sender (SystemConfig's `batcherHash` on a real deployment). */
export type InboxParameters = { inbox: Address; batcher: Address }
