import {
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hash,
  type Hex,
  type TransactionReceipt,
  type Transport,
  WaitForTransactionReceiptTimeoutError,
} from 'viem'
import {
  estimateFeesPerGas,
  estimateGas,
  getTransactionCount,
  getTransactionReceipt,
  sendTransaction,
  waitForTransactionReceipt,
} from 'viem/actions'
import { RollupError, shortMessageOf } from './errors.js'
import { type Logger, silentLogger } from './logger.js'

export type TxRequest = {
  to: Address
  data: Hex
  value?: bigint | undefined
  /** Gas limit; estimated (+20%) when omitted. */
  gas?: bigint | undefined
  /** Fee overrides (default: the node's estimate). */
  maxFeePerGas?: bigint | undefined
  maxPriorityFeePerGas?: bigint | undefined
}

export type TxSenderParameters = {
  client: Client<Transport, Chain | undefined>
  /** A local account (signs here) or an address the node signs for (anvil impersonation). */
  account: Account | Address
  /** How long to wait for a receipt before re-sending. Default 15 s. */
  timeoutMs?: number | undefined
  /** Sends (the first plus re-sends) before giving up. Default 5. */
  maxSends?: number | undefined
  /** Blocks on top of the inclusion block before a receipt counts. Default 0. */
  confirmations?: number | undefined
  pollingIntervalMs?: number | undefined
  logger?: Logger | undefined
}

export class TxTimeoutError extends RollupError {
  override name = 'TxTimeoutError'
  constructor(parameters: { hashes: Hash[]; sends: number; timeoutMs: number; request: TxRequest }) {
    super('Transaction was not included.', {
      details: `${parameters.sends} sends, ${parameters.timeoutMs} ms each; hashes ${parameters.hashes.join(', ')}`,
      input: parameters.request,
    })
  }
}

export class NonceConflictError extends RollupError {
  override name = 'NonceConflictError'
  constructor(parameters: { sender: Address; nonce: number; request: TxRequest }) {
    super(`Nonce ${parameters.nonce} of ${parameters.sender} was used by another transaction.`, {
      details: 'another process is sending from the same key; give each service its own key',
      input: parameters.request,
    })
  }
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}

const IGNORABLE_SEND_ERRORS =
  /already known|already imported|known transaction|replacement transaction underpriced/i

/**
 * Sends transactions from one key on one chain strictly one at a time: the next transaction is
 * signed only after the previous one has a receipt. A transaction without a receipt after
 * `timeoutMs` is re-sent (anvil occasionally drops queued transactions); from the third send on,
 * fees go up 25% per send so a real network's mempool accepts the replacement. The nonce is read
 * from the chain for every transaction, so a restarted service needs no memory.
 *
 * @example
 * const sender = new TxSender({ client, account: privateKeyToAccount(key) })
 * const receipt = await sender.send({ to, data })
 */
export class TxSender {
  readonly address: Address
  private readonly parameters: TxSenderParameters
  private readonly logger: Logger
  private queue: Promise<unknown> = Promise.resolve()

  constructor(parameters: TxSenderParameters) {
    this.parameters = parameters
    this.address = typeof parameters.account === 'string' ? parameters.account : parameters.account.address
    this.logger = parameters.logger ?? silentLogger
  }

  /**
   * Sends one transaction and resolves with its receipt (also when it reverted: check `status`).
   *
   * @param request to, data, optional value and gas.
   * @returns The receipt.
   */
  send(request: TxRequest, options: { signal?: AbortSignal | undefined } = {}): Promise<TransactionReceipt> {
    const run = this.queue.then(() => this.sendNow(request, options.signal))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async sendNow(request: TxRequest, signal: AbortSignal | undefined): Promise<TransactionReceipt> {
    const { client, account } = this.parameters
    signal?.throwIfAborted()
    const timeoutMs = this.parameters.timeoutMs ?? 15_000
    const maxSends = this.parameters.maxSends ?? 5
    const gas =
      request.gas ??
      ((await estimateGas(client, { account, to: request.to, data: request.data, value: request.value })) *
        12n) /
        10n
    const nonce = await getTransactionCount(client, { address: this.address, blockTag: 'pending' })
    const fees =
      request.maxFeePerGas !== undefined && request.maxPriorityFeePerGas !== undefined
        ? { maxFeePerGas: request.maxFeePerGas, maxPriorityFeePerGas: request.maxPriorityFeePerGas }
        : await estimateFeesPerGas(client)
    let maxFeePerGas = fees.maxFeePerGas
    let maxPriorityFeePerGas = fees.maxPriorityFeePerGas
    const hashes: Hash[] = []
    for (let send = 0; send < maxSends; send++) {
      signal?.throwIfAborted()
      if (send >= 2) {
        maxFeePerGas = (maxFeePerGas * 125n) / 100n + 1n
        maxPriorityFeePerGas = (maxPriorityFeePerGas * 125n) / 100n + 1n
      }
      try {
        const hash = await sendTransaction(client, {
          account,
          chain: client.chain ?? null,
          to: request.to,
          data: request.data,
          value: request.value,
          gas,
          nonce,
          maxFeePerGas,
          maxPriorityFeePerGas,
        })
        if (!hashes.includes(hash)) hashes.push(hash)
      } catch (error) {
        const message = `${shortMessageOf(error)} ${(error as Error).message ?? ''}`
        if (/nonce too low/i.test(message)) {
          const mined = await this.findReceipt(hashes)
          if (mined) return mined
          throw new NonceConflictError({ sender: this.address, nonce, request })
        }
        if (!IGNORABLE_SEND_ERRORS.test(message)) throw error
        this.logger.debug('re-send answered as known', { nonce, error: shortMessageOf(error) })
      }
      const latest = hashes[hashes.length - 1]
      if (latest === undefined) continue
      try {
        return await abortable(
          waitForTransactionReceipt(client, {
            hash: latest,
            timeout: timeoutMs,
            confirmations: (this.parameters.confirmations ?? 0) + 1,
            pollingInterval: this.parameters.pollingIntervalMs ?? 100,
          }),
          signal,
        )
      } catch (error) {
        if (!(error instanceof WaitForTransactionReceiptTimeoutError)) throw error
        const mined = await this.findReceipt(hashes)
        if (mined) return mined
        this.logger.warn('transaction not included in time, re-sending', {
          nonce,
          hash: latest,
          send: send + 1,
        })
      }
    }
    throw new TxTimeoutError({ hashes, sends: maxSends, timeoutMs, request })
  }

  private async findReceipt(hashes: Hash[]): Promise<TransactionReceipt | undefined> {
    for (const hash of hashes) {
      try {
        return await getTransactionReceipt(this.parameters.client, { hash })
      } catch {
        // not mined (yet)
      }
    }
    return undefined
  }
}
