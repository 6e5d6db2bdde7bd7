import { RollupError } from '../shared/errors.js'

/** Why a deposit (a `TransactionDeposited` log or an encoded 0x7e transaction) was refused. */
export type DepositDecodeReason =
  | 'wrong-topic-count'
  | 'wrong-event'
  | 'removed-log'
  | 'bad-log-data'
  | 'unsupported-version'
  | 'short-opaque-data'
  | 'bad-encoding'
  | 'bad-field'

export class DepositDecodeError extends RollupError {
  override name = 'DepositDecodeError'
  readonly reason: DepositDecodeReason
  constructor(
    reason: DepositDecodeReason,
    shortMessage: string,
    parameters: { details?: string | undefined; input?: unknown; cause?: unknown } = {},
  ) {
    super(shortMessage, parameters)
    this.reason = reason
  }
}

/** Why the deposits of an L1 block could not be fetched (the RPC answered something unusable or untrue). */
export type DepositFetchReason =
  | 'block-not-found'
  | 'header-mismatch'
  | 'receipts-mismatch'
  | 'inconsistent-response'
  | 'malformed-deposit'

export class DepositFetchError extends RollupError {
  override name = 'DepositFetchError'
  readonly reason: DepositFetchReason
  constructor(
    reason: DepositFetchReason,
    shortMessage: string,
    parameters: { details?: string | undefined; input?: unknown; cause?: unknown } = {},
  ) {
    super(shortMessage, parameters)
    this.reason = reason
  }
}
