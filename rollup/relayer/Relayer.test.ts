/**
 * The relayer end to end, without the keystore node: a second anvil plays the L2 with the genuine
 * L2ToL1MessagePasser and L2CrossDomainMessenger at their predeploy addresses; the L1 has our OP
 * deployment and L1Keystore (messenger = the L1CrossDomainMessenger proxy). The test proposes the
 * output roots itself (as the proposer would), then the relayer proves and finalizes, and an
 * `updateKey` sent from L2 lands in L1Keystore.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  type Hash,
  type Hex,
  http,
  keccak256,
  pad,
  parseEventLogs,
  publicActions,
  type TransactionReceipt,
  toHex,
  zeroHash,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getWithdrawals, publicActionsL1, publicActionsL2, walletActionsL1 } from 'viem/op-stack'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  l1KeystoreAbi,
  opL1CrossDomainMessengerAbi,
  opL2CrossDomainMessengerAbi,
  opL2OutputOracleAbi,
  opOptimismPortalAbi,
} from '../../contracts/generated/index.js'
import { loadConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { deployAll } from '../deploy/deploy.js'
import { getFreePort } from '../devnet/anvil.js'
import { makeChain } from '../devnet/clients.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import { defineKeystoreChain, type KeystoreChain } from '../opstack/chain.js'
import { L2_CROSS_DOMAIN_MESSENGER } from '../opstack/contracts.js'
import { type DeployOpStackL1ReturnType, deployOpStackL1 } from '../opstack/deploy.js'
import { installMulticall3, multicall3Contract } from '../opstack/multicall3.js'
import { getOutputRootAt } from '../opstack/outputRoot.js'
import { installL2Messaging } from '../opstack/testing.js'
import { TxSender } from '../shared/txSender.js'
import { OutputRootMismatchError, Relayer, type RelayerParameters } from './Relayer.js'

const KEYS = {
  proposer: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a', // anvil #2
  relayer: '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a', // anvil #4
  challenger: '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e', // anvil #6
  // the account's L2 update address: an L2 EOA here, L2Keystore on the keystore chain
  l2Writer: '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356', // anvil #7
} as const
const l2Writer = privateKeyToAccount(KEYS.l2Writer)
const KEY = keccak256(toHex('passkey-0'))
const value = (n: number): Hex => keccak256(toHex(`key value ${n}`))

let chains: TestChains
let config: Config
let op: DeployOpStackL1ReturnType
let l1Keystore: Address
let account: Address
let keystoreChain: KeystoreChain
let l2Sender: TxSender
let proposer: TxSender
const dir = mkdtempSync(join(tmpdir(), 'relayer-'))

const l1 = () => chains.clients.l1!
const l2 = () => chains.clients.l2!

beforeAll(async () => {
  chains = await startTestChains([
    { name: 'l1', chainId: 900 },
    { name: 'l2', chainId: 901 },
  ])
  config = loadConfig()
  config.deploy.contracts = config.deploy.contracts.filter((c) => c.name === 'L1Keystore')
  const deployer = new TxSender({ client: l1(), account: l1().account!, pollingIntervalMs: 20 })
  op = await deployOpStackL1({ client: l1(), sender: deployer, config, anvil: l1() })
  const deployed = await deployAll({
    config,
    chains: { l1: { client: l1(), sender: deployer, anvil: l1() } },
  })
  l1Keystore = deployed.contracts.L1Keystore!.address
  await installMulticall3(l1())
  await installL2Messaging(l2(), {
    l1CrossDomainMessenger: op.addresses.L1CrossDomainMessenger,
    sender: new TxSender({ client: l2(), account: l2().account!, pollingIntervalMs: 20 }),
  })
  keystoreChain = defineKeystoreChain({
    chainId: 901,
    rpcUrl: chains.anvils.l2!.rpcUrl,
    l1ChainId: 900,
    addresses: op.addresses,
  })
  l2Sender = new TxSender({ client: l2(), account: l2Writer, pollingIntervalMs: 20 })
  proposer = new TxSender({
    client: l1(),
    account: privateKeyToAccount(KEYS.proposer),
    pollingIntervalMs: 20,
  })

  // An L1Keystore account that accepts writes from l2Writer through the messenger.
  const owner = l1().account!.address
  const walletId = pad(toHex(1), { size: 32 })
  await deployer.send({
    to: l1Keystore,
    data: encodeFunctionData({ abi: l1KeystoreAbi, functionName: 'registerWallet', args: [walletId, owner] }),
  })
  const salt = pad(owner, { dir: 'right', size: 32 })
  account = await l1().readContract({
    address: l1Keystore,
    abi: l1KeystoreAbi,
    functionName: 'computeAccountAddress',
    args: [salt],
  })
  const receipt = await deployer.send({
    to: l1Keystore,
    data: encodeFunctionData({
      abi: l1KeystoreAbi,
      functionName: 'registerAccount',
      args: [salt, walletId, [KEY], [value(1)], '0x', l2Writer.address],
    }),
  })
  expect(receipt.status).toBe('success')
})
afterAll(async () => {
  await chains?.stop()
})

const loadKey = () =>
  l1().readContract({
    address: l1Keystore,
    abi: l1KeystoreAbi,
    functionName: 'loadKey',
    args: [account, KEY],
  })

/** Sends `updateKey(account, KEY, oldValue, newValue)` from L2 to L1Keystore through the messengers. */
async function sendUpdateKey(oldValue: Hex, newValue: Hex): Promise<TransactionReceipt> {
  const message = encodeFunctionData({
    abi: l1KeystoreAbi,
    functionName: 'updateKey',
    args: [account, KEY, oldValue, newValue],
  })
  const receipt = await l2Sender.send({
    to: L2_CROSS_DOMAIN_MESSENGER,
    data: encodeFunctionData({
      abi: opL2CrossDomainMessengerAbi,
      functionName: 'sendMessage',
      args: [l1Keystore, message, 200_000],
    }),
  })
  expect(receipt.status).toBe('success')
  return receipt
}

