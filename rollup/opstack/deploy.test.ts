import {
  type Address,
  decodeFunctionData,
  encodeFunctionData,
  getAddress,
  type Hex,
  keccak256,
  parseEventLogs,
  toHex,
  zeroAddress,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { opaqueDataToDepositData, publicActionsL1 } from 'viem/op-stack'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  opL1CrossDomainMessengerAbi,
  opL2CrossDomainMessengerAbi,
  opL2OutputOracleAbi,
  opOptimismPortalAbi,
} from '../../contracts/generated/index.js'
import { loadConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { planDeployments } from '../deploy/plan.js'
import { createDevnetClient, makeChain } from '../devnet/clients.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import { TxSender } from '../shared/txSender.js'
import { defineKeystoreChain } from './chain.js'
import { applyL1ToL2Alias, L2_CROSS_DOMAIN_MESSENGER, OPSTACK_VERSIONS } from './contracts.js'
import { type DeployOpStackL1ReturnType, deployOpStackL1, OpStackDeployError } from './deploy.js'
import { installMulticall3, multicall3Contract } from './multicall3.js'
import { batcherHashOf, planOpStackL1 } from './plan.js'
import { readOpStackL1 } from './read.js'

const PROPOSER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a' // anvil #2
const OWNER: Address = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720' // anvil #9: not the deployer

let chains: TestChains
let config: Config
let deployed: DeployOpStackL1ReturnType

beforeAll(async () => {
  chains = await startTestChains([{ name: 'l1', chainId: 900 }])
  config = loadConfig()
  config.keystore!.roles.owner = OWNER
  config.keystore!.finalizationPeriodSeconds = 4
})
afterAll(async () => {
  await chains?.stop()
})

const l1 = () => chains.clients.l1!
const sender = () => new TxSender({ client: l1(), account: l1().account!, pollingIntervalMs: 20 })

describe('deployOpStackL1', () => {
  test('refuses a genesis timestamp in the L1 future before sending anything', async () => {
    const future = structuredClone(config)
    future.deploy.saltPrefix = 'future'
    const head = await l1().getBlock()
    future.keystore!.genesis.timestamp = Number(head.timestamp) + 3600
    await expect(
      deployOpStackL1({ client: l1(), sender: sender(), config: future, anvil: l1() }),
    ).rejects.toThrow(/genesis timestamp is in the L1 future/)
    expect(await l1().getBlockNumber()).toBe(head.number)
  })

  test('deploys proxies, implementations and the ProxyAdmin at the planned addresses and initializes them', async () => {
    const plan = planOpStackL1(config, { deployer: l1().account!.address })
    const before = await l1().getBlock()
    deployed = await deployOpStackL1({ client: l1(), sender: sender(), config, anvil: l1() })
    expect(deployed.addresses).toEqual(plan.addresses)
    expect(Object.values(deployed.created).every((s) => s === 'deployed')).toBe(true)
    expect(Object.keys(deployed.created)).toHaveLength(11)
    expect(Object.values(deployed.initialized).every((s) => s === 'initialized')).toBe(true)
    expect(deployed.ownership).toBe('transferred')
    expect(deployed.drift).toEqual([])
    // the genesis timestamp defaulted to the L1 head at deployment; the derivation start is the init block
    expect(deployed.genesis.l2Timestamp).toBeGreaterThanOrEqual(before.timestamp)
    expect(deployed.genesis.l2BlockNumber).toBe(0n)
    expect(deployed.genesis.l1StartBlock).toBeGreaterThan(before.number)

    // every value read back from chain, independently of the deploy's own check
    const s = await readOpStackL1(l1(), deployed.addresses)
    const a = deployed.addresses
    expect(s.versions).toEqual(OPSTACK_VERSIONS)
    expect(s.proxyAdmin.owner).toBe(OWNER)
    for (const [name, p] of Object.entries(s.proxies)) {
      expect(p.admin).toBe(a.ProxyAdmin)
      expect(p.implementation).toBe(plan.implementations[name as keyof typeof plan.implementations].address)
    }
    const k = config.keystore!
    expect(s.superchainConfig).toEqual({ guardian: getAddress(k.roles.guardian), paused: false })
    expect(s.l2OutputOracle).toEqual({
      submissionInterval: 10n,
      l2BlockTime: 1n,
      startingBlockNumber: 0n,
      startingTimestamp: deployed.genesis.l2Timestamp,
      proposer: getAddress(k.roles.proposer),
      challenger: getAddress(k.roles.challenger),
      finalizationPeriodSeconds: 4n,
      nextOutputIndex: 0n,
      latestBlockNumber: 0n,
    })
    expect(s.systemConfig).toEqual({
      owner: OWNER,
      batcherHash: batcherHashOf(k.roles.batcher as Address),
      gasLimit: 30_000_000n,
      basefeeScalar: 1368,
      blobbasefeeScalar: 810949,
      // Ecotone encoding: version byte 1, blob scalar << 32, base scalar
      scalar: (1n << 248n) | (810949n << 32n) | 1368n,
      overhead: 0n,
      unsafeBlockSigner: zeroAddress,
      batchInbox: getAddress('0xff00000000000000000000000000000000000901'),
      l1CrossDomainMessenger: a.L1CrossDomainMessenger,
      optimismPortal: a.OptimismPortal,
      startBlock: deployed.genesis.l1StartBlock,
      resourceConfig: {
        maxResourceLimit: 20_000_000,
        elasticityMultiplier: 10,
        baseFeeMaxChangeDenominator: 8,
        minimumBaseFee: 1_000_000_000,
        systemTxMaxGas: 1_000_000,
        maximumBaseFee: 2n ** 128n - 1n,
      },
      gasPayingToken: getAddress('0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE'),
    })
    expect(s.optimismPortal).toEqual({
      l2Oracle: a.L2OutputOracle,
      systemConfig: a.SystemConfig,
      superchainConfig: a.SuperchainConfig,
      l2Sender: getAddress('0x000000000000000000000000000000000000dEaD'),
      paused: false,
    })
    expect(s.l1CrossDomainMessenger).toEqual({
      portal: a.OptimismPortal,
      superchainConfig: a.SuperchainConfig,
      systemConfig: a.SystemConfig,
      otherMessenger: L2_CROSS_DOMAIN_MESSENGER,
      paused: false,
    })
  })

  test('re-running sends nothing and reports everything present', async () => {
    const height = await l1().getBlockNumber()
    const again = await deployOpStackL1({ client: l1(), sender: sender(), config, anvil: l1() })
    expect(again.addresses).toEqual(deployed.addresses)
    expect(Object.values(again.created).every((s) => s === 'present')).toBe(true)
    expect(Object.values(again.initialized).every((s) => s === 'present')).toBe(true)
    expect(again.ownership).toBe('present')
    expect(again.genesis).toEqual(deployed.genesis)
    expect(await l1().getBlockNumber()).toBe(height)
  })

  test('a configuration that no longer matches the chain is an error listing the differences', async () => {
    const changed = structuredClone(config)
    changed.keystore!.finalizationPeriodSeconds = 604_800
    changed.keystore!.submissionInterval = 20
    const height = await l1().getBlockNumber()
    const error = await deployOpStackL1({ client: l1(), sender: sender(), config: changed }).catch((e) => e)
    expect(error).toBeInstanceOf(OpStackDeployError)
    expect(error.message).toMatch(/L2OutputOracle\.finalizationPeriodSeconds: on chain 4, configured 604800/)
    expect(error.message).toMatch(/L2OutputOracle\.submissionInterval: on chain 10, configured 20/)
    expect(await l1().getBlockNumber()).toBe(height)
  })

  test("L1Keystore's messenger argument is the L1CrossDomainMessenger proxy", () => {
    const plan = planDeployments(config, { deployer: l1().account!.address })
    const l1Keystore = plan.deployments.find((d) => d.name === 'L1Keystore')!
    expect(l1Keystore.args[1]).toBe(deployed.addresses.L1CrossDomainMessenger)
    // another deployer, other addresses (the ProxyAdmin's first owner is in its init code)
    const other = planDeployments(config, { deployer: OWNER }).deployments.find(
      (d) => d.name === 'L1Keystore',
    )!
    expect(other.args[1]).not.toBe(deployed.addresses.L1CrossDomainMessenger)
  })
})

describe('the deployed contracts', () => {
  test('L1CrossDomainMessenger.sendMessage deposits through the portal from the aliased messenger', async () => {
    const a = deployed.addresses
    const target: Address = '0x00000000000000000000000000000000000abcde'
    const message: Hex = '0x12345678'
    const receipt = await sender().send({
      to: a.L1CrossDomainMessenger,
      data: encodeFunctionData({
        abi: opL1CrossDomainMessengerAbi,
        functionName: 'sendMessage',
        args: [target, message, 100_000],
      }),
    })
    expect(receipt.status).toBe('success')
    const [deposit] = parseEventLogs({
      abi: opOptimismPortalAbi,
      eventName: 'TransactionDeposited',
      logs: receipt.logs,
    })
    expect(deposit!.address.toLowerCase()).toBe(a.OptimismPortal.toLowerCase())
    expect(deposit!.args.from).toBe(applyL1ToL2Alias(a.L1CrossDomainMessenger))
    expect(deposit!.args.to).toBe(L2_CROSS_DOMAIN_MESSENGER)
    expect(deposit!.args.version).toBe(0n)
    const data = opaqueDataToDepositData(deposit!.args.opaqueData)
    expect(data.isCreation).toBe(false)
    expect(data.mint).toBe(0n)
    const relay = decodeFunctionData({ abi: opL2CrossDomainMessengerAbi, data: data.data })
    expect(relay.functionName).toBe('relayMessage')
    // nonce (version 1 in the top 16 bits), sender, target, value, minGasLimit, message
    expect(relay.args).toEqual([1n << 240n, l1().account!.address, getAddress(target), 0n, 100_000n, message])
  })

  test('proposeL2Output accepts the proposer only; outputs finalize after the finalization period', async () => {
    const oo = deployed.addresses.L2OutputOracle
    const propose = (root: Hex) =>
      encodeFunctionData({
        abi: opL2OutputOracleAbi,
        functionName: 'proposeL2Output',
        args: [root, 10n, `0x${'00'.repeat(32)}`, 0n],
      })
    const root = keccak256(toHex('output 10'))
    // block 10 is at genesis + 10 s: the L1 must be past it
    await l1().increaseTime({ seconds: 20 })
    await l1().mine({ blocks: 1 })
    await expect(l1().estimateGas({ to: oo, data: propose(root) })).rejects.toThrow(
      /only the proposer address can propose new outputs/,
    )
    const proposer = new TxSender({
      client: l1(),
      account: privateKeyToAccount(PROPOSER_KEY),
      pollingIntervalMs: 20,
    })
    const receipt = await proposer.send({ to: oo, data: propose(root) })
    expect(receipt.status).toBe('success')
    const output = await l1().readContract({
      address: oo,
      abi: opL2OutputOracleAbi,
      functionName: 'getL2Output',
      args: [0n],
    })
    expect(output.outputRoot).toBe(root)
    expect(output.l2BlockNumber).toBe(10n)

    const finalized = () =>
      l1().readContract({
        address: deployed.addresses.OptimismPortal,
        abi: opOptimismPortalAbi,
        functionName: 'isOutputFinalized',
        args: [0n],
      })
    expect(await finalized()).toBe(false)
    await l1().increaseTime({ seconds: 5 })
    await l1().mine({ blocks: 1 })
    expect(await finalized()).toBe(true)
  })

  test("viem's op-stack L1 actions read our deployment (legacy L2OutputOracle path)", async () => {
    await installMulticall3(l1())
    const url = chains.anvils.l1!.rpcUrl
    const client = createDevnetClient({
      chain: makeChain({ name: 'l1', chainId: 900, rpcUrl: url, contracts: multicall3Contract }),
    }).extend(publicActionsL1())
    const keystore = defineKeystoreChain({
      chainId: 901,
      rpcUrl: 'http://127.0.0.1:1',
      l1ChainId: 900,
      addresses: deployed.addresses,
    })
    expect(await client.getPortalVersion({ targetChain: keystore })).toMatchObject({ major: 2, minor: 8 })
    const output = await client.getL2Output({ l2BlockNumber: 5n, targetChain: keystore })
    expect(output).toMatchObject({
      outputIndex: 0n,
      l2BlockNumber: 10n,
      outputRoot: keccak256(toHex('output 10')),
    })
    const next = await client.getTimeToNextL2Output({ l2BlockNumber: 15n, targetChain: keystore })
    expect(next.interval).toBe(10) // submissionInterval * l2BlockTime
    const unproven = keccak256(toHex('no such withdrawal'))
    const time = await client.getTimeToFinalize({ withdrawalHash: unproven, targetChain: keystore })
    expect(time.period).toBe(4)
  })
})
