import { type Client, concatHex, createClient, createPublicClient, type Hex, http, pad } from 'viem'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createL1SloadPrecompile, type L1Origin } from '../../precompiles/l1sload/index.js'
import { STATICCALL_L1SLOAD_CODE } from '../../precompiles/l1sload/testing.js'
import { type Anvil, startAnvil } from '../../test/utils/anvil.js'
import { KeystoreNode } from './KeystoreNode.js'

const target: Hex = '0x2222222222222222222222222222222222222222'
const reader: Hex = '0x4200000000000000000000000000000000000101'
const slot = pad('0x07', { size: 32 })
const value = pad('0x2a', { size: 32 })

let anvil: Anvil
let node: KeystoreNode

beforeAll(async () => {
  anvil = await startAnvil()
  const l1: Client = createClient({ transport: http(anvil.rpcUrl) })
  const rpc = (method: string, params: unknown[]) =>
    l1.request({ method, params } as never) as Promise<unknown>
  await rpc('anvil_setCode', [target, '0x00'])
  await rpc('anvil_setStorageAt', [target, slot, value])
  await rpc('evm_mine', [])
  const block = (await rpc('eth_getBlockByNumber', ['latest', false])) as { number: Hex; stateRoot: Hex }
  const origin: L1Origin = { number: BigInt(block.number), stateRoot: block.stateRoot }
  node = await KeystoreNode.create({
    alloc: { [reader]: { code: STATICCALL_L1SLOAD_CODE } },
    allowedRecipients: [reader],
    precompiles: [createL1SloadPrecompile({ l1Client: l1, getL1Origin: () => origin })],
    rpc: { port: 0 },
  })
  await node.start()
})
afterAll(async () => {
  await node?.stop()
  await anvil?.stop()
})

it('a genesis contract STATICCALLs L1SLOAD (0x101) and eth_call returns the proven L1 value', async () => {
  const client = createPublicClient({ transport: http(node.rpcUrl) })
  const { data } = await client.call({ to: reader, data: concatHex([target, slot]) })
  expect(data).toBe(value)
  const gas = await client.estimateGas({ to: reader, data: concatHex([target, slot]) })
  expect(gas).toBeGreaterThan(21_000n + 4_000n)
})
