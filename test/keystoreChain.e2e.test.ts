/**
 * The keystore chain end to end, on a devnet this test starts: the node sequences on an L1 origin
 * (L1 attributes, L1Blocks headers), a deposit from L1 arrives, and a key written on the keystore
 * chain (L2Keystore → L1SLOAD pre-check → L2CrossDomainMessenger) is proven and finalized on L1
 * with viem's standard op-stack withdrawal actions against our node and the genuine OP contracts,
 * lands in L1Keystore through the L1CrossDomainMessenger, and is then read, proven, on l2a and l2b.
 */
import {
  type Address,
  concat,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  pad,
  parseEther,
  toHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getWithdrawals, publicActionsL1, publicActionsL2, walletActionsL1 } from 'viem/op-stack'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  keystoreChainL2KeystoreAbi,
  l1BlocksAbi,
  l1KeystoreAbi,
  l2KeystoreAbi,
  opL2OutputOracleAbi,
  opOptimismPortalAbi,
} from '../contracts/generated/index.js'
import { loadConfig } from '../rollup/config/load.js'
import { getFreePort } from '../rollup/devnet/anvil.js'
import { createDevnetClient } from '../rollup/devnet/clients.js'
import { type Devnet, startDevnet } from '../rollup/devnet/startDevnet.js'
import { KEYSTORE_PREDEPLOYS } from '../rollup/keystore/keystoreChain.js'
import { blockOrigin } from '../rollup/node/sequencer.js'
import { defineKeystoreChain } from '../rollup/opstack/chain.js'
import { Relayer } from '../rollup/relayer/Relayer.js'
import { keystoreKeySlot, syncKeys } from '../sdk/index.js'

// anvil dev key #0 (deployer, funded at the keystore chain's genesis): the account's bound signer
const signer = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
// anvil dev key #9: relays the withdrawal on L1 (anyone can)
const relayer = privateKeyToAccount('0x2a871d0798f97d79848a013d4936a73bf4ae922c1c6e47da3ff1f6dc6e5e5d6b')

let devnet: Devnet
let relayerKey: Hex
let keystoreChain: ReturnType<typeof defineKeystoreChain>

beforeAll(async () => {
  const config = loadConfig()
  config.l1.blockTime = 1
  for (const l2 of Object.values(config.l2s)) l2.originLag = 1
  if (!config.keystore) throw new Error('the devnet configuration has no keystore chain')
  config.keystore.originLag = 1
  config.keystore.submissionInterval = 4
  config.keystore.finalizationPeriodSeconds = 2
  config.feeder.pollIntervalMs = 100
  // The first write is relayed by hand with viem's op-stack actions; the devnet's Relayer is
  // started by the test for the second one.
  relayerKey = config.accounts.relayer as Hex
  delete config.accounts.relayer
  devnet = await startDevnet({
    config,
    ports: {
      l1: await getFreePort(),
      l2a: await getFreePort(),
      l2b: await getFreePort(),
      keystore: await getFreePort(),
    },
    addressesFile: false,
  })
  const ks = devnet.addresses.keystore!
  keystoreChain = defineKeystoreChain({
    chainId: ks.chainId,
    rpcUrl: devnet.rpcUrls.keystore!,
    l1ChainId: 900,
    addresses: ks.l1,
    blockTime: ks.l2BlockTime,
  })
}, 120_000)
afterAll(async () => {
  await devnet?.stop()
})

async function until<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await get()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

test('the node follows L1: origins advance, L1Blocks holds their headers', async () => {
  const node = devnet.keystore!.node
  const first = blockOrigin(node.head)
  await until('a later L1 origin', async () => blockOrigin(node.head).number > first.number + 1n || undefined)
  const keystore = createPublicClient({ chain: keystoreChain, transport: http() })
  const latest = await keystore.readContract({
    address: KEYSTORE_PREDEPLOYS.L1Blocks,
    abi: l1BlocksAbi,
    functionName: 'latestBlockNumber',
  })
  const l1Block = await devnet.clients.l1!.getBlock({ blockNumber: latest })
  expect(
    await keystore.readContract({
      address: KEYSTORE_PREDEPLOYS.L1Blocks,
      abi: l1BlocksAbi,
      functionName: 'latestL1Blockhash',
    }),
  ).toBe(l1Block.hash)
})

