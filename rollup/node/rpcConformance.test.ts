/**
 * JSON-RPC conformance: the keystore node's RPC driven through cast (Foundry's CLI, the real
 * binary), viem (with and without the op-stack formatters) and ethers, unmodified. The chain has
 * the genuine OP predeploys, a block with deposits (the L1-attributes system deposit and a user
 * deposit minting ETH, type 0x7e), and a predeploy the mempool accepts transactions to. Bad input
 * gets specific errors and the node keeps serving.
 */
import { JsonRpcProvider, Wallet } from 'ethers'
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  getAddress,
  type Hex,
  http,
  keccak256,
  pad,
  parseAbi,
  parseEther,
  toHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { chainConfig } from 'viem/op-stack'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type ProofResponse, verifyProofResponse } from '../../precompiles/storage-proof/index.js'
import { applyL1ToL2Alias, type DepositTx, userDepositSourceHash } from '../derivation/deposits.js'
import { batcherHashOf, buildL1AttributesDeposit } from '../derivation/l1Attributes.js'
import { CastError, runCast } from '../devnet/cast.js'
import { buildKeystoreGenesis } from '../genesis/buildKeystoreGenesis.js'
import { OP_PREDEPLOY_ADDRESSES } from '../genesis/predeploys.js'
import { KeystoreNode, type PlanBlock } from './KeystoreNode.js'

/** Empty calldata: returns sload(0). Otherwise: sstore(0, word0) and LOG1(topic 0x2a, data word0). */
const STORE_CODE: Hex = '0x36600f5760005460005260206000f35b60003580600055600052602a60206000a100'
const STORE: Hex = getAddress('0x4b00000000000000000000000000000000000042')
const NOT_ALLOWED: Hex = getAddress('0x4b00000000000000000000000000000000000099')
const DEV_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const ETHERS_KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const dev = privateKeyToAccount(DEV_KEY)
const L1_USER = getAddress('0x00000000000000000000000000000000000c0ffe')
const L1_HASH: Hex = keccak256(toHex('the L1 origin'))
const L1_BLOCK = OP_PREDEPLOY_ADDRESSES.L1Block
const TOPIC = pad('0x2a')

let node: KeystoreNode
let url: string
let deposit: { hash: Hex; tx: DepositTx }
let attributesHash: Hex
let userTx: Hex

/** Block 1 carries the L1-attributes deposit and a user deposit; every block has the attributes. */
const planBlock: PlanBlock = async ({ number }) => {
  const attributes = buildL1AttributesDeposit({
    number: 100n,
    timestamp: 1_700_000_000n,
    baseFee: 7n,
    blobBaseFee: 1n,
    hash: L1_HASH,
    sequenceNumber: number - 1n,
    batcherHash: batcherHashOf('0x90F79bf6EB2c4f870365E785982E1f101E93b906'),
    baseFeeScalar: 1368,
    blobBaseFeeScalar: 810949,
  })
  if (number !== 1n) return { deposits: [attributes], extra: new Uint8Array() }
  const user: DepositTx = {
    sourceHash: userDepositSourceHash({ l1BlockHash: L1_HASH, logIndex: 0 }),
    from: applyL1ToL2Alias(L1_USER),
    to: STORE,
    mint: parseEther('1'),
    value: parseEther('0.5'),
    gas: 100_000n,
    isSystemTx: false,
    data: pad('0x0d'),
  }
  deposit = { hash: '0x', tx: user }
  return { deposits: [attributes, user], extra: new Uint8Array() }
}

const chain = (rpc: string, op = false) =>
  defineChain({
    id: 901,
    name: 'keystore',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
    ...(op ? { formatters: chainConfig.formatters } : {}),
  })

const cast = (...args: string[]) => runCast([...args, '--rpc-url', url])
const castJson = async <T = Record<string, unknown>>(...args: string[]) =>
  JSON.parse(await cast(...args, '--json')) as T
