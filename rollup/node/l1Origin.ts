import type { Hex } from 'viem'
import { getBlock, getBlockNumber } from 'viem/actions'
import { type BlockHeader, decodeBlockHeader } from '../../precompiles/storage-proof/index.js'
import type { ChainClient } from '../devnet/clients.js'
import { fetchVerifiedHeader } from '../feeder/blockHeader.js'
import { blobBaseFee } from '../origin/l1Block.js'
import { RollupError } from '../shared/errors.js'

/** An L1 block as the keystore chain uses it: its verified RLP header and the decoded fields. */
export type L1OriginBlock = {
  number: bigint
  hash: Hex
  parentHash: Hex
  timestamp: bigint
  stateRoot: Hex
  baseFee: bigint
  blobBaseFee: bigint
  /** The RLP header; keccak256(rlp) = hash was checked. L1Blocks stores it. */
  rlp: Hex
}

/** The L1 chain under the current origin changed (a reorg deeper than the confirmations). */
export class L1OriginReorgError extends RollupError {
  override name = 'L1OriginReorgError'
}

export type L1OriginSelectorParameters = {
  /** L1 RPC (not trusted: every header is checked against its hash, and the chain by parentHash). */
  l1: ChainClient
  /** L1 blocks the origin stays behind the L1 head (DESIGN §4). */
  confirmations: number
  /**
   * Max seconds an L2 block may be ahead of its origin's timestamp before the origin must advance
   * (OP's max sequencer drift). Past it the sequencer still advances only to a confirmed block.
   */
  maxSequencerDrift?: number | undefined
}

/**
 * Chooses the L1 origin of each keystore-chain block, following the OP sequencer's rules: the
 * origin never moves back, moves at most one L1 block per L2 block, never to a block newer than
 * the L2 block's timestamp, never to a block within `confirmations` of the L1 head, and only to a
 * child of the current origin (by parentHash, with every header verified against its hash).
 *
 * Threat: a lying or failing L1 RPC. It cannot make the node adopt a forged header (hash checks),
 * and it cannot splice another chain under the origin (parentHash check: `L1OriginReorgError`).
 * It can withhold blocks, which only delays the origin. A real L1 reorg deeper than
 * `confirmations` stops origin advancement with that error until an operator intervenes (the node
 * has no L2 reorg); keep `confirmations` above the L1's practical reorg depth.
 */
export class L1OriginSelector {
  readonly #p: L1OriginSelectorParameters
  /** Verified blocks by hash (a hash names one block forever; numbers can be reorged). */
  readonly #cache = new Map<Hex, L1OriginBlock>()

  constructor(parameters: L1OriginSelectorParameters) {
    this.#p = parameters
  }

  /** Fetches and verifies the L1 block `hash` (cached). */
  async byHash(hash: Hex): Promise<L1OriginBlock> {
    const cached = this.#cache.get(hash.toLowerCase() as Hex)
    if (cached) return cached
    const verified = await fetchVerifiedHeader(this.#p.l1, hash)
    return this.#remember(toOrigin(decodeBlockHeader(verified.rlp), verified.rlp))
  }

  /**
   * The origin for an L2 block with `l2Timestamp` whose parent's origin is `parent`.
   * @returns the origin and whether it advanced (a new epoch: sequence number 0, deposits).
   * @throws {L1OriginReorgError} when L1 no longer extends `parent`.
   */
  async select(
    parent: L1OriginBlock,
    l2Timestamp: bigint,
  ): Promise<{ origin: L1OriginBlock; advanced: boolean }> {
    const head = await getBlockNumber(this.#p.l1, { cacheTime: 0 })
    const candidateNumber = parent.number + 1n
    if (candidateNumber > head - BigInt(this.#p.confirmations)) return { origin: parent, advanced: false }
    const candidate = await this.#byNumber(candidateNumber)
    if (candidate.parentHash !== parent.hash)
      throw new L1OriginReorgError(`L1 block ${candidateNumber} does not extend the current L1 origin.`, {
        details: `its parent is ${candidate.parentHash}, the origin is ${parent.hash}`,
      })
    if (candidate.timestamp > l2Timestamp) return { origin: parent, advanced: false }
    return { origin: candidate, advanced: true }
  }

  /** Whether `origin` lags `l2Timestamp` by more than the max sequencer drift. */
  drifted(origin: L1OriginBlock, l2Timestamp: bigint): boolean {
    const drift = this.#p.maxSequencerDrift
    return drift !== undefined && l2Timestamp > origin.timestamp + BigInt(drift)
  }

  /** The block at `number` on the RPC's current chain (asked every time: numbers can be reorged). */
  async #byNumber(number: bigint): Promise<L1OriginBlock> {
    const block = await getBlock(this.#p.l1, { blockNumber: number })
    return this.byHash(block.hash as Hex)
  }

  #remember(block: L1OriginBlock): L1OriginBlock {
    this.#cache.set(block.hash, block)
    if (this.#cache.size > 64) this.#cache.delete(this.#cache.keys().next().value as Hex)
    return block
  }
}

function toOrigin(h: BlockHeader, rlp: Hex): L1OriginBlock {
  return {
    number: h.number,
    hash: h.hash.toLowerCase() as Hex,
    parentHash: h.parentHash.toLowerCase() as Hex,
    timestamp: h.timestamp,
    stateRoot: h.stateRoot,
    baseFee: h.baseFeePerGas ?? 0n,
    blobBaseFee: blobBaseFee(h.excessBlobGas ?? 0n),
    rlp,
  }
}
