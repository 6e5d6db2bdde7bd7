import { RLP } from '@ethereumjs/rlp'
import {
  concat,
  decodeEventLog,
  encodeAbiParameters,
  encodeEventTopics,
  encodePacked,
  type Hex,
  hexToBytes,
  keccak256,
  maxUint256,
  numberToHex,
  pad,
  parseAbiParameters,
  toHex,
  zeroAddress,
} from 'viem'
import {
  getL2TransactionHash,
  getSourceHash,
  opaqueDataToDepositData,
  parseTransaction,
  serializeTransaction,
} from 'viem/op-stack'
import { describe, expect, test } from 'vitest'
import { loadBedrockArtifact } from '../genesis/artifacts.js'
import {
  applyL1ToL2Alias,
  type DepositLog,
  type DepositTx,
  decodeDepositLog,
  decodeDepositTx,
  depositTxHash,
  encodeDepositTx,
  l1InfoDepositSourceHash,
  TRANSACTION_DEPOSITED_TOPIC,
  undoL1ToL2Alias,
  userDepositSourceHash,
} from './deposits.js'
import { DepositDecodeError } from './errors.js'
import { batcherHashOf, buildL1AttributesDeposit } from './l1Attributes.js'

const PORTAL_ABI = loadBedrockArtifact('OptimismPortal').abi
const BLOCK_HASH: Hex = '0x9ba3933dc6ce43c145349770a39c30f9b647f17668f004bd2e05c80a2e7262f7'
const A: Hex = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const B: Hex = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'

function viemSerialize(d: DepositTx): Hex {
  return serializeTransaction({
    type: 'deposit',
    sourceHash: d.sourceHash,
    from: d.from,
    ...(d.to ? { to: d.to } : {}),
    mint: d.mint,
    value: d.value,
    gas: d.gas,
    isSystemTx: d.isSystemTx,
    data: d.data,
  })
}

const deposits: DepositTx[] = [
  {
    sourceHash: keccak256('0x01'),
    from: A,
    to: B,
    mint: 0n,
    value: 0n,
    gas: 21_000n,
    isSystemTx: false,
    data: '0x',
  },
  {
    sourceHash: keccak256('0x02'),
    from: A,
    to: null,
    mint: 10n ** 18n,
    value: 5n,
    gas: 1_000_000n,
    isSystemTx: false,
    data: `0x${'60'.repeat(300)}`,
  },
  {
    sourceHash: keccak256('0x03'),
    from: B,
    to: A,
    mint: maxUint256,
    value: maxUint256,
    gas: (1n << 64n) - 1n,
    isSystemTx: true,
    data: '0x00',
  },
]

describe('source hashes (spec: keccak256(bytes32(domain) ‖ keccak256(l1BlockHash ‖ bytes32(n))))', () => {
  test.each([0, 1, 196, 2 ** 31])('user deposit, log index %i = viem getSourceHash', (logIndex) => {
    expect(userDepositSourceHash({ l1BlockHash: BLOCK_HASH, logIndex })).toBe(
      getSourceHash({ domain: 'userDeposit', l1BlockHash: BLOCK_HASH, l1LogIndex: logIndex }),
    )
  })
  test.each([0, 1, 11])('L1 info, sequence number %i = viem getSourceHash', (sequenceNumber) => {
    expect(l1InfoDepositSourceHash({ l1BlockHash: BLOCK_HASH, sequenceNumber })).toBe(
      getSourceHash({ domain: 'l1InfoDeposit', l1BlockHash: BLOCK_HASH, sequenceNumber }),
    )
  })
  test('the formula, written out', () => {
    const inner = keccak256(concat([BLOCK_HASH, pad('0x05', { size: 32 })]))
    expect(userDepositSourceHash({ l1BlockHash: BLOCK_HASH, logIndex: 5 })).toBe(
      keccak256(concat([pad('0x00', { size: 32 }), inner])),
    )
    expect(l1InfoDepositSourceHash({ l1BlockHash: BLOCK_HASH, sequenceNumber: 5 })).toBe(
      keccak256(concat([pad('0x01', { size: 32 }), inner])),
    )
    expect(() => userDepositSourceHash({ l1BlockHash: '0x1234', logIndex: 0 })).toThrow(DepositDecodeError)
  })
})

