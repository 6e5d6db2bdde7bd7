import {
  type Client,
  concatHex,
  createClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  pad,
  parseEther,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
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

it('a transaction whose L1SLOAD cannot be proven is dropped and leaves no trace in state', async () => {
  // The L1 RPC is honest but the origin's state root is not the one its proofs lead to, as with a
  // lying RPC: the precompile throws L1SloadUnavailableError in the middle of the transaction.
  const dev = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcaf784d7bf4f2ff80')
  const l1: Client = createClient({ transport: http(anvil.rpcUrl) })
  const number = await createPublicClient({ transport: http(anvil.rpcUrl) }).getBlockNumber()
  const liar = await KeystoreNode.create({
    alloc: { [reader]: { code: STATICCALL_L1SLOAD_CODE }, [dev.address]: { balance: parseEther('10') } },
    allowedRecipients: [reader],
    precompiles: [
      createL1SloadPrecompile({
        l1Client: l1,
        getL1Origin: () => ({ number, stateRoot: pad('0x01', { size: 32 }) }),
      }),
    ],
    rpc: { port: 0 },
  })
  await liar.start()
  const rpcUrl = liar.rpcUrl
  if (!rpcUrl) throw new Error('the node did not start its JSON-RPC server')
  try {
    const chain = defineChain({
      id: 901,
      name: 'keystore',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    })
    const client = createPublicClient({ chain, transport: http(rpcUrl) })
    const wallet = createWalletClient({ account: dev, chain, transport: http(rpcUrl) })
    const before = {
      block: await client.getBlock(),
      balance: await client.getBalance({ address: dev.address }),
    }
    const hash = await wallet.sendTransaction({ to: reader, data: concatHex([target, slot]), gas: 200_000n })
    await liar.produceBlock()
    const after = await client.getBlock()
    expect(after.number).toBe(before.block.number + 1n)
    expect(after.transactions).toHaveLength(0) // dropped, not included as a failed transaction
    expect(after.stateRoot).toBe(before.block.stateRoot) // no nonce bump, no fee taken
    expect(await client.getTransactionCount({ address: dev.address })).toBe(0)
    expect(await client.getBalance({ address: dev.address })).toBe(before.balance)
    await expect(client.getTransactionReceipt({ hash })).rejects.toThrow()
    expect(await client.getChainId()).toBe(901) // still serving
  } finally {
    await liar.stop()
  }
})
