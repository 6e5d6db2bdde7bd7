import { RLP } from '@ethereumjs/rlp'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import {
  Address,
  bigIntToBytes,
  bytesToBigInt,
  bytesToHex,
  hexToBytes,
  setLengthLeft,
} from '@ethereumjs/util'
import type { Hex } from 'viem'
import type { L1Origin, L1SloadWitnessEntry } from '../../precompiles/l1sload/index.js'
import { keccak256 } from '../../precompiles/storage-proof/keccak.js'

/**
 * What the node keeps with each block besides header, txs and receipts: the planner's data (the
 * sequencer's L1 origin and sequence number) and the L1SLOAD witness of the block (every L1 value
 * served while building it), which the batcher posts so verifiers replay without an L1 archive.
 * Encoding: rlp([planData, [[l1BlockNumber, address, key, value], …]]).
 */
export function encodeBlockExtra(planData: Uint8Array, witness: L1SloadWitnessEntry[]): Uint8Array {
  return RLP.encode([
    planData,
    witness.map((e) => [
      bigIntToBytes(e.l1BlockNumber),
      hexToBytes(e.address),
      hexToBytes(e.key),
      hexToBytes(e.value),
    ]),
  ])
}

export function decodeBlockExtra(extra: Uint8Array): {
  planData: Uint8Array
  witness: L1SloadWitnessEntry[]
} {
  if (extra.length === 0) return { planData: new Uint8Array(), witness: [] }
  const [planData, entries] = RLP.decode(extra) as [Uint8Array, Uint8Array[][]]
  return {
    planData,
    witness: entries.map(([n, address, key, value]) => ({
      l1BlockNumber: bytesToBigInt(n as Uint8Array),
      address: bytesToHex(address as Uint8Array) as Hex,
      key: bytesToHex(key as Uint8Array) as Hex,
      value: bytesToHex(value as Uint8Array) as Hex,
    })),
  }
}

const WINDOW_SLOT = new Uint8Array(32)
const RING_SLOT = setLengthLeft(new Uint8Array([2]), 32)

/**
 * The latest L1 header in an L1Blocks contract, read straight from its storage (the L1SLOAD
 * precompile's trust anchor, read inside the EVM without a nested call). Layout of L1Blocks.sol:
 * slot 0 = Window { uint64 oldest; uint64 latest; bool nonEmpty } packed from the low bytes;
 * slot 2 = mapping(uint256 => Entry) ring, Entry = { hash, stateRoot, parentBeaconRoot,
 * uint64 number | uint64 timestamp }, header n at ring[n % RING_SIZE]. A test checks this against
 * the contract's own getters.
 * @returns undefined when L1Blocks holds no header yet.
 */
export async function readL1BlocksLatest(
  sm: MerkleStateManager,
  l1Blocks: Hex,
  ringSize: bigint,
): Promise<L1Origin | undefined> {
  const address = new Address(hexToBytes(l1Blocks))
  const window = bytesToBigInt(await sm.getStorage(address, WINDOW_SLOT))
  const nonEmpty = (window >> 128n) & 0xffn
  if (nonEmpty === 0n) return undefined
  const latest = (window >> 64n) & 0xffffffffffffffffn
  const base = bytesToBigInt(
    keccak256(new Uint8Array([...setLengthLeft(bigIntToBytes(latest % ringSize), 32), ...RING_SLOT])),
  )
  const stateRoot = await sm.getStorage(address, setLengthLeft(bigIntToBytes(base + 1n), 32))
  return { number: latest, stateRoot: bytesToHex(setLengthLeft(stateRoot, 32)) as Hex }
}