describe('deposit transaction encoding (0x7e ‖ rlp)', () => {
  test.each(deposits.map((d, i) => [i, d] as const))('deposit %i: encoding and hash = viem', (_i, d) => {
    expect(encodeDepositTx(d)).toBe(viemSerialize(d))
    expect(depositTxHash(d)).toBe(keccak256(viemSerialize(d)))
  })

  test.each(deposits.map((d, i) => [i, d] as const))(
    'deposit %i: decodes back, as viem parses it',
    (_i, d) => {
      const raw = encodeDepositTx(d)
      expect(decodeDepositTx(raw)).toEqual(d)
      const parsed = parseTransaction(raw) as unknown as DepositTx & { type: string }
      expect(parsed.type).toBe('deposit')
      expect(parsed.sourceHash).toBe(d.sourceHash)
      expect(parsed.from).toBe(d.from.toLowerCase())
      expect(parsed.to ?? null).toBe(d.to?.toLowerCase() ?? null)
      expect(parsed.mint ?? 0n).toBe(d.mint)
      expect(parsed.value ?? 0n).toBe(d.value)
      expect(parsed.gas).toBe(d.gas)
      expect(parsed.isSystemTx ?? false).toBe(d.isSystemTx)
      expect(parsed.data ?? '0x').toBe(d.data)
    },
  )

  test.each([
    ['a wrong type byte', (b: Uint8Array[]) => concat(['0x02', toHex(RLP.encode(b))])],
    ['7 fields', (b: Uint8Array[]) => concat(['0x7e', toHex(RLP.encode(b.slice(0, 7)))])],
    ['a 31-byte source hash', (b: Uint8Array[]) => reencode(b, 0, b[0]!.slice(1))],
    ['a 21-byte from', (b: Uint8Array[]) => reencode(b, 1, Uint8Array.of(1, ...b[1]!))],
    ['a mint with a leading zero', (b: Uint8Array[]) => reencode(b, 3, Uint8Array.of(0, 1))],
    ['a 9-byte gas', (b: Uint8Array[]) => reencode(b, 5, new Uint8Array(9).fill(1))],
    ['isSystemTx = 2', (b: Uint8Array[]) => reencode(b, 6, Uint8Array.of(2))],
  ])('rejects %s', (_name, mutate) => {
    const items = RLP.decode(hexToBytes(encodeDepositTx(deposits[0]!)).subarray(1)) as Uint8Array[]
    expect(() => decodeDepositTx(mutate(items))).toThrow(DepositDecodeError)
  })

  test('rejects out-of-range fields when encoding', () => {
    expect(() => encodeDepositTx({ ...deposits[0]!, gas: 1n << 64n })).toThrow(/gas is not a uint64/)
    expect(() => encodeDepositTx({ ...deposits[0]!, mint: -1n })).toThrow(/mint is not a uint256/)
    expect(() => encodeDepositTx({ ...deposits[0]!, from: '0x12' })).toThrow(/from is not an address/)
    expect(() => encodeDepositTx({ ...deposits[0]!, data: '0x123' })).toThrow(/data is not hex bytes/)
  })
})

function reencode(items: Uint8Array[], index: number, value: Uint8Array): Hex {
  const copy = [...items]
  copy[index] = value
  return concat(['0x7e', toHex(RLP.encode(copy))])
}

