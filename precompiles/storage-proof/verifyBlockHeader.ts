import type { Hex } from 'viem'
import { bytesEqual, toHex, tryToBytes } from './bytes.js'
import { type BlockHeader, type DecodeBlockHeaderErrorType, decodeBlockHeader } from './decodeBlockHeader.js'
import {
  BlockHeaderDecodeError,
  BlockHeaderHashMismatchError,
  type BlockHeaderHashMismatchErrorType,
  ProofInputError,
  type ProofInputErrorType,
} from './errors.js'
import { keccak256 } from './keccak.js'

export type VerifyBlockHeaderParameters = {
  /** The RLP-encoded header. */
  rlp: Hex | Uint8Array
  /** The block hash the header must have (e.g. from `L1Block.hash()` or a trusted source). */
  hash: Hex
}

export type VerifyBlockHeaderReturnType = BlockHeader
export type VerifyBlockHeaderErrorType =
  | BlockHeaderHashMismatchErrorType
  | DecodeBlockHeaderErrorType
  | ProofInputErrorType

/**
 * Checks that `keccak256(rlp) === hash`, then decodes the header. A header that hashes to a
 * trusted block hash yields a trusted state root.
 *
 * @param parameters - {@link VerifyBlockHeaderParameters}
 * @returns The decoded header.
 * @throws {@link BlockHeaderHashMismatchError} if the hash differs; {@link BlockHeaderDecodeError} if malformed.
 * @example
 * const { stateRoot } = verifyBlockHeader({ rlp, hash: trustedBlockHash })
 */
export function verifyBlockHeader({ rlp, hash }: VerifyBlockHeaderParameters): VerifyBlockHeaderReturnType {
  const buf = tryToBytes(rlp)
  const rlpHex = typeof rlp === 'string' ? rlp : toHex(rlp)
  if (!buf) throw new BlockHeaderDecodeError({ reason: 'the header is not hex or bytes', rlp: rlpHex })
  const expected = tryToBytes(hash)
  if (expected?.length !== 32)
    throw new ProofInputError({ reason: 'hash must be 32 bytes of hex', input: { hash } })
  const actual = keccak256(buf)
  if (!bytesEqual(actual, expected))
    throw new BlockHeaderHashMismatchError({
      expectedHash: toHex(expected),
      actualHash: toHex(actual),
      rlp: rlpHex,
    })
  return decodeBlockHeader(buf)
}