/** Mines the L2 up to the next output block and proposes its output root (the proposer's job). */
async function proposeNextOutput(root?: Hex): Promise<bigint> {
  const oo = op.addresses.L2OutputOracle
  const next = await l1().readContract({
    address: oo,
    abi: opL2OutputOracleAbi,
    functionName: 'nextBlockNumber',
  })
  const head = await l2().getBlockNumber()
  if (head < next) await l2().mine({ blocks: Number(next - head) })
  const { outputRoot } = await getOutputRootAt(l2(), { blockNumber: next })
  // the L1 must be past the output's L2 timestamp (genesis + n * blockTime)
  const at = await l1().readContract({
    address: oo,
    abi: opL2OutputOracleAbi,
    functionName: 'computeL2Timestamp',
    args: [next],
  })
  const now = (await l1().getBlock()).timestamp
  if (now <= at) await l1().increaseTime({ seconds: Number(at - now) + 1 })
  const receipt = await proposer.send({
    to: oo,
    data: encodeFunctionData({
      abi: opL2OutputOracleAbi,
      functionName: 'proposeL2Output',
      args: [root ?? outputRoot, next, zeroHash, 0n],
    }),
  })
  expect(receipt.status).toBe('success')
  return next
}

/** Lets the finalization period (4 s) pass on L1. */
async function passFinalizationPeriod(): Promise<void> {
  await l1().increaseTime({ seconds: 5 })
  await l1().mine({ blocks: 1 })
}

function relayer(overrides: Partial<RelayerParameters> = {}): Relayer {
  return new Relayer({
    l1: l1(),
    l2: l2(),
    account: privateKeyToAccount(KEYS.relayer),
    portal: op.addresses.OptimismPortal,
    pollIntervalMs: 30,
    backoffBaseMs: 30,
    backoffMaxMs: 200,
    txTimeoutMs: 5_000,
    ...overrides,
  })
}

