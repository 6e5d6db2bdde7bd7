import type { Hex } from 'viem'
import { toHex, tryToBytes } from './bytes.js'
import { ProofInputError, type ProofInputErrorType } from './errors.js'
import { RlpDecodeError, readItem } from './rlp.js'

export type PackProofErrorType = ProofInputErrorType

/**
 * Packs proof nodes for the Solidity verifier: the RLP nodes concatenated, root first. Each node
 * is self-delimiting RLP, so no lengths are added.
 *
 * @param nodes - RLP-encoded trie nodes, root first (as in `eth_getProof`).
 * @returns The packed proof.
 * @throws {@link ProofInputError} if a node is not hex.
 * @example
 * packProof(['0xf90211…', '0xf8518080…']) // '0xf90211…f8518080…'
 */
export function packProof(nodes: readonly Hex[]): Hex {
  let packed = '0x'
  nodes.forEach((node, i) => {
    if (!tryToBytes(node))
      throw new ProofInputError({ reason: `proof node ${i} is not hex`, input: { nodes } })
    packed += node.slice(2).toLowerCase()
  })
  return packed as Hex
}

/**
 * Splits a packed proof (see {@link packProof}) back into its nodes.
 *
 * @param packed - Concatenated RLP nodes.
 * @returns The nodes, root first.
 * @throws {@link ProofInputError} if `packed` is not a concatenation of canonical RLP items.
 * @example
 * unpackProof(packProof(nodes)) // nodes
 */
export function unpackProof(packed: Hex): Hex[] {
  const bytes = tryToBytes(packed)
  if (!bytes) throw new ProofInputError({ reason: 'packed proof is not hex', input: { packed } })
  const nodes: Hex[] = []
  for (let pos = 0; pos < bytes.length; ) {
    try {
      const item = readItem(bytes, pos, bytes.length)
      nodes.push(toHex(bytes.subarray(pos, item.end)))
      pos = item.end
    } catch (error) {
      if (error instanceof RlpDecodeError)
        throw new ProofInputError({
          reason: `packed proof: node ${nodes.length}: ${error.message}`,
          input: { packed },
        })
      throw error
    }
  }
  return nodes
}
