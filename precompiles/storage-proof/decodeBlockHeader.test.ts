import { RLP } from '@ethereumjs/rlp'
import { type Hex, keccak256 } from 'viem'
import { describe, expect, test } from 'vitest'
import { toHex, tryToBytes } from './bytes.js'
import { decodeBlockHeader } from './decodeBlockHeader.js'
import { encodeBlockHeader } from './encodeBlockHeader.js'
import { BlockHeaderDecodeError } from './errors.js'
import { exampleBlock } from './testing/header.js'

const items = () => RLP.decode(tryToBytes(encodeBlockHeader(exampleBlock))!) as Uint8Array[]
const encode = (fields: (Uint8Array | Uint8Array[])[]) => toHex(RLP.encode(fields as Uint8Array[]))

function decodeError(rlp: Hex): BlockHeaderDecodeError {
  try {
    decodeBlockHeader(rlp)
  } catch (error) {
    if (error instanceof BlockHeaderDecodeError) return error
    throw error
  }
  throw new Error('expected a BlockHeaderDecodeError')
}

describe('decodeBlockHeader', () => {
  test('fields by index, with the block hash', () => {
    const rlp = encodeBlockHeader(exampleBlock)
    const header = decodeBlockHeader(rlp)
    expect(header).toEqual({ ...exampleBlock, hash: keccak256(rlp), extraFields: [] })
    expect(decodeBlockHeader(tryToBytes(rlp)!)).toEqual(header)
  })

  test('London (16 fields) and Cancun (20 fields) headers', () => {
    const london = decodeBlockHeader(encode(items().slice(0, 16)))
    expect(london.baseFeePerGas).toBe(exampleBlock.baseFeePerGas)
    expect(london.withdrawalsRoot).toBeUndefined()
    const cancun = decodeBlockHeader(encode(items().slice(0, 20)))
    expect(cancun.parentBeaconBlockRoot).toBe(exampleBlock.parentBeaconBlockRoot)
    expect(cancun.requestsHash).toBeUndefined()
  })

  test('trailing fields of future forks are accepted and kept raw', () => {
    const header = decodeBlockHeader(
      encode([...items(), new Uint8Array(32).fill(0xab), [new Uint8Array([1])]]),
    )
    expect(header.requestsHash).toBe(exampleBlock.requestsHash)
    expect(header.extraFields).toEqual([`0xa0${'ab'.repeat(32)}`, '0xc101'])
  })

  test('strict: field sizes, canonical integers, byte strings only, field count, canonical RLP', () => {
    const withField = (i: number, value: Uint8Array | Uint8Array[]) => {
      const fields: (Uint8Array | Uint8Array[])[] = items()
      fields[i] = value
      return encode(fields)
    }
    expect(decodeError(withField(3, new Uint8Array(31))).field).toBe('stateRoot')
    expect(decodeError(withField(2, new Uint8Array(32))).reason).toMatch(
      /miner \(field 2\) is 32 bytes \(must be 20\)/,
    )
    expect(decodeError(withField(8, new Uint8Array([0, 1]))).reason).toMatch(/number .* leading zero/)
    expect(decodeError(withField(11, [new Uint8Array([1])])).reason).toMatch(/timestamp .* found a list/)
    expect(decodeError(withField(15, new Uint8Array(33).fill(1))).reason).toMatch(/at most 32/)
    expect(decodeError(encode(items().slice(0, 14))).reason).toMatch(/at least 15 fields/)
    expect(decodeError(`${encodeBlockHeader(exampleBlock)}00`).reason).toMatch(/trailing/)
    expect(decodeError(encode(items().slice(0, 15)).replace(/^0xf9/, '0xfa') as Hex).reason).toMatch(
      /remain|past the end/,
    )
    expect(decodeError('0x1').reason).toMatch(/not hex/)
  })
})
