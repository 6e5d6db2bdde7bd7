import type { Common } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { type Address, bytesToBigInt, bytesToHex } from '@ethereumjs/util'
import type { Hex } from 'viem'
import { KeystoreTxRejectedError } from './errors.js'
import { sharedTxCommon } from './vmTuning.js'

/** What the mempool needs to know about the head state to admit a transaction. */
export type MempoolStateReader = {
  getAccount(address: Address): Promise<{ nonce: bigint; balance: bigint }>
  /**
   * Identifies the state `getAccount` reads (the node's head). When the head may move while an
   * account is read (admission runs beside block production), the read is repeated until the
   * version did not change across it, so the account and the pool's pending counts (updated in
   * the same synchronous step as the head) are checked together.
   */
  version?: (() => unknown) | undefined
}

export type MempoolParameters = {
  common: Common
  /** Lower-case `to` addresses accepted (the keystore predeploys). */
  allowedRecipients: readonly Hex[]
  /** Raw (RLP) size limit, bytes. */
  maxTxBytes: number
  /** Block gas limit: a tx asking for more can never be included. */
  blockGasLimit: bigint
}

export type PendingTx = {
  tx: TypedTransaction
  hash: Hex
  sender: Hex
  raw: Uint8Array
  /** Key of its entry in the node's durable pool journal (set by the node). */
  journalKey?: string | undefined
  /** Its journal entry is on disk (set by the node): only such transactions go into blocks. */
  durable?: boolean | undefined
}

/**
 * Action-specific mempool. Admission rules, in order: size, type (0/1/2), chain id, signature,
 * recipient allow-list, intrinsic gas, block gas limit, nonce, balance. Nonce policy: the nonce
 * must equal the sender's next nonce (state nonce + its pending txs); a gap is REJECTED
 * (`nonce-gap`), not queued, so the pool never holds unexecutable transactions.
 */
export class Mempool {
  readonly #p: MempoolParameters
  readonly #allowed: Set<string>
  /** Decodes transactions without copying the Common per transaction. */
  readonly #txCommon: Common
  /** Insertion order = inclusion order; per sender nonces are contiguous. */
  readonly #pending = new Map<Hex, PendingTx>()
  /** Per sender: pending count and total upfront cost (admission is O(1) in the pool size). */
  readonly #bySender = new Map<Hex, { count: bigint; cost: bigint }>()

  constructor(parameters: MempoolParameters) {
    this.#p = parameters
    this.#allowed = new Set(parameters.allowedRecipients.map((a) => a.toLowerCase()))
    this.#txCommon = sharedTxCommon(parameters.common)
  }

  get size(): number {
    return this.#pending.size
  }

  has(hash: Hex): boolean {
    return this.#pending.has(hash)
  }

  get(hash: Hex): PendingTx | undefined {
    return this.#pending.get(hash)
  }

  /** Pending transactions, oldest first. */
  list(): PendingTx[] {
    return [...this.#pending.values()]
  }

  /** Removes transactions (included or dropped). */
  remove(hashes: Iterable<Hex>): void {
    for (const h of hashes) {
      const entry = this.#pending.get(h)
      if (!entry) continue
      this.#pending.delete(h)
      const s = this.#bySender.get(entry.sender)
      if (!s) continue
      s.count--
      s.cost -= entry.tx.getUpfrontCost()
      if (s.count === 0n) this.#bySender.delete(entry.sender)
    }
  }

  /** Pending txs (count, total upfront cost) from `sender`. */
  #pendingOf(sender: Hex): { count: bigint; cost: bigint } {
    return this.#bySender.get(sender) ?? { count: 0n, cost: 0n }
  }

  /** Number of pending txs from `sender` (lower-case address). */
  pendingCount(sender: Hex): bigint {
    return this.#pendingOf(sender).count
  }