async function until<T>(what: string, get: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = get()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function provenEvents(hash: Hash): Promise<number> {
  const logs = await l1().getLogs({
    address: op.addresses.OptimismPortal,
    event: opOptimismPortalAbi.find((x) => x.type === 'event' && x.name === 'WithdrawalProven')!,
    args: { withdrawalHash: hash },
    fromBlock: 0n,
  })
  return logs.length
}

describe('standard OP tooling against our contracts', () => {
  test("viem's op-stack actions prove and finalize a withdrawal: L2 updateKey reaches L1Keystore", async () => {
    const receipt = await sendUpdateKey(value(1), value(2))
    const [withdrawal] = getWithdrawals({ logs: receipt.logs })
    expect(withdrawal!.sender).toBe(L2_CROSS_DOMAIN_MESSENGER)
    expect(withdrawal!.target).toBe(op.addresses.L1CrossDomainMessenger)
    await proposeNextOutput()

    // plain viem clients, as any OP tool would set them up
    const l1Chain = makeChain({
      name: 'l1',
      chainId: 900,
      rpcUrl: chains.anvils.l1!.rpcUrl,
      contracts: multicall3Contract,
    })
    const l1Client = createWalletClient({ account: l1().account!, chain: l1Chain, transport: http() })
      .extend(publicActions)
      .extend(publicActionsL1())
      .extend(walletActionsL1())
    const l2Client = createPublicClient({ chain: keystoreChain, transport: http() }).extend(publicActionsL2())

    expect(await l1Client.getWithdrawalStatus({ receipt, targetChain: keystoreChain })).toBe('ready-to-prove')
    const output = await l1Client.getL2Output({
      l2BlockNumber: receipt.blockNumber,
      targetChain: keystoreChain,
    })
    const args = await l2Client.buildProveWithdrawal({ withdrawal: withdrawal!, output })
    const proveHash = await l1Client.proveWithdrawal(args)
    expect((await l1Client.waitForTransactionReceipt({ hash: proveHash })).status).toBe('success')
    expect(await l1Client.getWithdrawalStatus({ receipt, targetChain: keystoreChain })).toBe(
      'waiting-to-finalize',
    )

    await passFinalizationPeriod()
    const finalizeHash = await l1Client.finalizeWithdrawal({
      targetChain: keystoreChain,
      withdrawal: withdrawal!,
    })
    const finalized = await l1Client.waitForTransactionReceipt({ hash: finalizeHash })
    expect(finalized.status).toBe('success')
    const relayed = parseEventLogs({
      abi: opL1CrossDomainMessengerAbi,
      eventName: 'RelayedMessage',
      logs: finalized.logs,
    })
    expect(relayed).toHaveLength(1)
    expect(await l1Client.getWithdrawalStatus({ receipt, targetChain: keystoreChain })).toBe('finalized')
    expect(await loadKey()).toBe(value(2))
  })
})

describe('Relayer', () => {
  test('proves once an output covers the withdrawal, waits the period, finalizes: the key changes on L1', async () => {
    const r = relayer()
    await r.start()
    try {
      const receipt = await sendUpdateKey(value(2), value(3))
      const [w] = getWithdrawals({ logs: receipt.logs })
      const hash = w!.withdrawalHash
      // seen, but no output covers its block yet
      await until('seen', () => r.withdrawal(hash)?.status === 'waiting-for-output')
      await proposeNextOutput()
      const proven = await until(
        'proven',
        () => r.withdrawal(hash)?.status === 'waiting-to-finalize' && r.withdrawal(hash),
      )
      expect(proven.proveTransaction).toMatch(/^0x/)
      expect(proven.relayed).toMatchObject({
        sender: l2Writer.address,
        target: l1Keystore,
        call: { functionName: 'updateKey', args: [account, KEY, value(2), value(3)] },
      })
      expect(await loadKey()).toBe(value(2))
      await passFinalizationPeriod()
      const done = await until(
        'finalized',
        () => r.withdrawal(hash)?.status === 'finalized' && r.withdrawal(hash),
      )
      expect(done.outcome).toBe('relayed')
      expect(await loadKey()).toBe(value(3))
      // the withdrawal viem relayed in the previous test was recognized from chain state, not redone
      const first = r.withdrawals()[0]!
      expect(first.status).toBe('finalized')
      expect(first.outcome).toBe('relayed')
      expect(first.proveTransaction).toBeUndefined()
      const health = r.health()
      expect(health.status).toBe('ok')
      expect(health.counts).toMatchObject({ seen: 2, proven: 1, finalized: 1, relayed: 1, failedRelays: 0 })
      expect(health.open).toBe(0)
    } finally {
      await r.stop()
    }
    expect(r.health().status).toBe('stopped')
  })

  test('a relayed call that fails on L1 (stale compare-and-swap) is reported once and not retried', async () => {
    const receipt = await sendUpdateKey(value(2), value(4)) // the key is value(3) by now
    const [w] = getWithdrawals({ logs: receipt.logs })
    await proposeNextOutput()
    const r = relayer()
    await r.relayOnce()
    await passFinalizationPeriod()
    await r.relayOnce()
    const record = r.withdrawal(w!.withdrawalHash)!
    expect(record.status).toBe('finalized')
    expect(record.outcome).toBe('failed-relay')
    expect(record.relayed?.call?.functionName).toBe('updateKey')
    expect(
      await l1().readContract({
        address: op.addresses.L1CrossDomainMessenger,
        abi: opL1CrossDomainMessengerAbi,
        functionName: 'failedMessages',
        args: [record.relayed!.messageHash],
      }),
    ).toBe(true)
    expect(await loadKey()).toBe(value(3))
    expect(r.health().counts.failedRelays).toBe(1)
    // nothing left to do: more steps send nothing
    const height = await l1().getBlockNumber()
    await r.relayOnce()
    await r.relayOnce()
    expect(await l1().getBlockNumber()).toBe(height)
  })

  test('a restart after the proof resumes with the finalization, without proving again', async () => {
    const stateFile = join(dir, 'relayer-state.json')
    const receipt = await sendUpdateKey(value(3), value(5))
    const hash = getWithdrawals({ logs: receipt.logs })[0]!.withdrawalHash
    await proposeNextOutput()
    const first = relayer({ stateFile })
    await first.relayOnce()
    expect(first.withdrawal(hash)?.status).toBe('waiting-to-finalize')
    expect(await provenEvents(hash)).toBe(1)
    // "crash": a new relayer with the same state file
    const second = relayer({ stateFile })
    await second.relayOnce()
    expect(second.health().l2.scannedTo).toBe(first.health().l2.scannedTo)
    expect(second.withdrawals().map((w) => w.withdrawalHash)).toEqual([hash]) // only the open one was kept
    expect(second.withdrawal(hash)?.status).toBe('waiting-to-finalize')
    await passFinalizationPeriod()
    await second.relayOnce()
    expect(second.withdrawal(hash)).toMatchObject({ status: 'finalized', outcome: 'relayed' })
    expect(second.health().counts.proven).toBe(0)
    expect(await provenEvents(hash)).toBe(1)
    expect(await loadKey()).toBe(value(5))
  })

  test('an output root the L2 does not agree with is refused; after the challenger replaces it, it proves', async () => {
    const receipt = await sendUpdateKey(value(5), value(6))
    const hash = getWithdrawals({ logs: receipt.logs })[0]!.withdrawalHash
    const block = await proposeNextOutput(keccak256(toHex('a wrong output root')))
    const r = relayer({ fromBlock: receipt.blockNumber })
    const height = await l1().getBlockNumber()
    await expect(r.relayOnce()).rejects.toThrow(OutputRootMismatchError)
    expect(await l1().getBlockNumber()).toBe(height) // nothing sent
    expect(r.health().errors.mismatch).toBe(1)
    // the challenger deletes the bad output, the proposer posts the right one
    const oo = op.addresses.L2OutputOracle
    const index = await l1().readContract({
      address: oo,
      abi: opL2OutputOracleAbi,
      functionName: 'latestOutputIndex',
    })
    const challenger = new TxSender({
      client: l1(),
      account: privateKeyToAccount(KEYS.challenger),
      pollingIntervalMs: 20,
    })
    await challenger.send({
      to: oo,
      data: encodeFunctionData({ abi: opL2OutputOracleAbi, functionName: 'deleteL2Outputs', args: [index] }),
    })
    expect(await proposeNextOutput()).toBe(block)
    await r.relayOnce()
    expect(r.withdrawal(hash)?.status).toBe('waiting-to-finalize')
    await passFinalizationPeriod()
    await r.relayOnce()
    expect(r.withdrawal(hash)?.outcome).toBe('relayed')
    expect(await loadKey()).toBe(value(6))
  })

  test('L1 RPC failures back off and the relay goes on', async () => {
    const url = chains.anvils.l1!.rpcUrl
    let failures = 0
    let failed = 0
    const flaky = createPublicClient({
      chain: makeChain({ name: 'l1', chainId: 900, rpcUrl: url }),
      transport: custom(
        {
          async request({ method, params }) {
            if (failures > 0) {
              failures--
              failed++
              throw new Error('ECONNRESET (flaky transport)')
            }
            const res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
            })
            const body = (await res.json()) as {
              result?: unknown
              error?: { code: number; message: string; data?: unknown }
            }
            if (body.error) throw Object.assign(new Error(body.error.message), body.error)
            return body.result
          },
        },
        { retryCount: 0 },
      ),
      pollingInterval: 20,
    })
    const receipt = await sendUpdateKey(value(6), value(7))
    const hash = getWithdrawals({ logs: receipt.logs })[0]!.withdrawalHash
    await proposeNextOutput()
    const r = relayer({ l1: flaky, fromBlock: receipt.blockNumber })
    await r.start()
    try {
      failures = 8
      await until('proven', () => r.withdrawal(hash)?.status === 'waiting-to-finalize')
      failures = 4
      await passFinalizationPeriod()
      await until('finalized', () => r.withdrawal(hash)?.status === 'finalized')
      await until('healthy', () => r.health().consecutiveErrors === 0)
    } finally {
      await r.stop()
    }
    expect(failed).toBe(12)
    expect(r.health().errors.rpc).toBeGreaterThanOrEqual(2)
    expect(r.withdrawal(hash)?.outcome).toBe('relayed')
    expect(await provenEvents(hash)).toBe(1)
    expect(await loadKey()).toBe(value(7))
  })
})

