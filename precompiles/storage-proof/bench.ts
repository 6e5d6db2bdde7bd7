/**
 * Microbenchmark: verifying a mainnet-shaped account + storage proof pair with this library vs
 * @ethereumjs/mpt's `verifyMerkleProof` (root passed explicitly, so it is checked). Called by the
 * project's `npm run bench`; needs the dev dependency @ethereumjs/mpt.
 */
import { verifyMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { tryToBytes } from './bytes.js'
import { keccakBackend } from './keccak.js'
import { synthesizeMainnetShapedProofs } from './testing/synthProof.js'
import { verifyAccountProof } from './verifyAccountProof.js'
import { verifyStorageProof } from './verifyStorageProof.js'

export type BenchVerifyParameters = {
  /** Timed verifications per implementation (after a warm-up of a tenth as many). */
  iterations?: number | undefined
  /** Seed of the synthesized proof pair. */
  seed?: number | undefined
}

export type BenchVerifyReturnType = {
  /** Microseconds per account + storage verification, this library (from hex proofs, as `eth_getProof` returns them). */
  oursUs: number
  /** Microseconds per account + storage verification, @ethereumjs/mpt (from pre-decoded byte arrays). */
  baselineUs: number
  /** `baselineUs / oursUs`. */
  speedup: number
  /** The keccak implementation in use (`'wasm'` or `'noble'`). */
  keccak: 'wasm' | 'noble'
  /** Node counts of the account and storage proofs. */
  shape: { accountNodes: number; storageNodes: number }
}

/**
 * Times both implementations on the same synthesized proof pair and checks they agree.
 *
 * @param parameters - {@link BenchVerifyParameters}
 * @returns Microseconds per verification of the pair for each implementation.
 * @example
 * const { oursUs, baselineUs } = await benchVerify({ iterations: 2000 })
 */
export async function benchVerify({
  iterations = 2000,
  seed = 1,
}: BenchVerifyParameters = {}): Promise<BenchVerifyReturnType> {
  const p = synthesizeMainnetShapedProofs(seed)
  const bytes = (hex: string) => tryToBytes(hex as `0x${string}`)!
  const address = bytes(p.address)
  const slot = bytes(p.slot)
  const stateRoot = bytes(p.stateRoot)
  const accountProof = p.accountProof.map(bytes)
  const storageProof = p.storageProof.map(bytes)

  const ours = () => {
    const account = verifyAccountProof({ stateRoot: p.stateRoot, address: p.address, proof: p.accountProof })
    return verifyStorageProof({ storageRoot: account.storageRoot, slot: p.slot, proof: p.storageProof }).value
  }
  const baseline = async () => {
    const account = await verifyMerkleProof(address, accountProof, { root: stateRoot, useKeyHashing: true })
    const storageRoot = (RLP.decode(account!) as Uint8Array[])[2]!
    const value = await verifyMerkleProof(slot, storageProof, { root: storageRoot, useKeyHashing: true })
    return value
  }

  if (ours() !== p.value) throw new Error('benchVerify: this library returned a wrong value')
  const expected = RLP.encode(bytes(p.value))
  const got = await baseline()
  if (!got || Buffer.compare(got, expected) !== 0)
    throw new Error('benchVerify: @ethereumjs/mpt returned a wrong value')

  const warmup = Math.max(1, Math.floor(iterations / 10))
  for (let i = 0; i < warmup; i++) ours()
  let t = performance.now()
  for (let i = 0; i < iterations; i++) ours()
  const oursUs = ((performance.now() - t) * 1000) / iterations

  for (let i = 0; i < warmup; i++) await baseline()
  t = performance.now()
  for (let i = 0; i < iterations; i++) await baseline()
  const baselineUs = ((performance.now() - t) * 1000) / iterations

  return {
    oursUs,
    baselineUs,
    speedup: baselineUs / oursUs,
    keccak: keccakBackend,
    shape: { accountNodes: p.accountProof.length, storageNodes: p.storageProof.length },
  }
}
