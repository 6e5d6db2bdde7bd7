/**
 * Where a reader gets the blobs of a batch transaction, and how it checks them.
 *
 * Trust model: the L1 execution RPC gives the transaction and its `blobVersionedHashes` (trusted
 * for L1 data, like everything else the reader takes from L1). Blobs themselves are NOT in the
 * execution chain: they come from a blob source (anvil's RPC, a beacon node, an archive), and the
 * source is untrusted for content. Every blob is checked before it is decoded:
 * `0x01 ‖ sha256(blobToKZGCommitment(blob))[1..32]` must equal the transaction's versioned hash,
 * which L1 consensus fixed. A KZG commitment binds its blob, so a source can withhold blobs
 * (`BlobUnavailableError`) but cannot make the reader decode other data (`BlobMismatchError`).
 * Neither is a verdict on the batch: the reader stops at that L1 block and retries, it never
 * skips, so a lying or pruned source can stall a reader but not fork it.
 *
 * Availability: consensus clients keep blobs for 4096 epochs (~18 days). A verifier that falls
 * further behind needs an archive (a beacon node with `--supernode`/blob archiving, or a
 * blob archive service) behind a {@link BlobSource}.
 */
import { type Client, type Hex, hexToBytes, isHex } from 'viem'
import { RollupError } from '../shared/errors.js'
import { BYTES_PER_BLOB } from './blobs.js'
import { BlobMismatchError, BlobUnavailableError } from './errors.js'
import { type BlobKzg, sharedKzg, versionedHashOf } from './kzg.js'

/** The blob transaction whose blobs are wanted, and its L1 block. */
export type BlobRequest = {
  txHash: Hex
  /** The transaction's `blobVersionedHashes`, in order. */
  versionedHashes: readonly Hex[]
  blockNumber: bigint
  blockHash: Hex
  /** Seconds (the beacon source derives the slot from it). */
  blockTimestamp: bigint
}

/**
 * Serves blobs (untrusted: the reader verifies them). May answer the transaction's blobs in any
 * order, or more blobs than asked (e.g. all blobs of the block); an empty answer means "not
 * available".
 *
 * @example
 * const source: BlobSource = { getBlobs: async ({ versionedHashes }) => versionedHashes.map((h) => archive.get(h)) }
 */
export type BlobSource = {
  getBlobs(request: BlobRequest): Promise<readonly (Hex | Uint8Array)[]>
}

/** A blob source answered an error (HTTP status, JSON-RPC error, malformed body): transient, retried. */
export class BlobSourceError extends RollupError {
  override name = 'BlobSourceError'
}

/** Served blobs at most per request (a block holds ≤ 21 on BPO2; more is a source wasting our CPU). */
const MAX_SERVED_BLOBS = 128

/**
 * Fetches a transaction's blobs from `source` and verifies each against its versioned hash.
 *
 * @param source any {@link BlobSource}.
 * @param request the transaction (its versioned hashes come from the L1 RPC, not the source).
 * @param kzg default {@link sharedKzg}.
 * @returns The blobs in the transaction's order, each verified.
 * @throws {@link BlobUnavailableError} when the source has none of them; {@link BlobMismatchError}
 *   when a versioned hash has no matching served blob (a tampered, different or invalid blob);
 *   {@link BlobSourceError} for transport errors.
 * @example
 * const blobs = await getVerifiedBlobs(createRpcBlobSource({ client: l1 }), { txHash, versionedHashes, ... })
 */
export async function getVerifiedBlobs(
  source: BlobSource,
  request: BlobRequest,
  kzg: BlobKzg = sharedKzg(),
): Promise<Uint8Array[]> {
  const { txHash } = request
  const expected = request.versionedHashes.map((h) => h.toLowerCase() as Hex)
  if (expected.length === 0)
    throw new BlobMismatchError('A blob transaction without versioned hashes.', { txHash })
  const served = await source.getBlobs(request)
  if (served.length === 0)
    throw new BlobUnavailableError(`The blob source has no blobs for ${txHash}.`, {
      txHash,
      details: `block ${request.blockNumber}; blobs are pruned ~18 days after inclusion`,
    })
  if (served.length > MAX_SERVED_BLOBS)
    throw new BlobMismatchError(`The blob source served ${served.length} blobs for one transaction.`, {
      txHash,
    })
  const byHash = new Map<Hex, Uint8Array>()
  const refused: string[] = []
  const wanted = new Set(expected)
  for (const [i, raw] of served.entries()) {
    if ([...wanted].every((h) => byHash.has(h))) break // the rest (e.g. other txs' blobs) is not ours
    const blob = typeof raw === 'string' ? (isHex(raw) ? hexToBytes(raw) : undefined) : raw
    if (!blob || blob.length !== BYTES_PER_BLOB) {
      refused.push(`#${i}: not a ${BYTES_PER_BLOB}-byte blob`)
      continue
    }
    try {
      byHash.set(await versionedHashOf(blob, kzg), blob)
    } catch (error) {
      refused.push(`#${i}: ${(error as Error).message}`) // e.g. a field element ≥ the BLS modulus
    }
  }
  return expected.map((hash, index) => {
    const blob = byHash.get(hash)
    if (!blob)
      throw new BlobMismatchError(`Blob ${index} of ${txHash} does not match its versioned hash.`, {
        txHash,
        index,
        details: `expected ${hash}; the source served ${served.length} blob(s) hashing to ${
          [...byHash.keys()].join(', ') || 'nothing valid'
        }${refused.length ? `; refused ${refused.join('; ')}` : ''}`,
      })
    return blob
  })
}

