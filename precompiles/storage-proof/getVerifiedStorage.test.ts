import { JsonRpcProvider } from 'ethers'
import {
  type Address,
  type Client,
  createClient,
  custom,
  type EIP1193Provider,
  type Hex,
  http,
  keccak256,
  pad,
  toHex,
} from 'viem'
import { getBalance, getBlock, getCode, getStorageAt, getTransactionCount } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Anvil, startAnvil } from '../../test/utils/anvil.js'
import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, ZERO_WORD } from './constants.js'
import { encodeBlockHeader } from './encodeBlockHeader.js'
import {
  BlockHeaderHashMismatchError,
  BlockMismatchError,
  ProofClaimMismatchError,
  ProofNodeHashMismatchError,
  ProofResponseError,
  ProofTruncatedError,
  StorageProofError,
  TrustedAnchorMismatchError,
} from './errors.js'
import { getVerifiedStorage } from './getVerifiedStorage.js'
import { deployStorageWriter, devAccount, writeSlots } from './testing/storageWriter.js'
import { verifyAccountProof } from './verifyAccountProof.js'
import type { ProofResponse } from './verifyProofResponse.js'
import { verifyStorageProof } from './verifyStorageProof.js'

const word = (n: bigint) => pad(toHex(n))
const MISSING: Address = '0x000000000000000000000000000000000000dEaD'

let anvil: Anvil
let client: Client
let contract: Address
let blockBeforeZeroing: bigint
const values = new Map<bigint, bigint>()

beforeAll(async () => {
  anvil = await startAnvil()
  client = createClient({ transport: http(anvil.rpcUrl) })
  contract = await deployStorageWriter(client)
  // 60 slots: small values (short leaves), full 32-byte words, and one that is later zeroed.
  const entries: [bigint, bigint][] = []
  for (let i = 0n; i < 60n; i++) entries.push([i, i % 3n === 0n ? (1n << 255n) + i * 0x1234567n : i + 1n])
  entries.push([2n ** 200n, 0xdeadbeefn])
  for (const [slot, value] of entries) values.set(slot, value)
  blockBeforeZeroing = await writeSlots(client, contract, entries)
  await writeSlots(client, contract, [[5n, 0n]])
  values.delete(5n)
})
afterAll(() => anvil?.stop())

const slotsToRead = [0n, 1n, 3n, 5n, 59n, 60n, 1000n, 2n ** 200n, 2n ** 256n - 1n]

