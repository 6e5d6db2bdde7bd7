import { RollupError } from '../shared/errors.js'

/** Why the mempool refused a transaction; also the JSON-RPC error's `data.reason`. */
export type KeystoreTxRejectReason =
  | 'contract-creation'
  | 'recipient-not-allowed'
  | 'malformed'
  | 'bad-signature'
  | 'wrong-chain-id'
  | 'nonce-too-low'
  | 'nonce-gap'
  | 'already-known'
  | 'insufficient-balance'
  | 'oversized'
  | 'intrinsic-gas-too-low'
  | 'gas-limit-too-high'
  | 'fee-too-low'
  | 'unsupported-type'

/**
 * Thrown by the mempool (and returned over JSON-RPC as code -32003) when a raw transaction is
 * refused. A rejected transaction changes nothing: no state, no pool entry.
 */
export class KeystoreTxRejectedError extends RollupError {
  override name = 'KeystoreTxRejectedError'
  readonly reason: KeystoreTxRejectReason
  constructor(reason: KeystoreTxRejectReason, details: string, input?: unknown) {
    super(`Transaction rejected: ${reason}`, { details, input })
    this.reason = reason
  }
}
export type KeystoreTxRejectedErrorType = KeystoreTxRejectedError

/** A JSON-RPC level error with its code (-32700 parse, -32600 request, -32601 method, -32602 params). */
export class JsonRpcError extends RollupError {
  override name = 'JsonRpcError'
  readonly code: number
  readonly data: unknown
  constructor(code: number, message: string, data?: unknown) {
    super(message, { input: data })
    this.code = code
    this.data = data
  }
}
export type JsonRpcErrorType = JsonRpcError

/** The node cannot open or continue (wrong data directory, stopped). */
export class KeystoreNodeError extends RollupError {
  override name = 'KeystoreNodeError'
}
export type KeystoreNodeErrorType = KeystoreNodeError
