import type { Hex } from 'viem'
import { bytesEqual, toHex, tryToBytes } from './bytes.js'
import { EMPTY_TRIE_ROOT } from './constants.js'
import {
  type ProofInput,
  ProofInputError,
  type ProofInputErrorType,
  ProofNodeDecodeError,
  type ProofNodeDecodeErrorType,
  ProofNodeHashMismatchError,
  type ProofNodeHashMismatchErrorType,
  ProofTrailingNodesError,
  type ProofTrailingNodesErrorType,
  ProofTruncatedError,
  type ProofTruncatedErrorType,
  type ProofType,
} from './errors.js'
import { keccak256 } from './keccak.js'
import { RlpDecodeError, type RlpItem, readListItems, readWhole } from './rlp.js'

export type VerifyProofParameters = {
  /** The trusted trie root (32 bytes). */
  root: Hex | Uint8Array
  /** The key's path in the trie: for Ethereum's secure tries, `keccak256(key)`. */
  path: Hex | Uint8Array
  /** RLP-encoded trie nodes, root first (as in `eth_getProof`). */
  proof: readonly (Hex | Uint8Array)[]
  /** Labels errors with the trie the proof is for. */
  proofType?: ProofType | undefined
}

export type VerifyProofReturnType = {
  /** Whether the trie holds a value at `path`. */
  exists: boolean
  /** The raw value stored at `path` (empty when absent). */
  value: Uint8Array
}

export type VerifyProofErrorType =
  | ProofInputErrorType
  | ProofNodeHashMismatchErrorType
  | ProofNodeDecodeErrorType
  | ProofTruncatedErrorType
  | ProofTrailingNodesErrorType

/** Result of {@link walkProof}: the proven value and the index of the proof node that holds it. */
export type WalkProofResult = VerifyProofReturnType & { nodeIndex: number; input: () => ProofInput }

const EMPTY_ROOT_BYTES = tryToBytes(EMPTY_TRIE_ROOT)!
const EMPTY = new Uint8Array(0)

/**
 * Verifies a Merkle-Patricia-trie proof of inclusion or absence of `path` under `root`.
 *
 * Strict: every node is canonical RLP; node 0 must hash to `root` and every later node to the
 * reference its parent holds; nodes shorter than 32 bytes are embedded in their parent (a proof
 * may also repeat an embedded node verbatim as the next entry, as @ethereumjs/mpt does); a proof
 * that stops while the path still leads to a non-empty child is rejected, never read as absent;
 * nodes after the end of the path are rejected.
 *
 * @param parameters - {@link VerifyProofParameters}
 * @returns `{ exists, value }` — the raw stored bytes, or `exists: false` with an empty value.
 * @throws {@link VerifyProofErrorType} naming the failing node and the reason.
 * @example
 * const { exists, value } = verifyProof({ root, path: keccak256(slot), proof })
 */
export function verifyProof(parameters: VerifyProofParameters): VerifyProofReturnType {
  const { exists, value } = walkProof(parameters)
  return { exists, value }
}

