/**
 * Deterministic, mainnet-shaped proof pairs for benchmarks and tests.
 *
 * Built bottom-up: a leaf, then branch nodes up to the root, each branch full (16 children; the
 * siblings off the path are random hashes) like the top of a large trie. The account proof has
 * 8 branches + leaf (9 nodes, 532-byte branches, as for a mainnet account); the storage proof has
 * 4 full branches, one sparse branch (10 children) and a leaf, the shape of a ~1M-key storage
 * trie. The proofs are valid for the synthesized roots.
 */
import { RLP } from '@ethereumjs/rlp'
import type { Address, Hex } from 'viem'
import { toHex, tryToBytes } from '../bytes.js'
import { keccak256 } from '../keccak.js'

export type SynthesizedProofs = {
  stateRoot: Hex
  address: Address
  accountProof: Hex[]
  slot: Hex
  storageProof: Hex[]
  /** The slot's value as a 32-byte word. */
  value: Hex
  storageRoot: Hex
  account: { nonce: bigint; balance: bigint; storageRoot: Hex; codeHash: Hex }
}

/** A deterministic byte generator (mulberry32; not for cryptography). */
export function seededBytes(seed: number): (length: number) => Uint8Array {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  return (length) => {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = next() & 0xff
    return out
  }
}

function nibbles(bytes: Uint8Array): number[] {
  const out: number[] = []
  for (const b of bytes) out.push(b >> 4, b & 0x0f)
  return out
}

/** Hex-prefix encoding of a nibble path (leaf flag 2, extension flag 0; +1 when odd). */
export function hexPrefix(path: readonly number[], leaf: boolean): Uint8Array {
  const odd = path.length % 2
  const out = new Uint8Array(1 + (path.length - odd) / 2)
  out[0] = ((leaf ? 2 : 0) + odd) << 4
  let i = 0
  if (odd) out[0] |= path[i++]!
  for (let j = 1; i < path.length; i += 2, j++) out[j] = (path[i]! << 4) | path[i + 1]!
  return out
}

/** Minimal big-endian bytes of a non-negative integer (0 → empty). */
function intBytes(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array(0)
  let hex = n.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return Uint8Array.from(hex.match(/../g)!.map((h) => Number.parseInt(h, 16)))
}

/** Builds the branch path above `leaf` for `key`, returning the proof (root first). */
function buildPath(
  key: Uint8Array,
  leaf: Uint8Array,
  widths: readonly number[],
  random: (length: number) => Uint8Array,
): Uint8Array[] {
  const path = nibbles(key)
  const proof = [leaf]
  let below = leaf
  for (let depth = widths.length - 1; depth >= 0; depth--) {
    const onPath = path[depth]!
    const others = [...Array(16).keys()].filter((i) => i !== onPath)
    // Deterministically choose which siblings are present.
    for (let i = others.length - 1; i > 0; i--) {
      const j = random(1)[0]! % (i + 1)
      ;[others[i], others[j]] = [others[j]!, others[i]!]
    }
    const present = new Set(others.slice(0, widths[depth]! - 1))
    const children: (Uint8Array | Uint8Array[])[] = []
    for (let i = 0; i < 16; i++) {
      if (i === onPath) children.push(keccak256(below))
      else children.push(present.has(i) ? random(32) : new Uint8Array(0))
    }
    children.push(new Uint8Array(0))
    below = RLP.encode(children as Uint8Array[])
    proof.unshift(below)
  }
  return proof
}

/**
 * Synthesizes an account proof and a storage proof shaped like mainnet ones.
 *
 * @param seed - Any integer; the same seed gives the same proofs.
 * @returns Roots, keys, the proofs as hex (root first) and the proven values.
 * @example
 * const p = synthesizeMainnetShapedProofs(1)
 * verifyStorageProof({ storageRoot: verifyAccountProof({ stateRoot: p.stateRoot, address: p.address, proof: p.accountProof }).storageRoot, slot: p.slot, proof: p.storageProof })
 */
export function synthesizeMainnetShapedProofs(seed: number): SynthesizedProofs {
  const random = seededBytes(seed)
  const address = toHex(random(20)) as Address
  const slot = toHex(random(32))
  const valueBytes = random(32)
  valueBytes[0] = valueBytes[0]! | 1 // a full-width, non-zero word
  const value = toHex(valueBytes)

  const storageKey = keccak256(hexBytes(slot))
  const storageWidths = [16, 16, 16, 16, 10]
  const storageLeaf = RLP.encode([
    hexPrefix(nibbles(storageKey).slice(storageWidths.length), true),
    RLP.encode(intBytes(BigInt(value))),
  ])
  const storageNodes = buildPath(storageKey, storageLeaf, storageWidths, random)
  const storageRoot = toHex(keccak256(storageNodes[0]!))

  const account = {
    nonce: BigInt(random(1)[0]! + 1),
    balance: BigInt(toHex(random(9))) + 1n,
    storageRoot,
    codeHash: toHex(random(32)),
  }
  const accountKey = keccak256(hexBytes(address))
  const accountWidths = [16, 16, 16, 16, 16, 16, 16, 16]
  const accountLeaf = RLP.encode([
    hexPrefix(nibbles(accountKey).slice(accountWidths.length), true),
    RLP.encode([
      intBytes(account.nonce),
      intBytes(account.balance),
      hexBytes(storageRoot),
      hexBytes(account.codeHash),
    ]),
  ])
  const accountNodes = buildPath(accountKey, accountLeaf, accountWidths, random)

  return {
    stateRoot: toHex(keccak256(accountNodes[0]!)),
    address,
    accountProof: accountNodes.map(toHex),
    slot,
    storageProof: storageNodes.map(toHex),
    value,
    storageRoot,
    account,
  }
}