test('deposit round trip: ETH deposited into the portal is minted on the keystore chain', async () => {
  const ks = devnet.addresses.keystore!
  const to = privateKeyToAccount(keccak256(toHex('deposit receiver'))).address
  const l1Wallet = createWalletClient({
    account: relayer,
    chain: devnet.clients.l1!.chain,
    transport: http(devnet.rpcUrls.l1),
  })
  await devnet.clients.l1!.setBalance({ address: relayer.address, value: parseEther('100') })
  const hash = await l1Wallet.writeContract({
    address: ks.l1.OptimismPortal,
    abi: opOptimismPortalAbi,
    functionName: 'depositTransaction',
    args: [to, parseEther('1'), 100_000n, false, '0x'],
    value: parseEther('1'),
  })
  await devnet.clients.l1!.waitForTransactionReceipt({ hash })
  const keystore = createPublicClient({ chain: keystoreChain, transport: http() })
  await until(
    'the deposit on the keystore chain',
    async () => (await keystore.getBalance({ address: to })) === parseEther('1') || undefined,
  )
})

test('a key written on the keystore chain reaches L1Keystore (viem op-stack prove/finalize) and is read on l2a and l2b', async () => {
  const l1 = devnet.clients.l1!
  const ks = devnet.addresses.keystore!
  const l1Keystore = devnet.addresses.contracts.l1.L1Keystore as Address
  const operator = l1.account!
  // 1. on L1: a wallet and an account that opted in to the keystore chain's L2Keystore
  const walletId = concat([operator.address, toHex('ks-e2e', { size: 12 })])
  await l1
    .writeContract({
      account: operator,
      chain: l1.chain,
      address: l1Keystore,
      abi: l1KeystoreAbi,
      functionName: 'registerWallet',
      args: [walletId, operator.address],
    })
    .then((h) => l1.waitForTransactionReceipt({ hash: h }))
  const salt = concat([operator.address, toHex('account-1', { size: 12 })])
  const key = keccak256(toHex('passkey-0'))
  const [v1, v2] = [keccak256(toHex('key v1')), keccak256(toHex('key v2'))]
  const { result: account, request } = await l1.simulateContract({
    account: operator,
    address: l1Keystore,
    abi: l1KeystoreAbi,
    functionName: 'registerAccount',
    args: [salt, walletId, [key], [v1], '0x', KEYSTORE_PREDEPLOYS.L2Keystore],
  })
  await l1.waitForTransactionReceipt({ hash: await l1.writeContract(request) })
  // the account binds its keystore-chain signer (devnet: the account's address is impersonated)
  await l1.impersonateAccount({ address: account })
  await l1.setBalance({ address: account, value: parseEther('1') })
  const asAccount = createWalletClient({ account, chain: l1.chain, transport: http(devnet.rpcUrls.l1) })
  const bound = await l1.waitForTransactionReceipt({
    hash: await asAccount.writeContract({
      address: l1Keystore,
      abi: l1KeystoreAbi,
      functionName: 'bindAddress',
      args: [account, 901n, pad(signer.address)],
    }),
  })
  await l1.stopImpersonatingAccount({ address: account })

  // 2. on the keystore chain, once its L1 origin has the binding: updateKey (L1SLOAD pre-check, message to L1)
  const node = devnet.keystore!.node
  await until(
    'the keystore chain to reach the binding block',
    async () => blockOrigin(node.head).number >= bound.blockNumber || undefined,
  )
  const keystore = createPublicClient({ chain: keystoreChain, transport: http() }).extend(publicActionsL2())
  const keystoreWallet = createWalletClient({ account: signer, chain: keystoreChain, transport: http() })
  const hash = await keystoreWallet.writeContract({
    address: KEYSTORE_PREDEPLOYS.L2Keystore,
    abi: keystoreChainL2KeystoreAbi,
    functionName: 'updateKey',
    args: [account, key, v1, v2],
  })
  const receipt = await keystore.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
  const [withdrawal] = getWithdrawals(receipt)
  expect(withdrawal?.target.toLowerCase()).toBe(ks.l1.L1CrossDomainMessenger.toLowerCase())

  // 3. on L1 with viem's op-stack actions: wait for an output, prove, wait, finalize
  const l1Public = createPublicClient({ chain: l1.chain, transport: http(devnet.rpcUrls.l1) }).extend(
    publicActionsL1(),
  )
  const l1Relayer = createWalletClient({
    account: relayer,
    chain: l1.chain,
    transport: http(devnet.rpcUrls.l1),
  }).extend(walletActionsL1())
  await l1.setBalance({ address: relayer.address, value: parseEther('100') })
  const output = await l1Public.waitToProve({ receipt, targetChain: keystoreChain, pollingInterval: 200 })
  const args = await keystore.buildProveWithdrawal({ withdrawal: output.withdrawal, output: output.output })
  const proven = await l1Relayer.proveWithdrawal({ ...args, targetChain: keystoreChain } as never)
  await l1Public.waitForTransactionReceipt({ hash: proven })
  await l1Public.waitToFinalize({
    withdrawalHash: output.withdrawal.withdrawalHash,
    targetChain: keystoreChain,
  })
  const finalized = await l1Relayer.finalizeWithdrawal({
    withdrawal: output.withdrawal,
    targetChain: keystoreChain,
  } as never)
  const final = await l1Public.waitForTransactionReceipt({ hash: finalized })
  expect(final.status).toBe('success')
  expect(
    await l1.readContract({
      address: l1Keystore,
      abi: l1KeystoreAbi,
      functionName: 'loadKey',
      args: [account, key],
    }),
  ).toBe(v2)

  // 4. read, proven against L1 state roots, on l2a and l2b
  for (const name of ['l2a', 'l2b']) {
    const l2 = devnet.clients[name]!
    const l1Blocks = devnet.addresses.contracts.l2.L1Blocks!
    await until(
      `${name} to hold an L1 header at or after the update`,
      async () =>
        (await l2.readContract({ address: l1Blocks, abi: l1BlocksAbi, functionName: 'latestBlockNumber' })) >=
          final.blockNumber || undefined,
    )
    const l2Keystore = devnet.addresses.contracts.l2.L2Keystore!
    // (if the feeder restarts L1Blocks' window between the SDK's read of its latest block and the
    // sync, the SDK starts over at the new latest block: `retries`)
    const synced = await syncKeys(l2, { l1Client: l1, l2Keystore, account, keys: [key], retries: 6 })
    expect(synced.values).toEqual([{ key, slot: keystoreKeySlot(account, key), value: v2 }])
    expect(
      await l2.readContract({
        address: l2Keystore,
        abi: l2KeystoreAbi,
        functionName: 'loadKey',
        args: [account, key],
      }),
    ).toBe(v2)
  }

  // 5. a second change (v2 → v3), relayed by the Relayer service on its own
  const relayerAccount = privateKeyToAccount(relayerKey)
  const relayerService = new Relayer({
    l1: createDevnetClient({ chain: l1.chain, account: relayerAccount, pollingIntervalMs: 100 }),
    l2: createDevnetClient({ chain: keystoreChain, account: relayerAccount, pollingIntervalMs: 100 }),
    account: relayerAccount,
    portal: ks.l1.OptimismPortal,
    pollIntervalMs: 200,
  })
  await relayerService.start()
  try {
    const v3 = keccak256(toHex('key v3'))
    await until(
      'the keystore chain to see v2 on L1',
      async () => blockOrigin(node.head).number >= final.blockNumber || undefined,
    )
    const second = await keystore.waitForTransactionReceipt({
      hash: await keystoreWallet.writeContract({
        address: KEYSTORE_PREDEPLOYS.L2Keystore,
        abi: keystoreChainL2KeystoreAbi,
        functionName: 'updateKey',
        args: [account, key, v2, v3],
      }),
    })
    expect(second.status).toBe('success')
    await until(
      'the Relayer to finalize v3 into L1Keystore',
      async () =>
        (await l1.readContract({
          address: l1Keystore,
          abi: l1KeystoreAbi,
          functionName: 'loadKey',
          args: [account, key],
        })) === v3 || undefined,
    )
    expect(relayerService.health().status).toBe('ok')
  } finally {
    await relayerService.stop()
  }
}, 180_000)

