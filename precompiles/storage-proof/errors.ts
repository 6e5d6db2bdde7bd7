/**
 * Errors of the storage-proof library. All extend {@link StorageProofError}, which has viem's
 * `BaseError` shape (`shortMessage`, `details`, `metaMessages`, `walk()`), so they can be caught
 * with `instanceof BaseError` alongside viem's own errors. Each one says which node (or header
 * field, or RPC claim) failed, why, and carries the offending input.
 */
import { BaseError, type Hex } from 'viem'

/** Which trie a proof is for; `undefined` for a generic {@link verifyProof} call. */
export type ProofType = 'account' | 'storage'

/** The inputs of a failed proof verification, hex-encoded. */
export type ProofInput = { root: Hex; path: Hex; proof: readonly Hex[] }

export type StorageProofErrorParameters = {
  cause?: Error | undefined
  details?: string | undefined
  metaMessages?: string[] | undefined
  name?: string | undefined
  /** The trie the failing proof is for. */
  proofType?: ProofType | undefined
  /** Index of the failing proof node (0 = root node). */
  nodeIndex?: number | undefined
  /** The input that caused the error. */
  input?: unknown
}

export type StorageProofErrorType = StorageProofError & { name: 'StorageProofError' }
/** Base class of every error this library throws. */
export class StorageProofError extends BaseError {
  override name = 'StorageProofError'
  proofType: ProofType | undefined
  nodeIndex: number | undefined
  input: unknown

  constructor(shortMessage: string, parameters: StorageProofErrorParameters = {}) {
    const { cause, details, metaMessages, name, proofType, nodeIndex, input } = parameters
    super(shortMessage, { cause, details, metaMessages, name })
    this.proofType = proofType
    this.nodeIndex = nodeIndex
    this.input = input
  }
}

function proofMeta(
  proofType: ProofType | undefined,
  nodeIndex: number,
  input: ProofInput,
  extra: string[] = [],
) {
  return [
    `Proof type: ${proofType ?? 'generic'}`,
    `Node index: ${nodeIndex} (proof has ${input.proof.length} node${input.proof.length === 1 ? '' : 's'})`,
    ...extra,
    `Root: ${input.root}`,
    `Path: ${input.path}`,
  ]
}

type ProofErrorBase = { proofType?: ProofType | undefined; nodeIndex: number; input: ProofInput }

export type ProofNodeHashMismatchErrorType = ProofNodeHashMismatchError & {
  name: 'ProofNodeHashMismatchError'
}
/** A proof node does not hash to the reference its parent (or the trusted root, for node 0) holds. */
export class ProofNodeHashMismatchError extends StorageProofError {
  override name = 'ProofNodeHashMismatchError'
  expectedHash: Hex
  actualHash: Hex
  constructor({
    proofType,
    nodeIndex,
    input,
    expectedHash,
    actualHash,
  }: ProofErrorBase & { expectedHash: Hex; actualHash: Hex }) {
    super(
      nodeIndex === 0
        ? `Proof root node does not hash to the expected ${proofType ?? 'trie'} root.`
        : `Proof node ${nodeIndex} does not hash to the reference held by node ${nodeIndex - 1}.`,
      {
        details: `expected keccak256(node ${nodeIndex}) = ${expectedHash}, got ${actualHash}`,
        metaMessages: proofMeta(proofType, nodeIndex, input, [
          `Expected hash: ${expectedHash}`,
          `Actual hash:   ${actualHash}`,
        ]),
        proofType,
        nodeIndex,
        input,
      },
    )
    this.expectedHash = expectedHash
    this.actualHash = actualHash
  }
}

export type ProofNodeDecodeErrorType = ProofNodeDecodeError & { name: 'ProofNodeDecodeError' }
/** A proof node (whose hash did match) is not a canonical RLP-encoded trie node. */
export class ProofNodeDecodeError extends StorageProofError {
  override name = 'ProofNodeDecodeError'
  reason: string
  constructor({ proofType, nodeIndex, input, reason }: ProofErrorBase & { reason: string }) {
    super(`Proof node ${nodeIndex} is not a valid trie node.`, {
      details: reason,
      metaMessages: proofMeta(proofType, nodeIndex, input, [`Node: ${input.proof[nodeIndex] ?? '(none)'}`]),
      proofType,
      nodeIndex,
      input,
    })
    this.reason = reason
  }
}