describe('getVerifiedStorage against anvil', () => {
  test('present, zeroed and absent slots match eth_getStorageAt', async () => {
    const result = await getVerifiedStorage(client, { address: contract, slots: slotsToRead.map(word) })
    expect(result.trust).toBe('rpc')
    const block = await getBlock(client)
    expect(result).toMatchObject({
      blockNumber: block.number,
      blockHash: block.hash,
      stateRoot: block.stateRoot,
    })
    for (const [i, slot] of slotsToRead.entries()) {
      expect(result.storage[i]).toEqual({ slot: word(slot), value: word(values.get(slot) ?? 0n) })
      expect(result.storage[i]!.value).toBe(
        await getStorageAt(client, { address: contract, slot: word(slot) }),
      )
    }
    expect(result.storage[3]!.value).toBe(ZERO_WORD) // written, then zeroed (anvil keeps a 0-valued leaf)
    const code = await getCode(client, { address: contract })
    expect(result.account).toMatchObject({
      address: contract,
      exists: true,
      nonce: 1n,
      balance: 0n,
      codeHash: keccak256(code!),
    })
  })

  test('an account without storage, and a missing account', async () => {
    const eoa = await getVerifiedStorage(client, { address: devAccount, slots: [word(0n)] })
    expect(eoa.account).toMatchObject({
      exists: true,
      nonce: BigInt(await getTransactionCount(client, { address: devAccount })),
      balance: await getBalance(client, { address: devAccount }),
      storageRoot: EMPTY_TRIE_ROOT,
      codeHash: EMPTY_CODE_HASH,
    })
    expect(eoa.storage).toEqual([{ slot: word(0n), value: ZERO_WORD }])
    const missing = await getVerifiedStorage(client, { address: MISSING, slots: [word(1n)] })
    expect(missing.account).toEqual({
      address: MISSING,
      exists: false,
      nonce: 0n,
      balance: 0n,
      storageRoot: EMPTY_TRIE_ROOT,
      codeHash: EMPTY_CODE_HASH,
    })
    expect(missing.storage[0]!.value).toBe(ZERO_WORD)
  })

  test('an earlier block by number, and a block by hash; slot forms', async () => {
    const before = await getVerifiedStorage(client, {
      address: contract,
      slots: ['0x5', '0x05', word(5n)],
      blockNumber: blockBeforeZeroing,
    })
    expect(before.storage.map((s) => s.value)).toEqual(Array(3).fill(word(6n)))
    expect(before.storage[0]!.slot).toBe(word(5n))
    const block = await getBlock(client, { blockNumber: blockBeforeZeroing })
    const byHash = await getVerifiedStorage(client, {
      address: contract,
      slots: [word(5n)],
      blockHash: block.hash,
    })
    expect(byHash).toEqual({ ...before, storage: [before.storage[0]] })
  })

  test('the verifiers agree with raw eth_getProof', async () => {
    const block = await getBlock(client)
    const response = (await client.request({
      method: 'eth_getProof',
      params: [contract, slotsToRead.map(word), toHex(block.number)],
    })) as unknown as ProofResponse
    const account = verifyAccountProof({
      stateRoot: block.stateRoot,
      address: contract,
      proof: response.accountProof,
    })
    expect(account.storageRoot).toBe(response.storageHash)
    for (const [i, entry] of response.storageProof.entries())
      expect(
        BigInt(
          verifyStorageProof({ storageRoot: account.storageRoot, slot: slotsToRead[i]!, proof: entry.proof })
            .value,
        ),
      ).toBe(BigInt(entry.value))
  })

  test('trusted anchors make the result trustless; wrong ones are refused', async () => {
    const block = await getBlock(client)
    const trusted = await getVerifiedStorage(client, {
      address: contract,
      slots: [word(1n)],
      trustedBlockHash: block.hash,
    })
    expect(trusted).toMatchObject({
      trust: 'trustedBlockHash',
      blockHash: block.hash,
      storage: [{ value: word(2n) }],
    })
    const byRoot = await getVerifiedStorage(client, {
      address: contract,
      slots: [word(1n)],
      blockNumber: block.number,
      trustedStateRoot: block.stateRoot,
    })
    expect(byRoot.trust).toBe('trustedStateRoot')

    const parent = await getBlock(client, { blockNumber: block.number - 1n })
    // The trusted hash selects the block; asking for another block is a mismatch, never a silent switch.
    await expect(
      getVerifiedStorage(client, {
        address: contract,
        slots: [],
        blockHash: block.hash,
        trustedBlockHash: parent.hash,
      }),
    ).rejects.toBeInstanceOf(TrustedAnchorMismatchError)
    await expect(
      getVerifiedStorage(client, {
        address: contract,
        slots: [],
        blockNumber: block.number,
        trustedBlockHash: parent.hash,
      }),
    ).rejects.toMatchObject({ name: 'BlockMismatchError', field: 'number' })
    await expect(
      getVerifiedStorage(client, { address: contract, slots: [], trustedStateRoot: parent.stateRoot }),
    ).rejects.toMatchObject({
      name: 'TrustedAnchorMismatchError',
      anchor: 'stateRoot',
      trusted: parent.stateRoot,
    })
  })

  test('works through an ethers provider (EIP-1193 adapter + viem custom transport)', async () => {
    const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true })
    try {
      const eip1193 = {
        request: ({ method, params }) => provider.send(method, (params as unknown[]) ?? []),
      } as EIP1193Provider
      const viaEthers = await getVerifiedStorage(createClient({ transport: custom(eip1193) }), {
        address: contract,
        slots: slotsToRead.map(word),
      })
      const direct = await getVerifiedStorage(client, {
        address: contract,
        slots: slotsToRead.map(word),
        blockNumber: viaEthers.blockNumber,
      })
      expect(viaEthers).toEqual(direct)
    } finally {
      provider.destroy()
    }
  })
})