/** {@link verifyProof}, also returning the index of the node holding the value (for error reports). */
export function walkProof({
  root: rootIn,
  path: pathIn,
  proof,
  proofType,
}: VerifyProofParameters): WalkProofResult {
  const input = (): ProofInput => ({
    root: hexOf(rootIn),
    path: hexOf(pathIn),
    proof: Array.isArray(proof) ? proof.map(hexOf) : [],
  })
  const root = tryToBytes(rootIn)
  if (root?.length !== 32)
    throw new ProofInputError({ reason: 'root must be 32 bytes of hex', proofType, input: { root: rootIn } })
  const path = tryToBytes(pathIn)
  if (!path)
    throw new ProofInputError({ reason: 'path must be hex or bytes', proofType, input: { path: pathIn } })
  if (!Array.isArray(proof))
    throw new ProofInputError({ reason: 'proof must be an array of nodes', proofType, input: { proof } })

  const done = (exists: boolean, value: Uint8Array, next: number, last: number): WalkProofResult => {
    if (next < proof.length) throw new ProofTrailingNodesError({ proofType, nodeIndex: next, input: input() })
    return { exists, value: exists ? value.slice() : EMPTY, nodeIndex: last, input }
  }
  const decodeError = (nodeIndex: number, reason: string) =>
    new ProofNodeDecodeError({ proofType, nodeIndex, reason, input: input() })

  if (proof.length === 0) {
    if (bytesEqual(root, EMPTY_ROOT_BYTES)) return done(false, EMPTY, 0, -1)
    throw new ProofTruncatedError({ proofType, nodeIndex: 0, missingHash: toHex(root), input: input() })
  }

  const nibbleCount = path.length * 2
  let nibble = 0 // next nibble of `path` to consume
  let next = 0 // next proof entry to read
  let current = -1 // proof entry holding the node under inspection
  let ref: Uint8Array = root // hash the next proof entry must have, when `embedded` is undefined
  let embedded: RlpItem | undefined // an embedded child of the node in `buf`
  let buf: Uint8Array = EMPTY

  for (;;) {
    let node: RlpItem
    if (embedded === undefined) {
      if (next >= proof.length)
        throw new ProofTruncatedError({ proofType, nodeIndex: next, missingHash: toHex(ref), input: input() })
      const bytes = tryToBytes(proof[next]!)
      if (!bytes)
        throw new ProofInputError({
          reason: `proof node ${next} is not hex or bytes`,
          proofType,
          input: input(),
        })
      const hash = keccak256(bytes)
      if (!bytesEqual(hash, ref))
        throw new ProofNodeHashMismatchError({
          proofType,
          nodeIndex: next,
          expectedHash: toHex(ref),
          actualHash: toHex(hash),
          input: input(),
        })
      current = next++
      if (current > 0 && bytes.length < 32)
        throw decodeError(
          current,
          `a ${bytes.length}-byte node must be embedded in its parent, not referenced by hash`,
        )
      buf = bytes
      try {
        node = readWhole(buf)
      } catch (error) {
        throw rethrow(error, decodeError, current)
      }
      if (!node.list) {
        if (current === 0 && node.end === node.payloadStart) return done(false, EMPTY, next, current) // empty trie
        throw decodeError(current, 'a trie node must be an RLP list')
      }
    } else {
      node = embedded
      embedded = undefined
      // @ethereumjs/mpt repeats embedded nodes as separate proof entries; accept a verbatim copy.
      if (next < proof.length) {
        const copy = tryToBytes(proof[next]!)
        if (copy && bytesEqual(copy, buf.subarray(node.start, node.end))) {
          buf = copy
          node = { list: true, start: 0, payloadStart: node.payloadStart - node.start, end: copy.length }
          current = next++
        }
      }
    }

    let items: RlpItem[]
    try {
      items = readListItems(buf, node)
    } catch (error) {
      throw rethrow(error, decodeError, current)
    }

    if (items.length === 17) {
      for (let i = 0; i < 16; i++) checkChild(items[i]!, true, decodeError, current, i)
      const valueItem = items[16]!
      if (valueItem.list) throw decodeError(current, 'the value slot of a branch node must be a string')
      if (nibble === nibbleCount) {
        const value = buf.subarray(valueItem.payloadStart, valueItem.end)
        return done(value.length > 0, value, next, current)
      }
      const child = items[nibbleAt(path, nibble++)]!
      if (!child.list && child.end === child.payloadStart) return done(false, EMPTY, next, current)
      if (child.list) embedded = child
      else ref = buf.subarray(child.payloadStart, child.end)
      continue
    }

    if (items.length !== 2) throw decodeError(current, `a trie node has 2 or 17 items, found ${items.length}`)
    const pathItem = items[0]!
    if (pathItem.list || pathItem.end === pathItem.payloadStart)
      throw decodeError(current, 'the path of a leaf or extension node must be a non-empty string')
    const p = pathItem.payloadStart
    const flag = buf[p]! >> 4
    if (flag > 3) throw decodeError(current, `invalid hex-prefix flag ${flag}`)
    const odd = flag & 1
    if (!odd && (buf[p]! & 0x0f) !== 0)
      throw decodeError(current, 'non-zero padding nibble in an even-length hex-prefix path')
    const isLeaf = flag >= 2
    const length = (pathItem.end - p - 1) * 2 + odd
    // Compare the node's path with the rest of the key, nibble by nibble.
    let matches = nibble + length <= nibbleCount
    for (let k = 0, h = 2 - odd; matches && k < length; k++, h++) {
      const hp = (h & 1) === 0 ? buf[p + (h >> 1)]! >> 4 : buf[p + (h >> 1)]! & 0x0f
      if (hp !== nibbleAt(path, nibble + k)) matches = false
    }
    const second = items[1]!
    if (isLeaf) {
      if (second.list || second.end === second.payloadStart)
        throw decodeError(current, 'the value of a leaf node must be a non-empty string')
      if (matches && nibble + length === nibbleCount)
        return done(true, buf.subarray(second.payloadStart, second.end), next, current)
      return done(false, EMPTY, next, current)
    }
    if (length === 0) throw decodeError(current, 'an extension node must have a non-empty path')
    checkChild(second, false, decodeError, current, 16)
    if (!matches) return done(false, EMPTY, next, current)
    nibble += length
    if (second.list) embedded = second
    else ref = buf.subarray(second.payloadStart, second.end)
  }
}

function nibbleAt(path: Uint8Array, i: number): number {
  const b = path[i >> 1]!
  return (i & 1) === 0 ? b >> 4 : b & 0x0f
}

/** A child reference is empty (branch only), a 32-byte hash, or an embedded node shorter than 32 bytes. */
function checkChild(
  child: RlpItem,
  mayBeEmpty: boolean,
  decodeError: (nodeIndex: number, reason: string) => Error,
  nodeIndex: number,
  slot: number,
): void {
  const where = slot < 16 ? `branch child ${slot.toString(16)}` : 'extension child'
  if (child.list) {
    if (child.end - child.start >= 32)
      throw decodeError(
        nodeIndex,
        `${where} is an embedded node of ${child.end - child.start} bytes (must be < 32)`,
      )
    return
  }
  const length = child.end - child.payloadStart
  if (length === 32 || (length === 0 && mayBeEmpty)) return
  throw decodeError(
    nodeIndex,
    `${where} is a ${length}-byte string (must be ${mayBeEmpty ? 'empty or ' : ''}a 32-byte hash)`,
  )
}

function rethrow(
  error: unknown,
  decodeError: (nodeIndex: number, reason: string) => Error,
  nodeIndex: number,
): Error {
  if (error instanceof RlpDecodeError) return decodeError(nodeIndex, error.message)
  return error as Error
}

function hexOf(value: unknown): Hex {
  if (value instanceof Uint8Array) return toHex(value)
  return String(value) as Hex
}