export type ProofTruncatedErrorType = ProofTruncatedError & { name: 'ProofTruncatedError' }
/**
 * The proof ends while the key's path still leads to a non-empty child. Such a proof proves
 * nothing — it is never read as "absent".
 */
export class ProofTruncatedError extends StorageProofError {
  override name = 'ProofTruncatedError'
  missingHash: Hex
  constructor({ proofType, nodeIndex, input, missingHash }: ProofErrorBase & { missingHash: Hex }) {
    super(
      nodeIndex === 0
        ? `Proof is empty but the ${proofType ?? 'trie'} root is not the empty-trie root.`
        : `Proof ends after node ${nodeIndex - 1}, but the key's path continues to a non-empty child.`,
      {
        details: `node ${nodeIndex} (hash ${missingHash}) is missing; a truncated proof is not an absence proof`,
        metaMessages: proofMeta(proofType, nodeIndex, input, [`Missing node hash: ${missingHash}`]),
        proofType,
        nodeIndex,
        input,
      },
    )
    this.missingHash = missingHash
  }
}

export type ProofTrailingNodesErrorType = ProofTrailingNodesError & { name: 'ProofTrailingNodesError' }
/** The key's path ended (value or absence proven) but the proof has more nodes. */
export class ProofTrailingNodesError extends StorageProofError {
  override name = 'ProofTrailingNodesError'
  extraNodes: number
  constructor({ proofType, nodeIndex, input }: ProofErrorBase) {
    const extraNodes = input.proof.length - nodeIndex
    super(`Proof has ${extraNodes} node(s) after the end of the key's path.`, {
      details: `the path ends in node ${nodeIndex - 1}; nodes ${nodeIndex}..${input.proof.length - 1} are not on it`,
      metaMessages: proofMeta(proofType, nodeIndex, input),
      proofType,
      nodeIndex,
      input,
    })
    this.extraNodes = extraNodes
  }
}

export type ProofValueEncodingErrorType = ProofValueEncodingError & { name: 'ProofValueEncodingError' }
/** The proven leaf value is not a canonical account (RLP list) or storage value (RLP integer). */
export class ProofValueEncodingError extends StorageProofError {
  override name = 'ProofValueEncodingError'
  reason: string
  value: Hex
  constructor({
    proofType,
    nodeIndex,
    input,
    reason,
    value,
  }: ProofErrorBase & { reason: string; value: Hex }) {
    super(`Proof node ${nodeIndex} holds a malformed ${proofType ?? 'leaf'} value.`, {
      details: reason,
      metaMessages: proofMeta(proofType, nodeIndex, input, [`Value: ${value}`]),
      proofType,
      nodeIndex,
      input,
    })
    this.reason = reason
    this.value = value
  }
}

export type ProofInputErrorType = ProofInputError & { name: 'ProofInputError' }
/** An argument is malformed (not hex, wrong length) before any verification took place. */
export class ProofInputError extends StorageProofError {
  override name = 'ProofInputError'
  constructor({
    reason,
    proofType,
    input,
  }: { reason: string; proofType?: ProofType | undefined; input: unknown }) {
    super(`Invalid proof input: ${reason}.`, { details: reason, proofType, input })
  }
}

export type BlockHeaderDecodeErrorType = BlockHeaderDecodeError & { name: 'BlockHeaderDecodeError' }
/** An RLP block header is malformed (bad RLP, too few fields, a field of the wrong size). */
export class BlockHeaderDecodeError extends StorageProofError {
  override name = 'BlockHeaderDecodeError'
  reason: string
  field: string | undefined
  constructor({ reason, field, rlp }: { reason: string; field?: string | undefined; rlp: Hex }) {
    super(`Invalid RLP block header${field ? ` (field ${field})` : ''}.`, {
      details: reason,
      metaMessages: [`Header: ${rlp}`],
      input: rlp,
    })
    this.reason = reason
    this.field = field
  }
}

export type BlockHeaderEncodeErrorType = BlockHeaderEncodeError & { name: 'BlockHeaderEncodeError' }
/** A block object lacks a field the header needs, or holds a malformed one. */
export class BlockHeaderEncodeError extends StorageProofError {
  override name = 'BlockHeaderEncodeError'
  field: string
  constructor({ reason, field, block }: { reason: string; field: string; block: unknown }) {
    super(`Cannot encode the block header: field ${field} ${reason}.`, {
      details: `${field} ${reason}`,
      input: block,
    })
    this.field = field
  }
}

