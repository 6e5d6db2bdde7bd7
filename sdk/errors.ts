import { BaseError } from 'viem'

/** A key's cached value on the L2 is from a newer L1 block than the one being synced. */
export class SyncStaleBlockError extends BaseError {
  override name = 'SyncStaleBlockError'
  constructor(args: { key: string; cachedBlock: bigint; l1BlockNumber: bigint }) {
    super(
      `Key ${args.key} is already cached from L1 block ${args.cachedBlock}, newer than ${args.l1BlockNumber}.`,
      {
        metaMessages: ['A newer L1 block supersedes an older one, never the reverse.'],
      },
    )
  }
}

/** The sync transaction was mined but reverted. */
export class SyncTransactionRevertedError extends BaseError {
  override name = 'SyncTransactionRevertedError'
  constructor(args: { transactionHash: string }) {
    super(`The sync transaction ${args.transactionHash} reverted.`)
  }
}

/** The L2's L1Blocks has no header at or after the wanted L1 block yet. */
export class L1BlockNotAvailableError extends BaseError {
  override name = 'L1BlockNotAvailableError'
  constructor(args: { l1BlockNumber: bigint; latest: bigint; timeoutMs: number }) {
    super(
      `L1 block ${args.l1BlockNumber} did not reach L1Blocks within ${args.timeoutMs} ms (latest ${args.latest}).`,
      {
        metaMessages: ['Is the header feeder running, and is the L2 following L1?'],
      },
    )
  }
}
