/**
 * The keystore-chain benchmarks' L1: an anvil L1 with the keystore chain's OP contracts and
 * L1Keystore (the devnet's deployment, `startDevnet` without feeder, origin updaters or keystore
 * node), and N real accounts registered on it, each opted in to the keystore chain's L2Keystore
 * (`l2Rollup` = 0x4b00…0002) with one key set, each binding its own EOA for chain 901 through
 * `L1Keystore.bindAddress` (sent as the account: anvil impersonation, the devnet shortcut the demo
 * uses). Those EOAs are the keystore-chain senders; their updateKey transactions pass the
 * contract's L1SLOAD pre-check (update address, key, binding: 3 slots).
 */
import { createRequire } from 'node:module'
import {
  type Address,
  concat,
  createPublicClient,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  numberToHex,
  pad,
  parseEther,
  toHex,
} from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { keystoreChainL2KeystoreAbi, l1KeystoreAbi } from '../../contracts/generated/index.js'
import { loadConfig } from '../../rollup/config/load.js'
import type { Config } from '../../rollup/config/schema.js'
import { type Devnet, getFreePort, startDevnet } from '../../rollup/devnet/index.js'
import {
  KEYSTORE_PREDEPLOYS,
  type KeystoreChainInputs,
  keystoreChainInputs,
} from '../../rollup/keystore/keystoreChain.js'

export type BenchAccount = {
  /** The L1Keystore account (CREATE3 address of its salt). */
  account: Address
  /** Its bound keystore-chain signer. */
  eoa: Address
  eoaKey: Hex
}

export type KeystoreBenchL1 = {
  devnet: Devnet
  config: Config
  /** What `createKeystoreChainNode` needs (balances: every EOA funded). */
  inputs: KeystoreChainInputs
  l1Keystore: Address
  /** The key every account holds, and its value on L1. */
  key: Hex
  value: Hex
  accounts: BenchAccount[]
  /** The L1 block holding the last binding: keystore-chain blocks must have an origin at or past it. */
  setupBlock: bigint
  stop(): Promise<void>
}

/** Deterministic EOA keys for the bench (never funded anywhere but the bench chains). */
export function benchKey(i: number): Hex {
  return keccak256(toHex(`keystore-rollup bench eoa ${i}`))
}

/**
 * Starts the L1 and registers `accounts` accounts. `config` mutates the devnet configuration
 * (default node-config/devnet.json, L1 block time 2 s) before start.
 */