export type BlockHeaderHashMismatchErrorType = BlockHeaderHashMismatchError & {
  name: 'BlockHeaderHashMismatchError'
}
/** keccak256 of the header does not equal the hash it was claimed (or required) to have. */
export class BlockHeaderHashMismatchError extends StorageProofError {
  override name = 'BlockHeaderHashMismatchError'
  expectedHash: Hex
  actualHash: Hex
  constructor({ expectedHash, actualHash, rlp }: { expectedHash: Hex; actualHash: Hex; rlp: Hex }) {
    super('Block header does not hash to the expected block hash.', {
      details: `expected ${expectedHash}, keccak256(header) = ${actualHash}`,
      metaMessages: [
        `Expected hash: ${expectedHash}`,
        `Actual hash:   ${actualHash}`,
        'A header field reported by the RPC differs from the block the hash commits to, or the chain has a header field this library does not know yet.',
        `Header: ${rlp}`,
      ],
      input: rlp,
    })
    this.expectedHash = expectedHash
    this.actualHash = actualHash
  }
}

export type TrustedAnchorMismatchErrorType = TrustedAnchorMismatchError & {
  name: 'TrustedAnchorMismatchError'
}
/** The RPC's block does not match the caller's trusted block hash or state root. */
export class TrustedAnchorMismatchError extends StorageProofError {
  override name = 'TrustedAnchorMismatchError'
  anchor: 'blockHash' | 'stateRoot'
  trusted: Hex
  received: Hex
  constructor({
    anchor,
    trusted,
    received,
    blockNumber,
  }: { anchor: 'blockHash' | 'stateRoot'; trusted: Hex; received: Hex; blockNumber: bigint }) {
    super(
      `The RPC's block ${blockNumber} does not match the trusted ${anchor === 'blockHash' ? 'block hash' : 'state root'}.`,
      {
        details: `trusted ${anchor} ${trusted}, the RPC's verified header has ${received}`,
        metaMessages: [`Trusted ${anchor}: ${trusted}`, `Received ${anchor}: ${received}`],
        input: { anchor, trusted, received, blockNumber },
      },
    )
    this.anchor = anchor
    this.trusted = trusted
    this.received = received
  }
}

export type BlockMismatchErrorType = BlockMismatchError & { name: 'BlockMismatchError' }
/** The RPC returned a different block than the one requested (or none). */
export class BlockMismatchError extends StorageProofError {
  override name = 'BlockMismatchError'
  field: 'number' | 'hash' | 'block'
  constructor({
    field,
    requested,
    received,
  }: { field: 'number' | 'hash' | 'block'; requested: string; received: string }) {
    super(`The RPC returned a different block than requested (${field}).`, {
      details: `requested ${field} ${requested}, received ${received}`,
      input: { field, requested, received },
    })
    this.field = field
  }
}

export type ProofClaimMismatchErrorType = ProofClaimMismatchError & { name: 'ProofClaimMismatchError' }
/** A value the RPC claimed (account field or storage value) differs from what its proof proves. */
export class ProofClaimMismatchError extends StorageProofError {
  override name = 'ProofClaimMismatchError'
  field: string
  claimed: string
  proven: string
  constructor({
    field,
    claimed,
    proven,
    proofType,
    address,
  }: { field: string; claimed: string; proven: string; proofType: ProofType; address: Hex }) {
    super(`The RPC claimed a ${field} that its own proof contradicts.`, {
      details: `claimed ${claimed}, proven ${proven}`,
      metaMessages: [`Address: ${address}`, `Field: ${field}`, `Claimed: ${claimed}`, `Proven:  ${proven}`],
      proofType,
      input: { field, claimed, proven, address },
    })
    this.field = field
    this.claimed = claimed
    this.proven = proven
  }
}

export type ProofResponseErrorType = ProofResponseError & { name: 'ProofResponseError' }
/** An `eth_getProof` / block response is malformed or answers a different question. */
export class ProofResponseError extends StorageProofError {
  override name = 'ProofResponseError'
  reason: string
  constructor({ reason, response }: { reason: string; response: unknown }) {
    super(`Malformed RPC response: ${reason}.`, { details: reason, input: response })
    this.reason = reason
  }
}