describe('L1→L2 address aliasing (+0x1111000000000000000000000000000000001111 mod 2^160)', () => {
  test('known values, including the wrap-around', () => {
    expect(applyL1ToL2Alias(zeroAddress)).toBe('0x1111000000000000000000000000000000001111')
    expect(applyL1ToL2Alias('0xffffffffffffffffffffffffffffffffffffffff')).toBe(
      '0x1111000000000000000000000000000000001110',
    )
    expect(undoL1ToL2Alias('0x1111000000000000000000000000000000001111')).toBe(zeroAddress)
    expect(BigInt(undoL1ToL2Alias(zeroAddress))).toBe(
      (1n << 160n) - 0x1111000000000000000000000000000000001111n,
    )
  })
  test('undo ∘ apply = identity', () => {
    for (let i = 0; i < 50; i++) {
      const address = keccak256(toHex(i)).slice(0, 42) as Hex
      expect(undoL1ToL2Alias(applyL1ToL2Alias(address)).toLowerCase()).toBe(address)
      expect(applyL1ToL2Alias(undoL1ToL2Alias(address)).toLowerCase()).toBe(address)
    }
    expect(() => applyL1ToL2Alias('0x1234')).toThrow(DepositDecodeError)
  })
})

/** A TransactionDeposited log as the portal emits it (ABI of contracts-bedrock's OptimismPortal). */
function depositLog(p: {
  from: Hex
  to: Hex
  version?: bigint
  mint: bigint
  value: bigint
  gas: bigint
  isCreation: boolean
  data: Hex
  logIndex?: number
}): DepositLog {
  const opaqueData = encodePacked(
    ['uint256', 'uint256', 'uint64', 'bool', 'bytes'],
    [p.mint, p.value, p.gas, p.isCreation, p.data],
  )
  const abi = loadBedrockArtifact('OptimismPortal').abi
  const topics = encodeEventTopics({
    abi,
    eventName: 'TransactionDeposited',
    args: { from: p.from, to: p.to, version: p.version ?? 0n },
  }) as Hex[]
  return {
    topics,
    data: encodeAbiParameters(parseAbiParameters('bytes'), [opaqueData]),
    blockHash: BLOCK_HASH,
    logIndex: p.logIndex ?? 7,
  }
}

function viemL2Hash(log: DepositLog): Hex {
  const { args } = decodeEventLog({ abi: PORTAL_ABI, topics: log.topics as [Hex], data: log.data })
  return getL2TransactionHash({
    log: { ...log, args, logIndex: Number(log.logIndex), eventName: 'TransactionDeposited' } as never,
  })
}