  /**
   * Validates a raw signed transaction against `state` (the head) and adds it.
   * @throws {KeystoreTxRejectedError} with a specific `reason`; nothing is changed then.
   */
  async add(raw: Uint8Array, state: MempoolStateReader, baseFee: bigint): Promise<PendingTx> {
    const reject = (reason: ConstructorParameters<typeof KeystoreTxRejectedError>[0], details: string) => {
      throw new KeystoreTxRejectedError(reason, details, bytesToHex(raw))
    }
    if (raw.length > this.#p.maxTxBytes)
      reject('oversized', `${raw.length} bytes exceeds the ${this.#p.maxTxBytes}-byte limit`)
    if (raw.length === 0) reject('malformed', 'empty transaction')
    const chainId = this.#chainIdOf(raw)
    const expected = this.#p.common.chainId()
    if (chainId === undefined)
      reject('wrong-chain-id', 'replay-unprotected (pre-EIP-155) transactions are refused')
    if (chainId !== expected) reject('wrong-chain-id', `chain id ${chainId}, this chain is ${expected}`)

    let tx: TypedTransaction
    try {
      tx = createTxFromRLP(raw, { common: this.#txCommon })
    } catch (error) {
      const message = (error as Error).message
      if (/signature|s-value|v-value/i.test(message))
        reject('bad-signature', message.split('\n')[0] ?? message)
      return reject('malformed', message.split('\n')[0] ?? message)
    }
    if (tx.type > 2) reject('unsupported-type', `transaction type ${tx.type} is not accepted`)
    let sender: Hex
    let senderAddress: Address
    try {
      if (!tx.isSigned() || !tx.verifySignature()) throw new Error('signature does not verify')
      senderAddress = tx.getSenderAddress()
      sender = senderAddress.toString() as Hex
    } catch (error) {
      return reject('bad-signature', (error as Error).message.split('\n')[0] ?? 'invalid signature')
    }
    if (tx.to === undefined)
      reject('contract-creation', 'contract creation is not allowed on the keystore chain')
    const to = tx.to?.toString().toLowerCase() as Hex
    if (!this.#allowed.has(to)) reject('recipient-not-allowed', `${to} is not a keystore predeploy`)
    const intrinsic = tx.getIntrinsicGas()
    if (tx.gasLimit < intrinsic)
      reject('intrinsic-gas-too-low', `gas ${tx.gasLimit} < intrinsic ${intrinsic}`)
    if (tx.gasLimit > this.#p.blockGasLimit)
      reject('gas-limit-too-high', `gas ${tx.gasLimit} > block gas limit ${this.#p.blockGasLimit}`)
    const maxFee = 'maxFeePerGas' in tx ? tx.maxFeePerGas : (tx as { gasPrice: bigint }).gasPrice
    if (maxFee < baseFee) reject('fee-too-low', `max fee per gas ${maxFee} < base fee ${baseFee}`)

    const hash = bytesToHex(tx.hash()) as Hex
    if (this.#pending.has(hash)) reject('already-known', `${hash} is already pending`)
    let account: { nonce: bigint; balance: bigint }
    let version: unknown
    do {
      version = state.version?.()
      account = await state.getAccount(senderAddress)
    } while (state.version && state.version() !== version)
    // From here on synchronous: the pool and the state read are consistent.
    const pending = this.#pendingOf(sender)
    const next = account.nonce + pending.count
    if (tx.nonce < next) reject('nonce-too-low', `nonce ${tx.nonce}, next nonce for ${sender} is ${next}`)
    if (tx.nonce > next)
      reject('nonce-gap', `nonce ${tx.nonce}, next nonce for ${sender} is ${next} (gaps are not queued)`)
    const cost = tx.getUpfrontCost()
    if (account.balance - pending.cost < cost)
      reject(
        'insufficient-balance',
        `upfront cost ${cost} > available ${account.balance - pending.cost} of ${sender}`,
      )

    const entry: PendingTx = { tx, hash, sender, raw }
    this.#pending.set(hash, entry)
    this.#bySender.set(sender, { count: pending.count + 1n, cost: pending.cost + cost })
    return entry
  }

  /** Chain id from the raw envelope, before full decoding (undefined: legacy without EIP-155). */
  #chainIdOf(raw: Uint8Array): bigint | undefined {
    try {
      const first = raw[0] as number
      if (first <= 0x7f) {
        const fields = RLP.decode(raw.subarray(1)) as Uint8Array[]
        return bytesToBigInt(fields[0] as Uint8Array)
      }
      const fields = RLP.decode(raw) as Uint8Array[]
      const v = bytesToBigInt(fields[6] as Uint8Array)
      return v >= 35n ? (v - 35n) / 2n : undefined
    } catch (error) {
      throw new KeystoreTxRejectedError(
        'malformed',
        `not an RLP transaction: ${(error as Error).message}`,
        bytesToHex(raw),
      )
    }
  }
}
