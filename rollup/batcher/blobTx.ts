/**
 * Sending EIP-4844 (type-3) transactions that carry blobs, one at a time from one key: the
 * counterpart of `TxSender` for blob batches. viem signs the transaction; the network wrapper
 * (blobs, commitments and proofs, which are not part of the signed transaction) is built here
 * because viem 2.57 only builds the version-0 wrapper, and Osaka-era mempools want version 1:
 *
 * - version 0 (EIP-4844): `0x03 ‖ rlp([tx, blobs, commitments, blobProofs])`
 * - version 1 (EIP-7594): `0x03 ‖ rlp([tx, 1, blobs, commitments, cellProofs])`, 128 cell proofs per blob
 *
 * where `tx` is the list of the signed transaction's fields; its hash is keccak256(0x03 ‖ rlp(tx))
 * either way. anvil 1.7.1 (hardfork Bpo1) takes both.
 */
import {
  type Address,
  bytesToHex,
  type Chain,
  type Client,
  commitmentToVersionedHash,
  concatHex,
  fromRlp,
  type Hash,
  type Hex,
  keccak256,
  type LocalAccount,
  type TransactionReceipt,
  type Transport,
  toRlp,
  WaitForTransactionReceiptTimeoutError,
} from 'viem'
import {
  estimateFeesPerGas,
  getBlobBaseFee,
  getChainId,
  getTransactionCount,
  getTransactionReceipt,
  sendRawTransaction,
  waitForTransactionReceipt,
} from 'viem/actions'
import { RollupError, shortMessageOf } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { NonceConflictError, TxTimeoutError } from '../shared/txSender.js'
import { MAX_BLOBS_PER_TX } from './blobs.js'
import { type BlobKzg, sharedKzg } from './kzg.js'

/** Network wrapper version: 0 = blob proofs (Cancun–Prague), 1 = cell proofs (Osaka on). */
export type BlobSidecarVersion = 0 | 1

export type BlobTxSenderParameters = {
  client: Client<Transport, Chain | undefined>
  /** A local account: the wrapper is built around a transaction signed here. */
  account: LocalAccount
  /** Default 1 (cell proofs), what Osaka-era mempools accept; 0 for Cancun/Prague networks. */
  sidecarVersion?: BlobSidecarVersion | undefined
  /** Upper bound on the blob fee bid (wei per blob gas). Default none. */
  maxFeePerBlobGas?: bigint | undefined
  kzg?: BlobKzg | undefined
  /** How long to wait for a receipt before re-sending. Default 30 s. */
  timeoutMs?: number | undefined
  /** Sends before giving up. Default 5. */
  maxSends?: number | undefined
  confirmations?: number | undefined
  pollingIntervalMs?: number | undefined
  logger?: Logger | undefined
}

/** The blob base fee is above `maxFeePerBlobGas`: the transaction could not be included. */
export class BlobFeeTooHighError extends RollupError {
  override name = 'BlobFeeTooHighError'
}

/** A blob with its commitment and proofs, ready for the network wrapper. */
export type BlobSidecar = { blob: Hex; commitment: Hex; proofs: Hex[] }

const IGNORABLE = /already known|already imported|known transaction/i

/**
 * The commitments, versioned hashes and proofs of `blobs` (the expensive part: ~0.1–0.5 s per blob
 * for version 0, ~1–3 s for version 1's cell proofs, in the KZG worker).
 *
 * @example
 * const { versionedHashes, sidecars } = await prepareBlobs(blobs, 1, sharedKzg())
 */
export async function prepareBlobs(
  blobs: readonly Uint8Array[],
  version: BlobSidecarVersion,
  kzg: BlobKzg,
): Promise<{ versionedHashes: Hex[]; sidecars: BlobSidecar[] }> {
  const sidecars: BlobSidecar[] = []
  for (const blob of blobs) {
    const commitment = await kzg.blobToCommitment(blob)
    const proofs =
      version === 0 ? [await kzg.computeBlobProof(blob, commitment)] : await kzg.computeCellProofs(blob)
    sidecars.push({ blob: bytesToHex(blob), commitment, proofs })
  }
  return {
    versionedHashes: sidecars.map((s) => commitmentToVersionedHash({ commitment: s.commitment, version: 1 })),
    sidecars,
  }
}

/**
 * Wraps a signed type-3 transaction (`0x03 ‖ rlp(tx)`) with its sidecars for `eth_sendRawTransaction`.
 *
 * @example
 * const raw = wrapBlobTransaction(await account.signTransaction(tx), sidecars, 1)
 */
export function wrapBlobTransaction(signed: Hex, sidecars: BlobSidecar[], version: BlobSidecarVersion): Hex {
  if (!signed.startsWith('0x03')) throw new RollupError('Not a signed type-3 transaction.', { input: signed })
  const fields = fromRlp(`0x${signed.slice(4)}`, 'hex')
  const blobs = sidecars.map((s) => s.blob)
  const commitments = sidecars.map((s) => s.commitment)
  const proofs = sidecars.flatMap((s) => s.proofs)
  const body =
    version === 0 ? [fields, blobs, commitments, proofs] : [fields, '0x01' as Hex, blobs, commitments, proofs]
  return concatHex(['0x03', toRlp(body as Parameters<typeof toRlp>[0])])
}