describe('scripts/relayer.ts', () => {
  test('runs as a process against the configured chains and relays; SIGTERM stops it', async () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
    const healthPort = await getFreePort()
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/relayer.ts')], {
      cwd: root,
      env: {
        ...process.env,
        KEYSTORE_RPC: `l1=${chains.anvils.l1!.rpcUrl}`,
        RELAYER_L2_RPC: chains.anvils.l2!.rpcUrl,
        RELAYER_PORTAL: op.addresses.OptimismPortal,
        RELAYER_POLL_INTERVAL_MS: '50',
        RELAYER_L1_TARGETS: l1Keystore,
        HEALTH_PORT: String(healthPort),
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      await sendUpdateKey(value(7), value(8))
      await proposeNextOutput()
      const deadline = Date.now() + 15_000
      while ((await loadKey()) !== value(8)) {
        if (Date.now() > deadline) throw new Error(`the relayer process did not relay:\n${stderr}`)
        if (/"msg":"finalized withdrawal"/.test(stderr)) break
        if (/"msg":"proved withdrawal"/.test(stderr)) await passFinalizationPeriod()
        await new Promise((r) => setTimeout(r, 100))
      }
      const health = (await (await fetch(`http://127.0.0.1:${healthPort}/health`)).json()) as {
        status: string
      }
      expect(health.status).toBe('ok')
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited, stderr).toBe(0)
    expect(await loadKey()).toBe(value(8))
  })
})
