import { type Hex, keccak256, pad, toHex } from 'viem'
import { mine } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { BatchBlockData } from '../batcher/types.js'
import { loadConfig } from '../config/load.js'
import { buildAddresses } from '../deploy/addresses.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import { createKeystoreChainNode, type KeystoreChainInputs } from '../keystore/keystoreChain.js'
import type { KeystoreNode } from '../node/KeystoreNode.js'
import { L1OriginSelector } from '../node/l1Origin.js'
import { toBatchBlock } from '../node/sequencer.js'
import { deployOpStackL1 } from '../opstack/deploy.js'
import { silentLogger } from '../shared/logger.js'
import { TxSender } from '../shared/txSender.js'
import { DerivationFaultError, type DeriveContext, deriveBlock } from './Verifier.js'

let chains: TestChains
let inputs: KeystoreChainInputs
let sequencer: KeystoreNode
let replica: KeystoreNode
let ctx: DeriveContext

beforeAll(async () => {
  chains = await startTestChains([{ name: 'l1', chainId: 900 }])
  const l1 = chains.clients.l1!
  const config = loadConfig()
  const opstack = await deployOpStackL1({
    client: l1,
    sender: new TxSender({ client: l1, account: l1.account!, pollingIntervalMs: 20 }),
    config,
    anvil: l1,
  })
  const addresses = buildAddresses({
    config,
    rpcUrls: { l1: chains.anvils.l1!.rpcUrl },
    deployed: { contracts: {}, skipped: [] },
    opstack,
  })
  inputs = {
    keystore: addresses.keystore!,
    l1Keystore: '0x1111111111111111111111111111111111111111',
    scalars: { baseFeeScalar: 1368, blobBaseFeeScalar: 810949 },
  }
  sequencer = await createKeystoreChainNode({ ...inputs, l1, confirmations: 0 })
  replica = await createKeystoreChainNode({ ...inputs, l1, confirmations: 0, role: 'verifier' })
  ctx = {
    l1,
    inputs,
    selector: new L1OriginSelector({ l1, confirmations: 0 }),
    checkWitness: true,
    log: silentLogger,
    witness: { verified: 0, unverified: 0 },
  }
  // L1 blocks for the origin to move through, each older than the L2 slots that follow
  await mine(l1, { blocks: 3, interval: 1 })
}, 60_000)
afterAll(async () => {
  await sequencer?.stop()
  await replica?.stop()
  await chains?.stop()
})

const fault = async (block: BatchBlockData) => {
  const head = replica.head.hash
  const error = await deriveBlock(ctx, replica, block).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(replica.head.hash).toBe(head) // nothing applied
  expect(error).toBeInstanceOf(DerivationFaultError)
  return (error as DerivationFaultError).reason
}

describe('deriveBlock', () => {
  test('honest batch blocks derive the sequencer’s exact blocks', async () => {
    for (let i = 0; i < 3; i++) {
      const block = await sequencer.produceBlock()
      const derived = await deriveBlock(ctx, replica, toBatchBlock(block))
      expect(derived.hash).toBe(block.hash)
    }
  })

  test('each lie in a batch block is a specific fault, and nothing is applied', async () => {
    const honest = toBatchBlock(await sequencer.produceBlock())
    const origin = honest.l1Origin
    expect(await fault({ ...honest, number: honest.number + 1n })).toBe('wrong-number')
    expect(await fault({ ...honest, timestamp: honest.timestamp + 1n })).toBe('wrong-timestamp')
    const parentOrigin = toBatchBlock(replica.head).l1Origin
    // same L1 number as the parent's origin, another hash
    expect(
      await fault({ ...honest, l1Origin: { number: parentOrigin.number, hash: keccak256(toHex('x')) } }),
    ).toBe('origin-not-child')
    // skipping an L1 block
    expect(
      await fault({ ...honest, l1Origin: { number: parentOrigin.number + 2n, hash: origin.hash } }),
    ).toBe('origin-not-child')
    // the next number, a hash L1 does not have
    expect(
      await fault({ ...honest, l1Origin: { number: parentOrigin.number + 1n, hash: keccak256(toHex('y')) } }),
    ).toBe('origin-not-canonical')
    // an L1SLOAD value L1 does not have at the origin (the portal's slot 0 is not this)
    const portal = inputs.keystore.l1.OptimismPortal.toLowerCase() as Hex
    const lie = { l1BlockNumber: origin.number, address: portal, key: pad('0x0'), value: pad('0xbad') }
    expect(await fault({ ...honest, l1sload: [lie] })).toBe('witness-mismatch')
    expect(await fault({ ...honest, l1sload: [{ ...lie, l1BlockNumber: origin.number - 1n }] })).toBe(
      'witness-mismatch',
    )
    expect(await fault({ ...honest, transactions: ['0x02deadbeef'] })).toBe('block-invalid')
    // the honest block still applies, with a true extra witness value proven on L1
    const slot0 = await chains.clients.l1!.getStorageAt({
      address: portal,
      slot: pad('0x0'),
      blockNumber: origin.number,
    })
    const verified = ctx.witness.verified
    const derived = await deriveBlock(ctx, replica, {
      ...honest,
      l1sload: [{ ...lie, value: (slot0 ?? pad('0x0')) as Hex }],
    })
    expect(ctx.witness.verified).toBe(verified + 1)
    expect(derived.number).toBe(honest.number)
  })
})