export async function startKeystoreBenchL1(parameters: {
  accounts: number
  configure?: ((config: Config) => void) | undefined
  /** Keep the devnet's L2s, feeder and origin updaters (the e2e benchmark); default: L1 only. */
  full?: boolean | undefined
  log?: ((line: string) => void) | undefined
}): Promise<KeystoreBenchL1> {
  const log = parameters.log ?? (() => {})
  const config = loadConfig()
  parameters.configure?.(config)
  const ports: Record<string, number> = { l1: await getFreePort() }
  for (const name of Object.keys(config.l2s)) ports[name] = await getFreePort()
  if (config.keystore) ports.keystore = await getFreePort()
  const devnet = await startDevnet({
    config,
    ports,
    addressesFile: false,
    ...(parameters.full ? {} : { feeder: false, originUpdater: false, keystore: false }),
  })
  try {
    const l1 = devnet.clients.l1!
    const l1Keystore = devnet.addresses.contracts.l1.L1Keystore as Address
    const operator = l1.account!.address
    const rpc = (method: string, params: unknown[]) =>
      l1.request({ method, params } as never) as Promise<unknown>
    const key = keccak256(toHex('bench passkey'))
    const value = keccak256(toHex('bench passkey value v1'))
    const n = parameters.accounts
    const eoaKeys = Array.from({ length: n }, (_, i) => benchKey(i))
    const eoas = eoaKeys.map((k) => privateKeyToAddress(k))
    const walletId = concat([operator, toHex('bench', { size: 12 })])
    const salts = Array.from({ length: n }, (_, i) => concat([operator, toHex(i + 1, { size: 12 })]))
    const accounts = (await Promise.all(
      salts.map((salt) =>
        l1.readContract({
          address: l1Keystore,
          abi: l1KeystoreAbi,
          functionName: 'computeAccountAddress',
          args: [salt],
        }),
      ),
    )) as Address[]

    // Registration in a few big blocks: interval mining off, the L1 gas limit raised for the setup.
    const started = performance.now()
    await rpc('evm_setIntervalMining', [0])
    await rpc('evm_setAutomine', [false])
    await rpc('evm_setBlockGasLimit', [numberToHex(100_000_000n)])
    await rpc('anvil_autoImpersonateAccount', [true])
    const nonce = await l1.getTransactionCount({ address: operator, blockTag: 'pending' })
    const send = (from: Address, data: Hex, nonceOf?: number) =>
      rpc('eth_sendTransaction', [
        {
          from,
          to: l1Keystore,
          data,
          gas: numberToHex(600_000),
          ...(nonceOf !== undefined ? { nonce: numberToHex(nonceOf) } : {}),
        },
      ])
    await send(
      operator,
      encodeFunctionData({ abi: l1KeystoreAbi, functionName: 'registerWallet', args: [walletId, operator] }),
      nonce,
    )
    // At most PER_BLOCK transactions per L1 block: the sequencer verifies every L1 origin's
    // receipts (deposits), and anvil's eth_getBlockReceipts for thousands of transactions takes
    // longer than the RPC timeout.
    await inChunks(
      salts,
      PER_BLOCK,
      async (salt, i) => {
        await send(
          operator,
          encodeFunctionData({
            abi: l1KeystoreAbi,
            functionName: 'registerAccount',
            args: [salt, walletId, [key], [value], '0x', KEYSTORE_PREDEPLOYS.L2Keystore],
          }),
          nonce + 1 + i,
        )
      },
      () => rpc('evm_mine', []),
    )
    await inChunks(accounts, 200, (account) =>
      rpc('anvil_setBalance', [account, numberToHex(parseEther('1'))]),
    )
    await inChunks(
      accounts,
      PER_BLOCK,
      (account, i) =>
        send(
          account,
          encodeFunctionData({
            abi: l1KeystoreAbi,
            functionName: 'bindAddress',
            args: [account, 901n, pad(eoas[i]!)],
          }),
          0,
        ),
      () => rpc('evm_mine', []),
    )
    const setupBlock = await l1.getBlockNumber()
    const pending = (await rpc('txpool_status', [])) as { pending: Hex }
    if (BigInt(pending.pending) !== 0n)
      throw new Error(`bench: ${BigInt(pending.pending)} setup transactions not mined`)
    // Spot-check the first and the last account.
    for (const i of [0, n - 1]) {
      const bound = await l1.readContract({
        address: l1Keystore,
        abi: l1KeystoreAbi,
        functionName: 'boundAddress',
        args: [accounts[i]!, 901n],
      })
      if (bound.toLowerCase() !== pad(eoas[i]!).toLowerCase())
        throw new Error(`bench: account ${i} is not bound`)
    }
    await rpc('anvil_autoImpersonateAccount', [false])
    await rpc('evm_setBlockGasLimit', [numberToHex(30_000_000n)])
    await rpc('evm_setAutomine', [false])
    await rpc('evm_setIntervalMining', [config.l1.blockTime])
    log(`registered and bound ${n} accounts on L1 in ${((performance.now() - started) / 1000).toFixed(1)} s`)

    const inputs: KeystoreChainInputs = {
      ...keystoreChainInputs(config, devnet.addresses),
      balances: Object.fromEntries(eoas.map((a) => [a, parseEther('1000000')])),
    }
    return {
      devnet,
      config,
      inputs,
      l1Keystore,
      key,
      value,
      accounts: accounts.map((account, i) => ({ account, eoa: eoas[i]!, eoaKey: eoaKeys[i]! })),
      setupBlock,
      stop: () => devnet.stop(),
    }
  } catch (error) {
    await devnet.stop()
    throw error
  }
}

/**
 * Waits until the keystore chain's L1 origin has the bindings (updates pass the contract's L1SLOAD
 * pre-check only from then on): `L2Keystore.boundAddress` of the first account, read over JSON-RPC.
 */
export async function waitForBindings(
  rpcUrl: string,
  first: BenchAccount,
  timeoutMs = 60_000,
): Promise<void> {
  const keystore = createPublicClient({ transport: http(rpcUrl) })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const bound = await keystore.readContract({
      address: KEYSTORE_PREDEPLOYS.L2Keystore,
      abi: keystoreChainL2KeystoreAbi,
      functionName: 'boundAddress',
      args: [first.account, 901n],
    })
    if (BigInt(bound) === BigInt(first.eoa)) return
    if (Date.now() > deadline) throw new Error('bench: the keystore chain never saw the L1 bindings')
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Transactions per L1 block while registering. */
const PER_BLOCK = 250

async function inChunks<T>(
  items: T[],
  size: number,
  f: (item: T, index: number) => Promise<unknown>,
  after?: () => Promise<unknown>,
) {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map((item, j) => f(item, i + j)))
    await after?.()
  }
}

const require = createRequire(import.meta.url)
export const secp256k1 = require('secp256k1') as {
  ecdsaSign(msg32: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number }
}
