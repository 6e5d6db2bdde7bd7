/**
 * kill -9 under load, on the keystore chain: a sequencing node in a child process takes
 * transactions (each reading L1 through L1SLOAD) as fast as it acknowledges them and is killed
 * with SIGKILL. The restarted node holds every acknowledged transaction, keeps sequencing, and a
 * verifier that re-derives the chain from L1 alone (the batches the batcher posts) arrives at the
 * same state root.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, type Hex, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { keystoreChainL2KeystoreAbi } from '../contracts/generated/index.js'
import { Batcher } from '../rollup/batcher/Batcher.js'
import { loadConfig } from '../rollup/config/load.js'
import { buildAddresses } from '../rollup/deploy/addresses.js'
import { startTestChains, TEST_KEYS, type TestChains } from '../rollup/devnet/testing.js'
import {
  createKeystoreChainNode,
  KEYSTORE_PREDEPLOYS,
  type KeystoreChainInputs,
  nodeBatchSource,
} from '../rollup/keystore/keystoreChain.js'
import { deployOpStackL1 } from '../rollup/opstack/deploy.js'
import { TxSender } from '../rollup/shared/txSender.js'
import { Verifier } from '../rollup/verifier/Verifier.js'

// anvil dev keys #0 and #1 are funded in the keystore chain's genesis
const senders = [TEST_KEYS.deployer, TEST_KEYS.feeder].map((k) => privateKeyToAccount(k as Hex))
const BATCHER_KEY = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6' // #3 = roles.batcher

let chains: TestChains
let inputs: KeystoreChainInputs
let child: ChildProcess | undefined
const dir = mkdtempSync(join(tmpdir(), 'keystore-crash-'))

beforeAll(async () => {
  chains = await startTestChains([{ name: 'l1', chainId: 900, blockTime: 1 }])
  const l1 = chains.clients.l1!
  const config = loadConfig()
  await l1.setAutomine(true)
  const opstack = await deployOpStackL1({
    client: l1,
    sender: new TxSender({ client: l1, account: l1.account!, pollingIntervalMs: 20 }),
    config,
    anvil: l1,
  })
  await l1.setIntervalMining({ interval: 1 })
  const addresses = buildAddresses({
    config,
    rpcUrls: { l1: chains.anvils.l1!.rpcUrl },
    deployed: { contracts: {}, skipped: [] },
    opstack,
  })
  inputs = {
    keystore: addresses.keystore!,
    l1Keystore: opstack.addresses.SystemConfig, // any L1 contract with storage to read through L1SLOAD
    scalars: { baseFeeScalar: 1368, blobBaseFeeScalar: 810949 },
  }
}, 60_000)
afterAll(async () => {
  child?.kill('SIGKILL')
  await chains?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('kill -9 under load loses nothing acknowledged; a verifier re-derives the same state root from L1', async () => {
  const l1 = chains.clients.l1!
  const inputsPath = join(dir, 'inputs.json')
  writeFileSync(inputsPath, JSON.stringify(inputs))
  const dataDir = join(dir, 'node')
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('../rollup/keystore/__fixtures__/keystoreNode.ts', import.meta.url)),
      inputsPath,
      chains.anvils.l1!.rpcUrl,
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child?.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /READY (\S+)/.exec(out)
      if (m) resolve(m[1] as string)
    })
    child?.once('exit', (code) => reject(new Error(`node exited early (${code})`)))
  })
  // Load: loadKey calls on the L2Keystore predeploy (each an L1SLOAD proven against L1Blocks).
  const acked = new Set<Hex>()
  let stop = false
  const load = senders.map(async (account, s) => {
    for (let nonce = 0; !stop; nonce++) {
      const raw = await account.signTransaction({
        chainId: 901,
        type: 'eip1559',
        to: KEYSTORE_PREDEPLOYS.L2Keystore,
        data: encodeFunctionData({
          abi: keystoreChainL2KeystoreAbi,
          functionName: 'loadKey',
          args: [account.address, keccak256(toHex(`key ${s} ${nonce % 7}`))],
        }),
        nonce,
        gas: 200_000n,
        maxFeePerGas: 10n ** 11n,
        maxPriorityFeePerGas: 1n,
      })
      try {
        const res = await fetch(url, {
          method: 'POST',
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] }),
        })
        const json = (await res.json()) as { result?: Hex; error?: unknown }
        if (!json.result) throw new Error(JSON.stringify(json.error))
        acked.add(json.result)
      } catch {
        return // the node is gone
      }
    }
  })
  await new Promise((r) => setTimeout(r, 3000))
  const exited = new Promise((resolve) => child?.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
  stop = true
  await Promise.all(load)
  expect(acked.size).toBeGreaterThan(20)
  console.info(`keystore crash test: ${acked.size} transactions acknowledged before SIGKILL`)

  // Restart on the same data directory: every acknowledged tx is in a block or back in the pool.
  const node = await createKeystoreChainNode({
    ...inputs,
    l1,
    confirmations: 0,
    dataDir,
    produceBlocks: true,
  })
  await node.start()
  const verifier = new Verifier({ ...inputs, l1, checkOutputs: false, pollIntervalMs: 200 })
  const batcher = new Batcher({
    l1,
    account: privateKeyToAccount(BATCHER_KEY),
    source: nodeBatchSource(node),
    inbox: inputs.keystore.batchInbox,
    l1StartBlock: BigInt(inputs.keystore.genesis.l1StartBlock),
    maxDelayMs: 500,
    pollIntervalMs: 200,
  })
  try {
    for (const hash of acked)
      expect((await node.getTransaction(hash)) !== undefined || node.mempool.has(hash), `lost ${hash}`).toBe(
        true,
      )
    const until = async (what: string, ok: () => Promise<boolean> | boolean, ms = 60_000) => {
      const deadline = Date.now() + ms
      while (!(await ok())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
        await new Promise((r) => setTimeout(r, 200))
      }
    }
    await until('the pool to drain', () => node.mempool.size === 0)
    for (const hash of acked) expect(await node.getTransaction(hash), `not included: ${hash}`).toBeDefined()
    await batcher.start()
    await verifier.start()
    const target = node.head.number
    await until(
      'the verifier to derive the restarted chain',
      () => verifier.node.head.number >= target,
      90_000,
    )
    const [ours, theirs] = await Promise.all([
      verifier.node.getBlockByNumber(target),
      node.getBlockByNumber(target),
    ])
    expect(ours?.hash).toBe(theirs?.hash)
    expect(ours?.header.stateRoot).toEqual(theirs?.header.stateRoot)
    expect(verifier.health().fault).toBeUndefined()
    expect(verifier.health().witness.verified).toBeGreaterThan(0)
  } finally {
    await verifier.stop()
    await batcher.stop()
    await node.stop()
  }
}, 180_000)