/**
 * Sends blob transactions one at a time: the next is signed only after the previous has a receipt.
 * The blob fee bid is twice the current blob base fee (capped by `maxFeePerBlobGas`); a
 * transaction without a receipt after `timeoutMs` is re-sent with all fees doubled (blob pools
 * want a 100% bump to replace). Nonces come from the chain (no memory across restarts).
 *
 * @example
 * const sender = new BlobTxSender({ client: l1, account })
 * const receipt = await sender.send({ to: BATCH_INBOX_ADDRESS, blobs: encodeBlobPayload(frame) })
 */
export class BlobTxSender {
  readonly address: Address
  readonly #p: BlobTxSenderParameters
  readonly #log: Logger
  #queue: Promise<unknown> = Promise.resolve()
  #chainId: number | undefined

  constructor(parameters: BlobTxSenderParameters) {
    this.#p = parameters
    this.address = parameters.account.address
    this.#log = parameters.logger ?? silentLogger
  }

  /**
   * Sends one blob transaction (no calldata, 21,000 gas) and resolves with its receipt.
   *
   * @throws {@link BlobFeeTooHighError}, {@link TxTimeoutError}, {@link NonceConflictError}, RPC errors.
   */
  send(
    request: { to: Address; blobs: readonly Uint8Array[] },
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<TransactionReceipt> {
    const run = this.#queue.then(() => this.#sendNow(request, options.signal))
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #sendNow(
    request: { to: Address; blobs: readonly Uint8Array[] },
    signal: AbortSignal | undefined,
  ): Promise<TransactionReceipt> {
    const { client, account } = this.#p
    if (request.blobs.length === 0 || request.blobs.length > MAX_BLOBS_PER_TX)
      throw new RollupError(
        `A blob transaction carries 1..${MAX_BLOBS_PER_TX} blobs, not ${request.blobs.length}.`,
      )
    const cap = this.#p.maxFeePerBlobGas
    const blobBaseFee = await getBlobBaseFee(client)
    if (cap !== undefined && blobBaseFee > cap)
      throw new BlobFeeTooHighError(`The blob base fee ${blobBaseFee} is above maxFeePerBlobGas ${cap}.`, {
        details: 'waiting for blob fees to come down (or raise maxFeePerBlobGas, or post as calldata)',
      })
    const version = this.#p.sidecarVersion ?? 1
    const { versionedHashes, sidecars } = await prepareBlobs(
      request.blobs,
      version,
      this.#p.kzg ?? sharedKzg(),
    )
    signal?.throwIfAborted()
    this.#chainId ??= client.chain?.id ?? (await getChainId(client))
    const nonce = await getTransactionCount(client, { address: this.address, blockTag: 'pending' })
    let { maxFeePerGas, maxPriorityFeePerGas } = await estimateFeesPerGas(client)
    let maxFeePerBlobGas = min(blobBaseFee * 2n > 0n ? blobBaseFee * 2n : 1n, cap)
    const timeoutMs = this.#p.timeoutMs ?? 30_000
    const maxSends = this.#p.maxSends ?? 5
    const hashes: Hash[] = []
    for (let send = 0; send < maxSends; send++) {
      signal?.throwIfAborted()
      if (send > 0) {
        maxFeePerGas *= 2n
        maxPriorityFeePerGas *= 2n
        maxFeePerBlobGas = min(maxFeePerBlobGas * 2n, cap)
      }
      const signed = await account.signTransaction({
        type: 'eip4844',
        chainId: this.#chainId,
        nonce,
        to: request.to,
        value: 0n,
        data: '0x',
        gas: 21_000n,
        maxFeePerGas,
        maxPriorityFeePerGas,
        maxFeePerBlobGas,
        blobVersionedHashes: versionedHashes,
      })
      const hash = keccak256(signed)
      try {
        await sendRawTransaction(client, {
          serializedTransaction: wrapBlobTransaction(signed, sidecars, version),
        })
      } catch (error) {
        const message = `${shortMessageOf(error)} ${(error as Error).message ?? ''}`
        if (/nonce too low/i.test(message)) {
          const mined = await this.#findReceipt(hashes)
          if (mined) return mined
          throw new NonceConflictError({
            sender: this.address,
            nonce,
            request: { to: request.to, data: '0x' },
          })
        }
        if (!IGNORABLE.test(message)) throw error
      }
      if (!hashes.includes(hash)) hashes.push(hash)
      try {
        return await abortable(
          waitForTransactionReceipt(client, {
            hash,
            timeout: timeoutMs,
            confirmations: (this.#p.confirmations ?? 0) + 1,
            pollingInterval: this.#p.pollingIntervalMs ?? 100,
          }),
          signal,
        )
      } catch (error) {
        if (!(error instanceof WaitForTransactionReceiptTimeoutError)) throw error
        const mined = await this.#findReceipt(hashes)
        if (mined) return mined
        this.#log.warn('blob transaction not included in time, re-sending', { nonce, hash, send: send + 1 })
      }
    }
    throw new TxTimeoutError({ hashes, sends: maxSends, timeoutMs, request: { to: request.to, data: '0x' } })
  }

  async #findReceipt(hashes: Hash[]): Promise<TransactionReceipt | undefined> {
    for (const hash of hashes) {
      try {
        return await getTransactionReceipt(this.#p.client, { hash })
      } catch {
        // not mined (yet)
      }
    }
    return undefined
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

function min(a: bigint, b: bigint | undefined): bigint {
  return b !== undefined && b < a ? b : a
}