function hexBytes(hex: Hex): Uint8Array {
  return tryToBytes(hex)!
}

export type SynthesizedMultiSlotProofs = {
  stateRoot: Hex
  address: Address
  accountProof: Hex[]
  storageRoot: Hex
  /** One proof per slot, in the order of `slots`, all against `storageRoot`. */
  storageProofs: Hex[][]
  /** The slots' values as 32-byte words. */
  values: Hex[]
}

/**
 * Like {@link synthesizeMainnetShapedProofs} for a chosen account and several slots under one
 * storage root (the shape of a "warm" read: another slot at the same block). The account proof
 * has 9 nodes (8 full branches + leaf); each storage proof has 6 (4 full branches, one branch of
 * 10 children, leaf), paths shared where the slots' hashed keys share nibbles.
 *
 * @param parameters - `seed`, the account `address` and the `slots` (32-byte hex words).
 * @returns Roots, proofs and the synthesized values (non-zero, full-width words).
 */
export function synthesizeMultiSlotProofs(parameters: {
  seed: number
  address: Address
  slots: readonly Hex[]
}): SynthesizedMultiSlotProofs {
  const random = seededBytes(parameters.seed)
  const values = parameters.slots.map(() => {
    const v = random(32)
    v[0] = v[0]! | 1
    return toHex(v)
  })
  const storageWidths = [16, 16, 16, 16, 10]
  const storage = buildTrie(
    parameters.slots.map((slot, i) => ({
      path: nibbles(keccak256(hexBytes(slot))),
      value: RLP.encode(intBytes(BigInt(values[i]!))),
    })),
    storageWidths,
    random,
  )
  const storageRoot = toHex(keccak256(storage.root))
  const account = RLP.encode([intBytes(1n), intBytes(0n), hexBytes(storageRoot), random(32)])
  const accountTrie = buildTrie(
    [{ path: nibbles(keccak256(hexBytes(parameters.address))), value: account }],
    [16, 16, 16, 16, 16, 16, 16, 16],
    random,
  )
  return {
    stateRoot: toHex(keccak256(accountTrie.root)),
    address: parameters.address,
    accountProof: accountTrie.proofs[0]!.map(toHex),
    storageRoot,
    storageProofs: storage.proofs.map((p) => p.map(toHex)),
    values,
  }
}

/**
 * Builds the top of a trie holding `entries`: branch nodes at depths 0..widths.length-1 (each with
 * `widths[depth]` children: the entries' subtrees plus random sibling hashes), then one leaf per
 * entry. Entries must not share all of the first `widths.length` nibbles.
 */
function buildTrie(
  entries: readonly { path: number[]; value: Uint8Array }[],
  widths: readonly number[],
  random: (length: number) => Uint8Array,
): { root: Uint8Array; proofs: Uint8Array[][] } {
  const proofs: Uint8Array[][] = entries.map(() => [])
  const build = (indices: number[], depth: number): Uint8Array => {
    if (depth === widths.length) {
      if (indices.length !== 1) throw new Error('synthProof: two slots share the whole branch path')
      const entry = entries[indices[0]!]!
      const leaf = RLP.encode([hexPrefix(entry.path.slice(depth), true), entry.value])
      proofs[indices[0]!]!.unshift(leaf)
      return leaf
    }
    const groups = new Map<number, number[]>()
    for (const i of indices) {
      const nibble = entries[i]!.path[depth]!
      groups.set(nibble, [...(groups.get(nibble) ?? []), i])
    }
    const children: Uint8Array[] = Array.from({ length: 17 }, () => new Uint8Array(0))
    for (const [nibble, group] of groups) children[nibble] = keccak256(build(group, depth + 1))
    const free = [...Array(16).keys()].filter((i) => !groups.has(i))
    for (let i = free.length - 1; i > 0; i--) {
      const j = random(1)[0]! % (i + 1)
      ;[free[i], free[j]] = [free[j]!, free[i]!]
    }
    for (const i of free.slice(0, Math.max(0, widths[depth]! - groups.size))) children[i] = random(32)
    const node = RLP.encode(children)
    for (const i of indices) proofs[i]!.unshift(node)
    return node
  }
  const root = build(
    entries.map((_, i) => i),
    0,
  )
  return { root, proofs }
}
