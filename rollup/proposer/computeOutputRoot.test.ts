import { solidityPackedKeccak256, ZeroHash } from 'ethers'
import { type Hex, keccak256, toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import { EMPTY_TRIE_ROOT } from '../../precompiles/storage-proof/index.js'
import { computeOutputRoot, OutputRootInputError } from './computeOutputRoot.js'

const stateRoot = keccak256(toHex('state'))
const blockHash = keccak256(toHex('block'))

describe('computeOutputRoot', () => {
  test('is keccak256(bytes32(0) ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash)', () => {
    const root = computeOutputRoot({ stateRoot, messagePasserStorageRoot: EMPTY_TRIE_ROOT, blockHash })
    const expected = solidityPackedKeccak256(
      ['bytes32', 'bytes32', 'bytes32', 'bytes32'],
      [ZeroHash, stateRoot, EMPTY_TRIE_ROOT, blockHash],
    )
    expect(root).toBe(expected)
  })

  test('every field matters, in its place', () => {
    const base = computeOutputRoot({ stateRoot, messagePasserStorageRoot: EMPTY_TRIE_ROOT, blockHash })
    // swapping two fields changes the root
    expect(
      computeOutputRoot({
        stateRoot: blockHash,
        messagePasserStorageRoot: EMPTY_TRIE_ROOT,
        blockHash: stateRoot,
      }),
    ).not.toBe(base)
    expect(computeOutputRoot({ stateRoot, messagePasserStorageRoot: stateRoot, blockHash })).not.toBe(base)
  })

  test.each([
    ['31 bytes', `0x${'11'.repeat(31)}`],
    ['33 bytes', `0x${'11'.repeat(33)}`],
    ['odd length', `0x${'1'.repeat(63)}`],
    ['not hex', `0x${'zz'.repeat(32)}`],
    ['no 0x', '11'.repeat(32)],
  ])('rejects a field of %s', (_, bad) => {
    expect(() => computeOutputRoot({ stateRoot, messagePasserStorageRoot: bad as Hex, blockHash })).toThrow(
      OutputRootInputError,
    )
    expect(() =>
      computeOutputRoot({ stateRoot, messagePasserStorageRoot: EMPTY_TRIE_ROOT, blockHash: bad as Hex }),
    ).toThrow(/blockHash must be 32 bytes/)
  })
})
