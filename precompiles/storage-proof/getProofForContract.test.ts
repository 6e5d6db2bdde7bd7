import { type Address, type Client, createClient, type Hex, http, keccak256, pad, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Anvil, startAnvil } from '../../test/utils/anvil.js'
import { decodeBlockHeader } from './decodeBlockHeader.js'
import { getProofForContract } from './getProofForContract.js'
import { getVerifiedStorage } from './getVerifiedStorage.js'
import { unpackProof } from './packProof.js'
import { deployStorageWriter, writeSlots } from './testing/storageWriter.js'
import { verifyAccountProof } from './verifyAccountProof.js'
import { verifyStorageProof } from './verifyStorageProof.js'

let anvil: Anvil
let client: Client
let contract: Address

beforeAll(async () => {
  anvil = await startAnvil()
  client = createClient({ transport: http(anvil.rpcUrl) })
  contract = await deployStorageWriter(client)
  await writeSlots(
    client,
    contract,
    Array.from({ length: 20 }, (_, i) => [BigInt(i), BigInt(i) * 1000n + 1n] as const),
  )
})
afterAll(() => anvil?.stop())

describe('getProofForContract', () => {
  test('returns the header and packed proofs that verify to the same values', async () => {
    const slots: Hex[] = [pad(toHex(3n)), pad(toHex(999n))]
    const p = await getProofForContract(client, { address: contract, slots })
    const verified = await getVerifiedStorage(client, {
      address: contract,
      slots,
      blockNumber: p.blockNumber,
    })
    expect(p).toMatchObject(verified)

    expect(keccak256(p.header)).toBe(p.blockHash)
    expect(decodeBlockHeader(p.header).stateRoot).toBe(p.stateRoot)

    const account = verifyAccountProof({
      stateRoot: p.stateRoot,
      address: contract,
      proof: unpackProof(p.accountProof),
    })
    expect(account.storageRoot).toBe(p.account.storageRoot)
    expect(p.storageProofs).toHaveLength(2)
    for (const [i, packed] of p.storageProofs.entries())
      expect(
        verifyStorageProof({ storageRoot: account.storageRoot, slot: slots[i]!, proof: unpackProof(packed) })
          .value,
      ).toBe(p.storage[i]!.value)
    expect(p.storage[0]!.value).toBe(pad(toHex(3001n)))
  })
})