test('the verifier re-derives the chain from L1 alone and agrees with the sequencer and the proposer', async () => {
  const verifier = devnet.keystore!.verifier!
  const node = devnet.keystore!.node
  const target = node.safeHead
  expect(target).toBeGreaterThan(0n)
  await until(
    'the verifier to reach the safe head',
    async () => verifier.node.head.number >= target || undefined,
  )
  const [ours, theirs] = await Promise.all([
    verifier.node.getBlockByNumber(target),
    node.getBlockByNumber(target),
  ])
  expect(ours?.hash).toBe(theirs?.hash)
  expect(ours?.header.stateRoot).toEqual(theirs?.header.stateRoot)
  const health = verifier.health()
  expect(health.fault).toBeUndefined()
  // the keystore-chain writes read L1 through L1SLOAD: their witness values were proven on L1
  expect(health.witness.verified).toBeGreaterThan(0)
  await until('outputs checked', async () => (verifier.health().outputs?.matched ?? 0) > 0 || undefined)
  expect(verifier.health().outputs?.mismatched).toBe(0)
  expect(verifier.health().status).toBe('ok')
}, 60_000)

test('a tampered output root is flagged loudly by the verifier', async () => {
  const verifier = devnet.keystore!.verifier!
  const ks = devnet.addresses.keystore!
  const l1 = devnet.clients.l1!
  await devnet.keystore!.proposer?.stop() // the honest proposer steps aside
  const proposer = privateKeyToAccount(devnet.config.accounts.proposer as Hex)
  const oracle = { address: ks.l1.L2OutputOracle, abi: opL2OutputOracleAbi } as const
  // A proposal the honest proposer sent just before it stopped may still land and move the
  // expected block number: read it again and retry when that happened.
  let next = 0n
  for (let attempt = 0; ; attempt++) {
    const expected = await l1.readContract({ ...oracle, functionName: 'nextBlockNumber' })
    next = expected
    await until('the L2 block of the next output to be in the past', async () => {
      const [time, head] = await Promise.all([
        l1.readContract({ ...oracle, functionName: 'computeL2Timestamp', args: [expected] }),
        l1.getBlock(),
      ])
      return time < head.timestamp || undefined
    })
    const anchor = await l1.getBlock()
    try {
      const hash = await l1.writeContract({
        ...oracle,
        account: proposer,
        chain: l1.chain,
        functionName: 'proposeL2Output',
        args: [keccak256(toHex('not the real output')), expected, anchor.hash, anchor.number],
      })
      expect((await l1.waitForTransactionReceipt({ hash })).status).toBe('success')
      break
    } catch (error) {
      if (attempt >= 2 || !/next expected block number/.test(String(error))) throw error
    }
  }
  await until(
    'the verifier to flag the output',
    async () => (verifier.health().outputs?.mismatched ?? 0) > 0 || undefined,
  )
  const health = verifier.health()
  expect(health.status).toBe('degraded')
  expect(health.outputs?.mismatches[0]).toMatchObject({ l2BlockNumber: next.toString() })
}, 60_000)
