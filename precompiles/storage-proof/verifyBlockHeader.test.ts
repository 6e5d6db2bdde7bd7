import { keccak256 } from 'viem'
import { describe, expect, test } from 'vitest'
import { tryToBytes } from './bytes.js'
import { encodeBlockHeader } from './encodeBlockHeader.js'
import { BlockHeaderHashMismatchError, ProofInputError } from './errors.js'
import { exampleBlock } from './testing/header.js'
import { verifyBlockHeader } from './verifyBlockHeader.js'

describe('verifyBlockHeader', () => {
  const rlp = encodeBlockHeader(exampleBlock)
  const hash = keccak256(rlp)

  test('a header matching the trusted hash is decoded', () => {
    expect(verifyBlockHeader({ rlp, hash }).stateRoot).toBe(exampleBlock.stateRoot)
    expect(verifyBlockHeader({ rlp: tryToBytes(rlp)!, hash }).number).toBe(exampleBlock.number)
  })

  test('a header with any other field is rejected before decoding', () => {
    const forged = encodeBlockHeader({ ...exampleBlock, stateRoot: `0x${'45'.repeat(32)}` })
    try {
      verifyBlockHeader({ rlp: forged, hash })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(BlockHeaderHashMismatchError)
      expect((error as BlockHeaderHashMismatchError).expectedHash).toBe(hash)
      expect((error as BlockHeaderHashMismatchError).actualHash).toBe(keccak256(forged))
      expect((error as BlockHeaderHashMismatchError).input).toBe(forged)
    }
  })

  test('malformed expected hash', () => {
    expect(() => verifyBlockHeader({ rlp, hash: '0x1234' })).toThrow(ProofInputError)
  })
})