// JSON-RPC results are rewritten freely by the tampering proxies below.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any

/** A client whose RPC answers are rewritten by `tamper` (an EIP-1193 proxy around the real node). */
function lyingClient(
  tamper: (method: string, result: Json, params: unknown[]) => Json,
  rewriteParams?: (method: string, params: unknown[]) => unknown[],
) {
  const provider = {
    request: async ({ method, params }: { method: string; params?: unknown }) => {
      const p = (params as unknown[]) ?? []
      const result = await client.request({ method, params: rewriteParams?.(method, p) ?? p } as never)
      return tamper(method, structuredClone(result), p)
    },
  } as EIP1193Provider
  return createClient({ transport: custom(provider, { retryCount: 0 }) })
}

const isBlock = (method: string) => method === 'eth_getBlockByNumber' || method === 'eth_getBlockByHash'
const rehash = (block: Json) => ({ ...block, hash: keccak256(encodeBlockHeader(block)) })

describe('getVerifiedStorage against a lying RPC: a typed error, never a value', () => {
  const read = (c: Client, extra: object = {}) =>
    getVerifiedStorage(c, { address: contract, slots: [word(1n), word(1000n)], ...extra })

  async function expectError<E extends StorageProofError>(
    promise: Promise<unknown>,
    type: new (...args: never[]) => E,
  ): Promise<E> {
    const error = await promise.then(
      (value) => {
        throw new Error(
          `returned a value: ${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
        )
      },
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(type)
    return error as E
  }

  test('wrong storage value claimed', async () => {
    const liar = lyingClient((m, r) => {
      if (m === 'eth_getProof') r.storageProof[0].value = '0x1234'
      return r
    })
    const error = await expectError(read(liar), ProofClaimMismatchError)
    expect(error).toMatchObject({
      field: `value of slot ${word(1n)}`,
      claimed: '0x1234',
      proven: word(2n),
      proofType: 'storage',
    })
  })

  test('value claimed for an absent slot, with a truncated proof', async () => {
    const liar = lyingClient((m, r) => {
      if (m === 'eth_getProof') {
        r.storageProof[0].value = '0x0'
        r.storageProof[0].proof = r.storageProof[0].proof.slice(0, -1)
      }
      return r
    })
    const error = await expectError(read(liar), ProofTruncatedError)
    expect(error.proofType).toBe('storage')
  })

  test('forged proof nodes (storage leaf, account branch)', async () => {
    const flip = (node: Hex) => `${node.slice(0, -2)}${node.endsWith('00') ? '01' : '00'}` as Hex
    const storageLiar = lyingClient((m, r) => {
      if (m === 'eth_getProof')
        r.storageProof[0].proof[r.storageProof[0].proof.length - 1] = flip(r.storageProof[0].proof.at(-1))
      return r
    })
    const storageError = await expectError(read(storageLiar), ProofNodeHashMismatchError)
    expect(storageError.proofType).toBe('storage')
    const accountLiar = lyingClient((m, r) => {
      if (m === 'eth_getProof') r.accountProof[1] = flip(r.accountProof[1])
      return r
    })
    const accountError = await expectError(read(accountLiar), ProofNodeHashMismatchError)
    expect(accountError).toMatchObject({ proofType: 'account', nodeIndex: 1 })
  })

  test("another slot's proof passed off as the requested slot's", async () => {
    const liar = lyingClient((m, r) => {
      if (m === 'eth_getProof')
        r.storageProof[1] = { ...r.storageProof[0], key: r.storageProof[1].key, value: '0x0' }
      return r
    })
    await expectError(read(liar), StorageProofError)
    const wrongKey = lyingClient((m, r) => {
      if (m === 'eth_getProof') r.storageProof[0].key = word(7n)
      return r
    })
    await expectError(read(wrongKey), ProofResponseError)
  })

  test('proofs from another block', async () => {
    const liar = lyingClient(
      (_, r) => r,
      (m, p) => (m === 'eth_getProof' ? [p[0], p[1], toHex(blockBeforeZeroing - 1n)] : p),
    )
    const error = await expectError(read(liar), ProofNodeHashMismatchError)
    expect(error).toMatchObject({ proofType: 'account', nodeIndex: 0 })
  })

  test('header with a wrong stateRoot; block hash mismatch', async () => {
    const forgedRoot = `0x${'ab'.repeat(32)}`
    const badRoot = lyingClient((m, r) => (isBlock(m) ? { ...r, stateRoot: forgedRoot } : r))
    await expectError(read(badRoot), BlockHeaderHashMismatchError)
    const badHash = lyingClient((m, r) => (isBlock(m) ? { ...r, hash: `0x${'cd'.repeat(32)}` } : r))
    const error = await expectError(read(badHash), BlockHeaderHashMismatchError)
    expect(error.expectedHash).toBe(`0x${'cd'.repeat(32)}`)
  })

  test('a self-consistent forged header: proofs fail without an anchor, the anchor catches it first', async () => {
    const block = await getBlock(client)
    const liar = lyingClient((m, r) => (isBlock(m) ? rehash({ ...r, stateRoot: `0x${'ab'.repeat(32)}` }) : r))
    const error = await expectError(read(liar), ProofNodeHashMismatchError)
    expect(error).toMatchObject({ proofType: 'account', nodeIndex: 0, expectedHash: `0x${'ab'.repeat(32)}` })
    const anchored = await expectError(
      read(liar, { trustedBlockHash: block.hash }),
      TrustedAnchorMismatchError,
    )
    expect(anchored.anchor).toBe('blockHash')
  })

  test('a different block than requested', async () => {
    const block = await getBlock(client)
    const parent = await getBlock(client, { blockNumber: block.number - 1n })
    const liar = lyingClient(
      (_, r) => r,
      (m, p) => (m === 'eth_getBlockByNumber' ? [toHex(parent.number), false] : p),
    )
    const error = await expectError(read(liar, { blockNumber: block.number }), BlockMismatchError)
    expect(error.field).toBe('number')
  })

  test.each([
    ['nonce', '0x7'],
    ['balance', '0x1'],
    ['storageHash', EMPTY_TRIE_ROOT],
    ['codeHash', EMPTY_CODE_HASH],
  ])('account field %s mismatch', async (field, forged) => {
    const liar = lyingClient((m, r) => (m === 'eth_getProof' ? { ...r, [field]: forged } : r))
    const error = await expectError(read(liar), ProofClaimMismatchError)
    expect(error).toMatchObject({ field, claimed: forged, proofType: 'account' })
  })

  test('wrong account, missing entries, malformed quantities', async () => {
    const other = lyingClient((m, r) => (m === 'eth_getProof' ? { ...r, address: MISSING } : r))
    await expectError(read(other), ProofResponseError)
    const fewer = lyingClient((m, r) =>
      m === 'eth_getProof' ? { ...r, storageProof: r.storageProof.slice(1) } : r,
    )
    await expectError(read(fewer), ProofResponseError)
    const malformed = lyingClient((m, r) => (m === 'eth_getProof' ? { ...r, nonce: 1 } : r))
    await expectError(read(malformed), ProofResponseError)
    const noBlock = lyingClient((m, r) => (isBlock(m) ? null : r))
    await expectError(read(noBlock), BlockMismatchError)
  })
})
