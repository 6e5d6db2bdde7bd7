/** Shared by the actions (internal): fetch a block and an `eth_getProof`, verify both. */
import type { Address, BlockTag, Chain, Client, Hex, Transport } from 'viem'
import { toHex, tryToBytes } from './bytes.js'
import { decodeBlockHeader } from './decodeBlockHeader.js'
import { type EncodeBlockHeaderParameters, encodeBlockHeader } from './encodeBlockHeader.js'
import {
  BlockHeaderHashMismatchError,
  BlockMismatchError,
  ProofInputError,
  ProofResponseError,
  TrustedAnchorMismatchError,
} from './errors.js'
import { keccak256 } from './keccak.js'
import {
  type ProofResponse,
  type VerifiedAccount,
  type VerifiedSlot,
  verifyProofResponse,
} from './verifyProofResponse.js'
import { slotToBytes } from './verifyStorageProof.js'

export type FetchVerifiedProofParameters = {
  /** The account to read. */
  address: Address
  /** Storage slots to read (each at most 32 bytes; left-padded to a word). */
  slots: readonly Hex[]
  /** Read at this block number. */
  blockNumber?: bigint | undefined
  /** Read at the block with this hash. */
  blockHash?: Hex | undefined
  /** Read at this block tag when neither number nor hash is given. Default `'latest'`. */
  blockTag?: BlockTag | undefined
  /** A state root the caller trusts (e.g. from `L1Blocks`); the block's state root must equal it. */
  trustedStateRoot?: Hex | undefined
  /** A block hash the caller trusts (e.g. `L1Block.hash()`); the block must have it. Selects the block if no other is given. */
  trustedBlockHash?: Hex | undefined
}

/** What the result's guarantees rest on: a caller-supplied anchor, or only the RPC's consistency. */
export type TrustAnchor = 'trustedBlockHash' | 'trustedStateRoot' | 'rpc'

export type VerifiedProof = {
  blockNumber: bigint
  blockHash: Hex
  stateRoot: Hex
  trust: TrustAnchor
  account: VerifiedAccount
  storage: VerifiedSlot[]
}

export async function fetchVerifiedProof(
  client: Client<Transport, Chain | undefined>,
  parameters: FetchVerifiedProofParameters,
): Promise<{ verified: VerifiedProof; header: Hex; response: ProofResponse }> {
  const {
    address,
    slots,
    blockNumber,
    blockHash,
    blockTag = 'latest',
    trustedStateRoot,
    trustedBlockHash,
  } = parameters
  if (tryToBytes(address)?.length !== 20)
    throw new ProofInputError({ reason: 'address must be 20 bytes of hex', input: parameters })
  for (const [name, value] of [
    ['blockHash', blockHash],
    ['trustedBlockHash', trustedBlockHash],
    ['trustedStateRoot', trustedStateRoot],
  ] as const)
    if (value !== undefined && tryToBytes(value)?.length !== 32)
      throw new ProofInputError({ reason: `${name} must be 32 bytes of hex`, input: parameters })
  const words = slots.map((slot) => toHex(slotToBytes(slot)))

  // 1. The block, and its header re-encoded and hashed: every header field must match the hash.
  const selector = blockHash ?? trustedBlockHash
  const block = (
    selector !== undefined
      ? await client.request({ method: 'eth_getBlockByHash', params: [selector, false] })
      : await client.request({
          method: 'eth_getBlockByNumber',
          params: [blockNumber !== undefined ? `0x${blockNumber.toString(16)}` : blockTag, false],
        })
  ) as (EncodeBlockHeaderParameters & { hash: Hex | null }) | null
  const requested = selector ?? (blockNumber !== undefined ? String(blockNumber) : blockTag)
  if (!block || typeof block !== 'object')
    throw new BlockMismatchError({ field: 'block', requested, received: 'no block' })
  const header = encodeBlockHeader(block)
  const hash = toHex(keccak256(tryToBytes(header)!))
  if (typeof block.hash !== 'string' || block.hash.toLowerCase() !== hash)
    throw new BlockHeaderHashMismatchError({
      expectedHash: (block.hash ?? 'none') as Hex,
      actualHash: hash,
      rlp: header,
    })
  const { stateRoot, number } = decodeBlockHeader(header)

  // 2. Trusted anchors, then the identity of the block the RPC chose.
  let trust: TrustAnchor = 'rpc'
  if (trustedBlockHash !== undefined) {
    if (trustedBlockHash.toLowerCase() !== hash)
      throw new TrustedAnchorMismatchError({
        anchor: 'blockHash',
        trusted: trustedBlockHash,
        received: hash,
        blockNumber: number,
      })
    trust = 'trustedBlockHash'
  }
  if (trustedStateRoot !== undefined) {
    if (trustedStateRoot.toLowerCase() !== stateRoot)
      throw new TrustedAnchorMismatchError({
        anchor: 'stateRoot',
        trusted: trustedStateRoot,
        received: stateRoot,
        blockNumber: number,
      })
    if (trust === 'rpc') trust = 'trustedStateRoot'
  }
  if (blockHash !== undefined && blockHash.toLowerCase() !== hash)
    throw new BlockMismatchError({ field: 'hash', requested: blockHash, received: hash })
  if (blockNumber !== undefined && blockNumber !== number)
    throw new BlockMismatchError({
      field: 'number',
      requested: String(blockNumber),
      received: String(number),
    })

  // 3. The proofs, at exactly that block, verified against its state root.
  const response = (await client.request({
    method: 'eth_getProof',
    params: [address, words, `0x${number.toString(16)}`],
  })) as unknown as ProofResponse
  if (!response || typeof response !== 'object')
    throw new ProofResponseError({ reason: 'eth_getProof returned no result', response })
  const { account, storage } = verifyProofResponse({ stateRoot, address, slots: words, response })
  return {
    verified: { blockNumber: number, blockHash: hash, stateRoot, trust, account, storage },
    header,
    response,
  }
}