const rpc = async (body: unknown, raw = false) => {
  const res = await fetch(url, { method: 'POST', body: raw ? (body as string) : JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

beforeAll(async () => {
  const now = BigInt(Math.floor(Date.now() / 1000))
  const { alloc } = await buildKeystoreGenesis({
    l1CrossDomainMessenger: '0x5f5a404A5edabcDD80DB05E8e54A78c9EBF000C2',
    balances: {
      [dev.address]: parseEther('100'),
      [privateKeyToAccount(ETHERS_KEY).address]: parseEther('100'),
    },
    timestamp: now,
  })
  alloc[STORE] = { code: STORE_CODE }
  alloc[NOT_ALLOWED] = { code: STORE_CODE }
  node = await KeystoreNode.create({
    alloc,
    chainId: 901,
    allowedRecipients: [STORE],
    planBlock,
    genesisTimestamp: now - 1n,
    rpc: { port: 0, maxBodyBytes: 64 * 1024 },
  })
  await node.start()
  url = node.rpcUrl as string
  const b1 = await node.produceBlock()
  attributesHash = b1.txs[0]!.hash as Hex
  deposit.hash = b1.txs[1]!.hash as Hex
  // A user transaction in block 2 (viem), for the non-deposit shapes.
  const wallet = createWalletClient({ account: dev, chain: chain(url), transport: http(url) })
  userTx = await wallet.sendTransaction({ to: STORE, data: pad('0x0b') })
  await node.produceBlock()
}, 30_000)
afterAll(async () => {
  await node?.stop()
})

describe('cast', () => {
  test('chain id, net_version, client version, block number', async () => {
    expect(await cast('chain-id')).toBe('901')
    expect(await cast('rpc', 'net_version')).toBe('"901"')
    expect(await cast('client')).toMatch(/^keystore-node\//)
    expect(BigInt(await cast('block-number'))).toBe(node.head.number)
  })

  test('blocks by number and hash; a deposit and its receipt in the shape cast parses', async () => {
    const b1 = await castJson<{ hash: Hex; number: Hex; transactions: Hex[] }>('block', '1')
    expect(b1.number).toBe('0x1')
    expect(b1.transactions).toEqual([attributesHash, deposit.hash])
    const byHash = await castJson<{ number: Hex }>('block', b1.hash)
    expect(byHash.number).toBe('0x1')
    const full = await castJson<{ transactions: { hash: Hex; type: Hex }[] }>('block', '1', '--full')
    expect(full.transactions.map((t) => t.type)).toEqual(['0x7e', '0x7e'])

    const tx = await castJson('tx', deposit.hash)
    expect(tx).toMatchObject({
      type: '0x7e',
      hash: deposit.hash,
      sourceHash: deposit.tx.sourceHash,
      from: deposit.tx.from.toLowerCase(),
      to: STORE.toLowerCase(),
      mint: toHex(parseEther('1')),
      value: toHex(parseEther('0.5')),
      blockNumber: '0x1',
    })
    const human = await cast('tx', deposit.hash)
    expect(human).toMatch(/^type\s+0x7e$/m)
    expect(human).toMatch(/^mint\s+1000000000000000000$/m)
    expect(human).toMatch(/^sourceHash\s+\d+$/m)
    expect(await cast('receipt', deposit.hash)).toMatch(/^status\s+1 \(success\)$/m)
    const receipt = await castJson('receipt', deposit.hash)
    expect(receipt).toMatchObject({ status: '0x1', type: '0x7e', blockNumber: '0x1', depositNonce: '0x0' })
    const system = await castJson('receipt', attributesHash)
    expect(system).toMatchObject({ status: '0x1', type: '0x7e', to: L1_BLOCK.toLowerCase() })
  })

  test('a user transaction, its receipt and logs', async () => {
    const tx = await castJson('tx', userTx)
    expect(tx).toMatchObject({
      type: '0x2',
      hash: userTx,
      from: dev.address.toLowerCase(),
      blockNumber: '0x2',
    })
    expect(await cast('receipt', userTx, 'status')).toMatch(/^(1|true)/)
    const logs = await castJson<{ transactionHash: Hex; topics: Hex[] }[]>(
      'logs',
      '--address',
      STORE,
      '--from-block',
      '0',
      '--to-block',
      'latest',
      TOPIC,
    )
    expect(logs.map((l) => l.transactionHash)).toEqual([deposit.hash, userTx])
  })

  test('state: balance, nonce, code, storage, call, L1Block predeploy', async () => {
    expect(await cast('balance', deposit.tx.from, '--block', '1')).toBe(parseEther('0.5').toString())
    expect(await cast('balance', STORE)).toBe(parseEther('0.5').toString())
    expect(await cast('nonce', dev.address)).toBe('1')
    expect(await cast('code', STORE)).toBe(STORE_CODE)
    expect(await cast('storage', STORE, '0')).toBe(pad('0x0b'))
    expect(await cast('storage', STORE, '0', '--block', '1')).toBe(pad('0x0d'))
    expect(await cast('call', STORE)).toBe(pad('0x0b'))
    expect(await cast('call', L1_BLOCK, 'number()(uint64)')).toBe('100')
    expect(await cast('call', L1_BLOCK, 'hash()(bytes32)')).toBe(L1_HASH)
    // A revert keeps its data: L1Block's NotDepositor() (0x3cc50b45) for any caller but the depositor.
    const reverted = await cast('call', L1_BLOCK, 'setL1BlockValuesEcotone()').catch(
      (e: CastError) => e.stderr,
    )
    expect(reverted).toMatch(/execution reverted/)
    expect(reverted).toMatch(/0x3cc50b45/)
  })

  test('eth_getProof: cast proof verifies against the block state root', async () => {
    const proof = await castJson<ProofResponse>('proof', STORE, '0', '--block', '2')
    const block = await castJson<{ stateRoot: Hex }>('block', '2')
    const verified = verifyProofResponse({
      stateRoot: block.stateRoot,
      address: STORE,
      slots: [pad('0x00')],
      response: proof,
    })
    expect(verified.storage[0]?.value).toBe(pad('0x0b'))
    expect(verified.account.balance).toBe(parseEther('0.5'))
  })

  test('fees: gas price, base fee, priority fee, fee history, estimate', async () => {
    const gasPrice = BigInt(await cast('gas-price'))
    expect(gasPrice).toBe(node.nextBaseFee + node.priorityFee)
    expect(BigInt(await cast('base-fee'))).toBe(node.head.header.baseFeePerGas)
    expect(JSON.parse(await cast('rpc', 'eth_maxPriorityFeePerGas'))).toBe(toHex(node.priorityFee))
    const history = JSON.parse(await cast('rpc', 'eth_feeHistory', '0x2', 'latest', '[25,75]')) as {
      baseFeePerGas: Hex[]
      reward: Hex[][]
    }
    expect(history.baseFeePerGas).toHaveLength(3)
    expect(history.reward[0]).toHaveLength(2)
    const gas = BigInt(await cast('estimate', STORE, '--from', dev.address, pad('0x0c')))
    expect(gas).toBeGreaterThan(21_000n + 2_000n)
  })

  test('cast send with a private key to the allowed predeploy; refused elsewhere with the reason', async () => {
    const produce = setInterval(() => node.produceBlock().catch(() => {}), 200)
    try {
      const receipt = JSON.parse(
        await runCast(['send', STORE, pad('0x0c'), '--private-key', DEV_KEY, '--rpc-url', url, '--json']),
      ) as { status: Hex; transactionHash: Hex }
      expect(receipt.status).toBe('0x1')
      expect(await cast('storage', STORE, '0')).toBe(pad('0x0c'))
      expect(await cast('nonce', dev.address)).toBe('2')
      const refused = await runCast([
        'send',
        NOT_ALLOWED,
        pad('0x01'),
        '--private-key',
        DEV_KEY,
        '--rpc-url',
        url,
      ])
        .then(() => undefined)
        .catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(CastError)
      expect((refused as CastError).stderr).toMatch(/recipient-not-allowed/)
      expect(await cast('nonce', dev.address)).toBe('2')
    } finally {
      clearInterval(produce)
    }
  })

  test('bad input: unknown method, bad params, unknown block — specific errors, the node keeps serving', async () => {
    const fails = async (...args: string[]) =>
      cast(...args).then(
        () => {
          throw new Error(`cast ${args.join(' ')} succeeded`)
        },
        (e: CastError) => e.stderr,
      )
    expect(await fails('rpc', 'eth_doesNotExist')).toMatch(/-32601|method not found: eth_doesNotExist/)
    expect(await fails('rpc', 'eth_getBalance', '0x1234', 'latest')).toMatch(/invalid params: address/)
    expect(await fails('rpc', 'eth_getBlockByNumber', '"nope"', 'false')).toMatch(/invalid params/)
    expect(await fails('storage', STORE, '0', '--block', '999999')).toMatch(/block 999999 not found/)
    expect(await cast('rpc', 'eth_getBlockByNumber', '0xffffff', 'false')).toBe('null')
    expect(await cast('tx', keccak256('0x01'), '--json').catch((e: CastError) => e.stderr)).toMatch(
      /null|not found/i,
    )
    expect(await cast('chain-id')).toBe('901')
  })
})

describe('viem', () => {
  test('op-stack formatters: a deposit in a block, by hash, and its receipt', async () => {
    const client = createPublicClient({ chain: chain(url, true), transport: http(url) })
    const block = await client.getBlock({ blockNumber: 1n, includeTransactions: true })
    const [system, user] = block.transactions
    expect(system).toMatchObject({ type: 'deposit', isSystemTx: undefined, to: L1_BLOCK.toLowerCase() })
    expect(user).toMatchObject({
      type: 'deposit',
      hash: deposit.hash,
      sourceHash: deposit.tx.sourceHash,
      mint: parseEther('1'),
      value: parseEther('0.5'),
      gas: 100_000n,
    })
    const tx = await client.getTransaction({ hash: deposit.hash })
    expect(tx.type).toBe('deposit')
    const receipt = await client.getTransactionReceipt({ hash: deposit.hash })
    // viem maps only types 0x0–0x4 in receipts (also against op-geth): a deposit receipt keeps '0x7e'.
    expect(receipt).toMatchObject({ status: 'success', type: '0x7e', blockNumber: 1n })
    // Plain viem (no op-stack formatters) reads the same block.
    const plain = createPublicClient({ chain: chain(url), transport: http(url) })
    const again = await plain.getBlock({ blockHash: block.hash, includeTransactions: true })
    expect(again.transactions.map((t) => t.hash)).toEqual([attributesHash, deposit.hash])
  })

  test('getProof, fee history, max priority fee, transaction count, logs by block hash', async () => {
    const client = createPublicClient({ chain: chain(url), transport: http(url) })
    const proof = await client.getProof({ address: STORE, storageKeys: [pad('0x00')], blockNumber: 1n })
    expect(proof.storageProof[0]?.value).toBe(13n)
    expect(proof.balance).toBe(parseEther('0.5'))
    const b1 = await client.getBlock({ blockNumber: 1n })
    expect(await client.estimateMaxPriorityFeePerGas()).toBe(node.priorityFee)
    const history = await client.getFeeHistory({ blockCount: 2, rewardPercentiles: [50] })
    expect(history.reward?.[0]).toEqual([node.priorityFee])
    expect(await client.getTransactionCount({ address: dev.address, blockTag: 'pending' })).toBeGreaterThan(0)
    expect(await client.getBlockTransactionCount({ blockHash: b1.hash })).toBe(2)
    expect((await client.getTransaction({ blockNumber: 1n, index: 1 })).hash).toBe(deposit.hash)
    expect((await client.getTransaction({ blockHash: b1.hash, index: 0 })).hash).toBe(attributesHash)
    const logs = await client.getLogs({ blockHash: b1.hash })
    expect(logs.map((l) => l.transactionHash)).toEqual([deposit.hash])
    const data = encodeFunctionData({
      abi: parseAbi(['function number() view returns (uint64)']),
      functionName: 'number',
    })
    expect(BigInt((await client.call({ to: L1_BLOCK, data })).data as Hex)).toBe(100n)
  })
})

describe('ethers', () => {
  test('provider reads (deposit included) and a Wallet transaction', async () => {
    const provider = new JsonRpcProvider(url, 901, { staticNetwork: true, polling: true })
    provider.pollingInterval = 100
    try {
      const block = await provider.getBlock(1, true)
      expect(block?.prefetchedTransactions.map((t) => t.hash)).toEqual([attributesHash, deposit.hash])
      const tx = await provider.getTransaction(deposit.hash)
      expect(tx).toMatchObject({ type: 126, hash: deposit.hash, value: parseEther('0.5'), blockNumber: 1 })
      const receipt = await provider.getTransactionReceipt(deposit.hash)
      expect(receipt?.status).toBe(1)
      const logs = await provider.getLogs({
        address: STORE,
        fromBlock: 0,
        toBlock: 'latest',
        topics: [TOPIC],
      })
      expect(logs[0]?.transactionHash).toBe(deposit.hash)
      expect(await provider.getStorage(STORE, 0, 1)).toBe(pad('0x0d'))
      expect(await provider.getCode(STORE)).toBe(STORE_CODE)
      const fees = await provider.getFeeData()
      expect(fees.maxPriorityFeePerGas).toBe(node.priorityFee)
      expect((await provider.getNetwork()).chainId).toBe(901n)

      const wallet = new Wallet(ETHERS_KEY, provider)
      const produce = setInterval(() => node.produceBlock().catch(() => {}), 200)
      try {
        const sent = await wallet.sendTransaction({ to: STORE, data: pad('0x0e') })
        const mined = await sent.wait(1, 10_000)
        expect(mined?.status).toBe(1)
        expect(await provider.getTransactionCount(wallet.address)).toBe(1)
        await expect(wallet.sendTransaction({ to: NOT_ALLOWED, data: '0x' })).rejects.toThrow(
          /recipient-not-allowed/,
        )
      } finally {
        clearInterval(produce)
      }
    } finally {
      provider.destroy()
    }
  })
})

describe('raw HTTP', () => {
  test('malformed JSON, invalid requests, unknown methods, bad params: specific codes, then still serving', async () => {
    expect((await rpc('{"jsonrpc":"2.0",', true)).json.error).toMatchObject({ code: -32700 })
    expect((await rpc({ jsonrpc: '1.0', id: 1, method: 'eth_chainId' })).json.error).toMatchObject({
      code: -32600,
    })
    expect(
      (await rpc({ jsonrpc: '2.0', id: 2, method: 'eth_chainId', params: {} })).json.error,
    ).toMatchObject({
      code: -32602,
    })
    expect((await rpc({ jsonrpc: '2.0', id: 3, method: 'eth_nope', params: [] })).json).toMatchObject({
      id: 3,
      error: { code: -32601 },
    })
    expect(
      (await rpc({ jsonrpc: '2.0', id: 4, method: 'eth_getProof', params: [STORE, ['0xzz'], 'latest'] })).json
        .error,
    ).toMatchObject({ code: -32602 })
    expect(
      (await rpc({ jsonrpc: '2.0', id: 5, method: 'eth_feeHistory', params: ['0x2', 'latest', ['x']] })).json
        .error,
    ).toMatchObject({ code: -32602 })
    const receipts = await rpc({ jsonrpc: '2.0', id: 6, method: 'eth_getBlockReceipts', params: ['0x1'] })
    expect((receipts.json.result as { transactionHash: Hex }[]).map((r) => r.transactionHash)).toEqual([
      attributesHash,
      deposit.hash,
    ])
    for (const [method, params] of [
      ['eth_getBlockReceipts', ['0xffffff']],
      ['eth_getBlockTransactionCountByHash', [keccak256('0x02')]],
      ['eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x9']],
    ] as const)
      expect((await rpc({ jsonrpc: '2.0', id: 7, method, params })).json).toMatchObject({ result: null })
    const big = await rpc(`[${'1,'.repeat(40_000)}1]`, true)
    expect(big.status).toBe(413)
    const batch = await rpc([
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
      { jsonrpc: '2.0', id: 2, method: 'eth_nope' },
      'not a request',
    ])
    expect(batch.json).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x385' },
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'method not found: eth_nope' } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request' } },
    ])
    expect((await rpc({ jsonrpc: '2.0', id: 9, method: 'eth_chainId' })).json.result).toBe('0x385')
  })
})
