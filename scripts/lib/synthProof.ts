/**
 * Synthesizes valid Merkle-Patricia proofs with the shape of mainnet proofs, without building
 * the trie: the path is built bottom-up (leaf first), every branch on it gets random sibling
 * hashes, and each parent references its child by hash, so the proof is valid for the root it
 * ends with. Used for gas measurements (contracts/test/gas) and benchmarks.
 *
 * Shapes (defaults): an account proof of 8 full branch nodes (16 hash children, 532 bytes each)
 * and the leaf, as for a state trie of ~250M accounts; a storage proof of 5 full branches, one
 * sparse branch and the leaf, as for a storage trie of ~1M slots.
 */
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, concatBytes, type Hex, hexToBytes, keccak256, numberToBytes } from 'viem'

/** A deterministic byte stream: keccak256(seed ‖ counter) blocks. */
export class Rng {
  private counter = 0n
  private readonly seed: Uint8Array

  constructor(seed: number | bigint | string) {
    this.seed = new TextEncoder().encode(`rng:${String(seed)}`)
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 32) {
      const block = hexToBytes(
        keccak256(concatBytes([this.seed, numberToBytes(this.counter++, { size: 8 })])),
      )
      out.set(block.subarray(0, Math.min(32, n - i)), i)
    }
    return out
  }

  /** A uniform integer in [0, n) for n < 2^32. */
  int(n: number): number {
    const b = this.bytes(4)
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) % n
  }

  hex(n: number): Hex {
    return bytesToHex(this.bytes(n))
  }
}

export type MainnetShapedProofs = {
  /** The state root the account proof proves against. */
  stateRoot: Hex
  address: Hex
  /** Account proof nodes, root first (as in eth_getProof). */
  accountProof: Hex[]
  account: { nonce: bigint; balance: bigint; storageRoot: Hex; codeHash: Hex }
  slot: Hex
  /** Storage proof nodes, root first. */
  storageProof: Hex[]
  /** The slot's value, 32 bytes big-endian. */
  value: Hex
  storageRoot: Hex
}

export type SynthesizeOptions = {
  /** Full branch nodes above the account leaf (default 8). */
  accountBranches?: number
  /** Full branch nodes at the top of the storage path (default 5). */
  storageFullBranches?: number
  /** Sparse (2..4 children) branch nodes below them, above the storage leaf (default 1). */
  storageSparseBranches?: number
}

/**
 * Synthesizes an account proof and a storage proof of mainnet shape for a random account and
 * slot; deterministic in `seed`.
 *
 * @param seed Seed of the random siblings, address, slot and values.
 * @param options Number of branch nodes on each path.
 * @returns The proofs and every value needed to check them.
 * @example
 * const p = synthesizeMainnetShapedProofs(1)
 * // p.accountProof.length === 9, p.storageProof.length === 7
 */
export function synthesizeMainnetShapedProofs(
  seed: number | bigint | string,
  options: SynthesizeOptions = {},
): MainnetShapedProofs {
  const rng = new Rng(`mainnet-shaped:${String(seed)}`)
  const { accountBranches = 8, storageFullBranches = 5, storageSparseBranches = 1 } = options

  // Storage: a 32-byte value with a non-zero first byte (a keystore key is a full word).
  const slot = rng.hex(32)
  const valueBytes = rng.bytes(32)
  valueBytes[0] = valueBytes[0]! | 0x80
  const storage = synthesizePath(
    rng,
    hexToBytes(keccak256(slot)),
    RLP.encode(valueBytes),
    Array.from({ length: storageFullBranches + storageSparseBranches }, (_, i) =>
      i < storageFullBranches ? 16 : 2 + rng.int(3),
    ),
  )

  // Account: nonce 1 (a contract), a balance, the storage root above, random code hash.
  const address = rng.hex(20)
  const account = {
    nonce: 1n,
    balance: BigInt(bytesToHex(rng.bytes(9))),
    storageRoot: storage.root,
    codeHash: rng.hex(32),
  }
  const accountRlp = RLP.encode([
    account.nonce,
    account.balance,
    hexToBytes(account.storageRoot),
    hexToBytes(account.codeHash),
  ])
  const state = synthesizePath(
    rng,
    hexToBytes(keccak256(address)),
    accountRlp,
    Array.from({ length: accountBranches }, () => 16),
  )

  return {
    stateRoot: state.root,
    address,
    accountProof: state.proof,
    account,
    slot,
    storageProof: storage.proof,
    value: bytesToHex(valueBytes),
    storageRoot: storage.root,
  }
}

/**
 * Builds the proof for `key` → `value` where the path crosses one branch per entry of
 * `branchWidths` (its number of children, 2..16) and ends in a leaf.
 */
export function synthesizePath(
  rng: Rng,
  key: Uint8Array,
  value: Uint8Array,
  branchWidths: number[],
): { root: Hex; proof: Hex[] } {
  const nibbles = toNibbles(key)
  const depth = branchWidths.length
  const nodes: Uint8Array[] = []
  let node = RLP.encode([hexPrefix(nibbles.slice(depth), true), value])
  nodes.push(node)
  for (let level = depth - 1; level >= 0; level--) {
    const onPath = nibbles[level]!
    const width = branchWidths[level]!
    const others = shuffle(
      rng,
      Array.from({ length: 16 }, (_, i) => i).filter((i) => i !== onPath),
    ).slice(0, width - 1)
    const children: (Uint8Array | Uint8Array[])[] = Array.from({ length: 16 }, () => new Uint8Array())
    for (const i of others) children[i] = rng.bytes(32)
    children[onPath] = reference(node)
    node = RLP.encode([...children, new Uint8Array()])
    nodes.unshift(node)
  }
  return { root: keccak256(nodes[0]!), proof: nodes.map((n) => bytesToHex(n)) }
}

/** How a parent refers to a child node: its hash, or the node itself when shorter than 32 bytes. */
function reference(node: Uint8Array): Uint8Array | Uint8Array[] {
  if (node.length >= 32) return hexToBytes(keccak256(node))
  return RLP.decode(node) as Uint8Array[]
}

export function toNibbles(key: Uint8Array): number[] {
  const out: number[] = []
  for (const b of key) out.push(b >> 4, b & 0x0f)
  return out
}

/** Hex-prefix encoding (Yellow Paper appendix C) of a nibble path. */
export function hexPrefix(nibbles: number[], leaf: boolean): Uint8Array {
  const odd = nibbles.length % 2
  const flag = (leaf ? 2 : 0) + odd
  const out = new Uint8Array(1 + (nibbles.length - odd) / 2)
  out[0] = (flag << 4) | (odd ? nibbles[0]! : 0)
  for (let i = odd, j = 1; i < nibbles.length; i += 2, j++) out[j] = (nibbles[i]! << 4) | nibbles[i + 1]!
  return out
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}
