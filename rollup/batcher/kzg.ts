/**
 * KZG for blob batches (commitments, blob proofs, EIP-7594 cell proofs), from `kzg-wasm` (c-kzg-4844
 * compiled to WASM, with the mainnet trusted setup) running in a worker thread.
 *
 * Why a worker: loading the trusted setup costs ~15–25 s of CPU on a 2-core machine, and a cell
 * proof ~1–3 s per blob; in the main thread that would freeze everything else in the process (the
 * node's sequencer and RPC when the batcher runs in-process). The worker loads once per process,
 * lazily, on the first call; the process does not wait for it to exit.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { commitmentToVersionedHash, type Hex } from 'viem'
import { RollupError } from '../shared/errors.js'

/** What the batcher (commit, prove) and the reader (commit, to check versioned hashes) need. */
export type BlobKzg = {
  /** The 48-byte KZG commitment of a blob. Rejects for a blob that is not valid (size, field elements). */
  blobToCommitment(blob: Uint8Array): Promise<Hex>
  /** The EIP-4844 blob proof (network wrapper version 0, before Osaka). */
  computeBlobProof(blob: Uint8Array, commitment: Hex): Promise<Hex>
  /** The 128 EIP-7594 cell proofs (network wrapper version 1, Osaka on). */
  computeCellProofs(blob: Uint8Array): Promise<Hex[]>
}

export class KzgError extends RollupError {
  override name = 'KzgError'
}

/** Runs in the worker: CommonJS, so it needs no TypeScript loader. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const ready = require(workerData.kzgPath).loadKZG()
const hex = (bytes) => '0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
parentPort.on('message', async ({ id, op, blob, commitment }) => {
  try {
    const kzg = await ready
    let result
    if (op === 'commit') result = kzg.blobToKZGCommitment(hex(blob)).toLowerCase()
    else if (op === 'blobProof') result = kzg.computeBlobKZGProof(hex(blob), commitment).toLowerCase()
    else if (op === 'cellProofs') result = kzg.computeCellsAndKZGProofs(hex(blob)).proofs.map((p) => p.toLowerCase())
    else throw new Error('unknown op ' + op)
    parentPort.postMessage({ id, result })
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) })
  }
})
`

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void }

/**
 * A {@link BlobKzg} backed by its own worker thread. Most callers want {@link sharedKzg}.
 *
 * @example
 * const kzg = createKzgWorker()
 * const commitment = await kzg.blobToCommitment(blob)
 * await kzg.close()
 */
export function createKzgWorker(): BlobKzg & { close(): Promise<void> } {
  let worker: Worker | undefined
  let nextId = 0
  const pending = new Map<number, Pending>()
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error)
    pending.clear()
    worker = undefined
  }
  const start = (): Worker => {
    const kzgPath = createRequire(import.meta.url).resolve('kzg-wasm')
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { kzgPath } })
    w.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = pending.get(m.id)
      if (!p) return
      pending.delete(m.id)
      if (pending.size === 0) w.unref()
      if (m.error !== undefined) p.reject(new KzgError(`KZG failed: ${m.error}.`))
      else p.resolve(m.result)
    })
    w.on('error', (error) => failAll(new KzgError('The KZG worker crashed.', { cause: error })))
    w.on('exit', (code) => {
      if (worker === w) failAll(new KzgError(`The KZG worker exited (code ${code}).`))
    })
    w.unref()
    return w
  }
  const call = <T>(op: string, blob: Uint8Array, commitment?: Hex): Promise<T> => {
    worker ??= start()
    const w = worker
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      w.ref() // a pending answer keeps the process alive
      w.postMessage({ id, op, blob, commitment })
    })
  }
  return {
    blobToCommitment: (blob) => call<Hex>('commit', blob),
    computeBlobProof: (blob, commitment) => call<Hex>('blobProof', blob, commitment),
    computeCellProofs: (blob) => call<Hex[]>('cellProofs', blob),
    close: async () => {
      const w = worker
      worker = undefined
      failAll(new KzgError('The KZG worker was closed.'))
      await w?.terminate()
    },
  }
}

let shared: ReturnType<typeof createKzgWorker> | undefined

/**
 * The process-wide KZG worker (started on first use, loads the trusted setup once).
 *
 * @example
 * const versionedHash = await versionedHashOf(blob, sharedKzg())
 */
export function sharedKzg(): BlobKzg {
  shared ??= createKzgWorker()
  return shared
}

/**
 * The EIP-4844 versioned hash of a blob: `0x01 ‖ sha256(commitment)[1..32]`.
 *
 * @example
 * (await versionedHashOf(blob, sharedKzg())) === tx.blobVersionedHashes[0]
 */
export async function versionedHashOf(blob: Uint8Array, kzg: BlobKzg): Promise<Hex> {
  const commitment = await kzg.blobToCommitment(blob)
  return commitmentToVersionedHash({ commitment, version: 1 })
}