/**
 * Blobs from an execution RPC that keeps them: anvil's `anvil_getBlobsByTransactionHash` (the
 * devnet). A real execution client drops blobs once the transaction is mined; use
 * {@link createBeaconBlobSource} there.
 *
 * @example
 * const source = createRpcBlobSource({ client: l1 })
 */
export function createRpcBlobSource(parameters: { client: Client }): BlobSource {
  return {
    async getBlobs({ txHash }) {
      let result: unknown
      try {
        result = await parameters.client.request({
          method: 'anvil_getBlobsByTransactionHash' as never,
          params: [txHash] as never,
        })
      } catch (error) {
        throw new BlobSourceError('anvil_getBlobsByTransactionHash failed.', { cause: error, input: txHash })
      }
      if (result === null || result === undefined) return []
      if (!Array.isArray(result) || !result.every((b) => typeof b === 'string'))
        throw new BlobSourceError('anvil_getBlobsByTransactionHash answered something else than blobs.', {
          input: txHash,
        })
      return result as Hex[]
    },
  }
}

export type BeaconBlobSourceParameters = {
  /** Beacon node REST API, e.g. `http://localhost:5052`. */
  url: string
  /**
   * The beacon `block_id` of an execution block. Default: its slot, `(timestamp − genesis_time) /
   * secondsPerSlot` with `genesis_time` from `/eth/v1/beacon/genesis`. (anvil's stand-in API takes
   * the execution block number or hash.)
   */
  blockId?:
    | ((block: { number: bigint; hash: Hex; timestamp: bigint }) => string | Promise<string>)
    | undefined
  /** Default 12. */
  secondsPerSlot?: number | undefined
  timeoutMs?: number | undefined
}

/**
 * Blobs from a beacon node: `GET /eth/v1/beacon/blobs/{block_id}?versioned_hashes=…` (the
 * Fulu-era endpoint; it replaced `/eth/v1/beacon/blob_sidecars/{block_id}`). The real-network
 * option; the node keeps blobs ~18 days unless it archives them.
 *
 * @example
 * const source = createBeaconBlobSource({ url: 'http://localhost:5052' })
 */
export function createBeaconBlobSource(parameters: BeaconBlobSourceParameters): BlobSource {
  const base = parameters.url.replace(/\/+$/, '')
  const timeoutMs = parameters.timeoutMs ?? 30_000
  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    let response: Response
    try {
      response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs) })
    } catch (error) {
      throw new BlobSourceError(`Beacon API ${path} did not answer.`, { cause: error })
    }
    const text = await response.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
    return { status: response.status, body }
  }
  let genesisTime: Promise<bigint> | undefined
  const slotOf = async (timestamp: bigint): Promise<string> => {
    genesisTime ??= get('/eth/v1/beacon/genesis').then(({ status, body }) => {
      const time = (body as { data?: { genesis_time?: unknown } })?.data?.genesis_time
      if (status !== 200 || typeof time !== 'string' || !/^\d+$/.test(time)) {
        genesisTime = undefined
        throw new BlobSourceError('The beacon node did not give its genesis time.', {
          details: `HTTP ${status}`,
        })
      }
      return BigInt(time)
    })
    const genesis = await genesisTime
    return ((timestamp - genesis) / BigInt(parameters.secondsPerSlot ?? 12)).toString()
  }
  return {
    async getBlobs(request) {
      const blockId = parameters.blockId
        ? await parameters.blockId({
            number: request.blockNumber,
            hash: request.blockHash,
            timestamp: request.blockTimestamp,
          })
        : await slotOf(request.blockTimestamp)
      const query = request.versionedHashes.map((h) => `versioned_hashes=${h}`).join('&')
      const path = `/eth/v1/beacon/blobs/${encodeURIComponent(blockId)}?${query}`
      const { status, body } = await get(path)
      if (status === 404) return []
      const data = (body as { data?: unknown })?.data
      if (status !== 200 || !Array.isArray(data) || !data.every((b) => typeof b === 'string'))
        throw new BlobSourceError(`Beacon API ${path} failed.`, {
          details: `HTTP ${status}: ${JSON.stringify(body).slice(0, 200)}`,
        })
      return data as Hex[]
    },
  }
}