describe('decodeDepositLog', () => {
  test.each([
    { from: A, to: B, mint: 0n, value: 0n, gas: 100_000n, isCreation: false, data: '0x' as Hex },
    {
      from: A,
      to: B,
      mint: 10n ** 18n,
      value: 3n,
      gas: 21_000n,
      isCreation: false,
      data: '0xdeadbeef' as Hex,
    },
    {
      from: B,
      to: zeroAddress,
      mint: 1n,
      value: 0n,
      gas: 5_000_000n,
      isCreation: true,
      data: '0x6000' as Hex,
    },
    {
      from: A,
      to: B,
      mint: 0n,
      value: 0n,
      gas: 300_000n,
      isCreation: false,
      data: `0x${'ab'.repeat(333)}` as Hex,
    },
  ])('derives what viem derives: $gas gas, creation $isCreation', (p) => {
    const log = depositLog(p)
    const deposit = decodeDepositLog(log)
    const { args } = decodeEventLog({ abi: PORTAL_ABI, topics: log.topics as [Hex], data: log.data })
    const opaque = (args as unknown as { opaqueData: Hex }).opaqueData
    const viem = opaqueDataToDepositData(opaque)
    expect(deposit).toEqual({
      sourceHash: getSourceHash({ domain: 'userDeposit', l1BlockHash: BLOCK_HASH, l1LogIndex: 7 }),
      from: p.from,
      to: viem.isCreation ? null : p.to,
      mint: viem.mint,
      value: viem.value,
      gas: viem.gas,
      isSystemTx: false,
      data: viem.data,
    })
    expect(depositTxHash(deposit)).toBe(viemL2Hash(log))
  })

  test('an isCreation byte other than 0 or 1 is a creation, as in op-node (viem reads only 1 as creation)', () => {
    const log = depositLog({
      from: A,
      to: B,
      mint: 0n,
      value: 0n,
      gas: 100_000n,
      isCreation: false,
      data: '0x',
    })
    // opaque data starts at byte 64 of the log data; isCreation is its byte 72
    const at = 2 + 2 * (64 + 72)
    const tampered = { ...log, data: `${log.data.slice(0, at)}02${log.data.slice(at + 2)}` as Hex }
    expect(decodeDepositLog(tampered).to).toBeNull()
  })

  const base = depositLog({
    from: A,
    to: B,
    mint: 1n,
    value: 0n,
    gas: 100_000n,
    isCreation: false,
    data: '0x',
  })
  test.each([
    ['3 topics', { ...base, topics: base.topics.slice(0, 3) }, 'wrong-topic-count'],
    ['another event', { ...base, topics: [keccak256('0x'), ...base.topics.slice(1)] }, 'wrong-event'],
    ['a removed log', { ...base, removed: true }, 'removed-log'],
    [
      'version 1',
      depositLog({
        from: A,
        to: B,
        version: 1n,
        mint: 1n,
        value: 0n,
        gas: 1n,
        isCreation: false,
        data: '0x',
      }),
      'unsupported-version',
    ],
    [
      'opaque data of 72 bytes',
      { ...base, data: encodeAbiParameters(parseAbiParameters('bytes'), [`0x${'00'.repeat(72)}`]) },
      'short-opaque-data',
    ],
    [
      'an offset of 64',
      { ...base, data: `${numberToHex(64, { size: 32 })}${base.data.slice(66)}` as Hex },
      'bad-log-data',
    ],
    ['32 bytes of extra padding', { ...base, data: `${base.data}${'00'.repeat(32)}` as Hex }, 'bad-log-data'],
    [
      'a length beyond the data',
      {
        ...base,
        data: `${base.data.slice(0, 66)}${numberToHex(1000, { size: 32 }).slice(2)}${base.data.slice(130)}` as Hex,
      },
      'bad-log-data',
    ],
    ['data not a multiple of 32 bytes', { ...base, data: `${base.data}00` as Hex }, 'bad-log-data'],
  ] as const)('rejects %s', (_name, log, reason) => {
    const error = (() => {
      try {
        decodeDepositLog(log)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(DepositDecodeError)
    expect((error as DepositDecodeError).reason).toBe(reason)
  })

  test('the event topic is TransactionDeposited(address,address,uint256,bytes)', () => {
    expect(TRANSACTION_DEPOSITED_TOPIC).toBe(
      '0xb3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32',
    )
  })
})

describe('buildL1AttributesDeposit', () => {
  const params = {
    number: 100n,
    timestamp: 1_700_000_000n,
    baseFee: 7n,
    blobBaseFee: 1n,
    hash: BLOCK_HASH,
    sequenceNumber: 2n,
    batcherHash: batcherHashOf(A),
    baseFeeScalar: 1368,
    blobBaseFeeScalar: 810949,
  }
  test('depositor → L1Block, gas 1,000,000, no mint/value, not a system tx, source hash domain 1', () => {
    const tx = buildL1AttributesDeposit(params)
    expect(tx).toMatchObject({
      from: '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001',
      to: '0x4200000000000000000000000000000000000015',
      mint: 0n,
      value: 0n,
      gas: 1_000_000n,
      isSystemTx: false,
    })
    expect(tx.sourceHash).toBe(
      getSourceHash({ domain: 'l1InfoDeposit', l1BlockHash: BLOCK_HASH, sequenceNumber: 2 }),
    )
    expect(tx.data.slice(0, 10)).toBe('0x440a5e20')
    expect((tx.data.length - 2) / 2).toBe(164)
    expect(batcherHashOf(A)).toBe(pad(A.toLowerCase() as Hex, { size: 32 }))
  })
  test.each([
    ['number', { number: 1n << 64n }],
    ['sequenceNumber', { sequenceNumber: -1n }],
    ['baseFeeScalar', { baseFeeScalar: 2 ** 32 }],
    ['hash', { hash: '0x1234' as Hex }],
    ['batcherHash', { batcherHash: A }],
  ])('rejects a bad %s', (field, change) => {
    expect(() => buildL1AttributesDeposit({ ...params, ...change })).toThrow(new RegExp(field))
  })
})
