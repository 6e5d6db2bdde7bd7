import { createClient, createTestClient, type Hex, http, keccak256 } from 'viem'
import { getBlock, sendTransaction } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Anvil, startAnvil } from '../../test/utils/anvil.js'
import { HEADER_FIELDS } from './blockHeaderFields.js'
import { decodeBlockHeader } from './decodeBlockHeader.js'
import { encodeBlockHeader } from './encodeBlockHeader.js'
import { BlockHeaderEncodeError } from './errors.js'

// anvil's Shanghai genesis header also carries the Cancun blob-gas fields (hashed as such).
// Its London mode is not covered here: it hashes blobGasUsed/excessBlobGas right after
// baseFeePerGas with no withdrawalsRoot, a header no real London chain produces (see the test below).
const FORKS = [
  { hardfork: 'shanghai', minFields: 17 },
  { hardfork: 'cancun', minFields: 20 },
  { hardfork: 'prague', minFields: 21 },
] as const

describe.each(FORKS)('encodeBlockHeader on anvil ($hardfork)', ({ hardfork, minFields }) => {
  let anvil: Anvil
  let client: ReturnType<typeof createClient>

  beforeAll(async () => {
    anvil = await startAnvil({ hardfork })
    client = createClient({ transport: http(anvil.rpcUrl) })
    // A block with a transaction, so the roots, bloom and gas fields are not all defaults.
    await sendTransaction(client, {
      account: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      value: 1n,
      chain: null,
    })
    await createTestClient({ mode: 'anvil', transport: http(anvil.rpcUrl) }).mine({ blocks: 2 })
  })
  afterAll(() => anvil?.stop())

  test('keccak(encodeBlockHeader(block)) === block.hash, for viem blocks and raw RPC blocks', async () => {
    for (const blockNumber of [0n, 1n, 2n]) {
      const block = await getBlock(client, { blockNumber })
      const rlp = encodeBlockHeader(block)
      expect(keccak256(rlp)).toBe(block.hash)
      const raw = await client.request({
        method: 'eth_getBlockByNumber',
        params: [`0x${blockNumber.toString(16)}`, false],
      })
      expect(encodeBlockHeader(raw as never)).toBe(rlp)

      const header = decodeBlockHeader(rlp)
      expect(header.hash).toBe(block.hash)
      expect(header.stateRoot).toBe(block.stateRoot)
      expect(header.number).toBe(blockNumber)
      expect(header.timestamp).toBe(block.timestamp)
      expect(header.baseFeePerGas).toBe(block.baseFeePerGas)
      // Exactly the header fields the RPC reported, each with the reported value.
      const reported = Object.fromEntries(
        HEADER_FIELDS.map(([name]) => [name, (raw as Record<string, unknown>)[name]]).filter(
          ([, v]) => v != null,
        ),
      )
      const decoded = Object.fromEntries(
        Object.entries(header).filter(([k]) => k !== 'hash' && k !== 'extraFields'),
      )
      expect(Object.keys(decoded)).toEqual(Object.keys(reported))
      for (const [name, value] of Object.entries(decoded))
        expect(typeof value === 'bigint' ? `0x${value.toString(16)}` : value).toBe(reported[name])
      if (blockNumber === 2n) expect(Object.keys(decoded).length).toBeGreaterThanOrEqual(minFields)
      expect(encodeBlockHeader(header)).toBe(rlp) // round trip
    }
  })
})

test('anvil --hardfork london: the inconsistent header is refused, not mis-hashed', async () => {
  const anvil = await startAnvil({ hardfork: 'london' })
  try {
    const block = await getBlock(createClient({ transport: http(anvil.rpcUrl) }), { blockNumber: 0n })
    expect(block.withdrawalsRoot).toBeUndefined()
    expect(() => encodeBlockHeader(block)).toThrow(
      /withdrawalsRoot is missing although the later field excessBlobGas/,
    )
  } finally {
    await anvil.stop()
  }
})

describe('encodeBlockHeader: optional fields', () => {
  const base = {
    parentHash: `0x${'11'.repeat(32)}`,
    sha3Uncles: `0x${'22'.repeat(32)}`,
    miner: `0x${'33'.repeat(20)}`,
    stateRoot: `0x${'44'.repeat(32)}`,
    transactionsRoot: `0x${'55'.repeat(32)}`,
    receiptsRoot: `0x${'66'.repeat(32)}`,
    logsBloom: `0x${'00'.repeat(256)}`,
    difficulty: 0n,
    number: 1n,
    gasLimit: 30_000_000n,
    gasUsed: 0n,
    timestamp: 1n,
    extraData: '0x',
    mixHash: `0x${'77'.repeat(32)}`,
    nonce: '0x0000000000000000',
  } as const

  test('a later field implies the earlier ones', () => {
    expect(() => encodeBlockHeader({ ...base, requestsHash: `0x${'88'.repeat(32)}` })).toThrow(
      BlockHeaderEncodeError,
    )
    try {
      encodeBlockHeader({ ...base, baseFeePerGas: 7n, blobGasUsed: 0n })
    } catch (error) {
      expect((error as BlockHeaderEncodeError).field).toBe('withdrawalsRoot')
      expect((error as BlockHeaderEncodeError).shortMessage).toMatch(/later field blobGasUsed/)
    }
    expect.assertions(3)
  })

  test('pending blocks and malformed fields are rejected', () => {
    expect(() => encodeBlockHeader({ ...base, number: null })).toThrow(/number is missing/)
    expect(() => encodeBlockHeader({ ...base, stateRoot: '0x1234' })).toThrow(/stateRoot is 2 bytes/)
    expect(() => encodeBlockHeader({ ...base, gasUsed: 'abc' as Hex })).toThrow(/gasUsed is not an integer/)
    expect(() => encodeBlockHeader({ ...base, gasUsed: -1n })).toThrow(/out of range/)
  })

  test('pre-London, London and future-fork headers round-trip', () => {
    expect(decodeBlockHeader(encodeBlockHeader(base)).baseFeePerGas).toBeUndefined()
    const london = decodeBlockHeader(encodeBlockHeader({ ...base, baseFeePerGas: 7n, blobGasUsed: null }))
    expect(london.baseFeePerGas).toBe(7n)
    expect(london.withdrawalsRoot).toBeUndefined()
    const full = {
      ...base,
      baseFeePerGas: 7n,
      withdrawalsRoot: `0x${'99'.repeat(32)}`,
      blobGasUsed: 0n,
      excessBlobGas: 0n,
      parentBeaconBlockRoot: `0x${'aa'.repeat(32)}`,
      requestsHash: `0x${'bb'.repeat(32)}`,
      extraFields: ['0x05', '0xc0', `0xa0${'cc'.repeat(32)}`],
    } as const
    const rlp = encodeBlockHeader(full)
    const header = decodeBlockHeader(rlp)
    expect(header.extraFields).toEqual(full.extraFields)
    expect(encodeBlockHeader(header)).toBe(rlp)
  })
})
