/**
 * The devnet demo: register an account on L1 → update a key → read it, proven, on l2a and l2b →
 * clear it → absence proven on both → (with the keystore chain) opt in and bind a signer there,
 * write the key on the keystore chain → relayed to L1Keystore → read, proven, on l2a and l2b. `npm run devnet` runs it after start-up; `npm run demo` runs
 * it against a devnet that is already up (addresses from node-config/devnet.addresses.json).
 *
 * Writes to L1Keystore must come from the account itself. The wallet contract arrives with the
 * account factory (issue 4), so on the devnet the demo impersonates the account's address with
 * anvil — a devnet-only shortcut, said so in the output.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type Address,
  concat,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  pad,
  parseEther,
  toHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { keystoreChainL2KeystoreAbi, l1KeystoreAbi, l2KeystoreAbi } from '../contracts/generated/index.js'
import { type NetworkAddresses, readAddresses } from '../rollup/deploy/addresses.js'
import { KEYSTORE_PREDEPLOYS } from '../rollup/keystore/keystoreChain.js'
import { syncKeys, waitForL1Block } from '../sdk/index.js'

export type DemoChain = { name: string; chainId: number; rpcUrl: string }
export type DemoContext = {
  l1: DemoChain
  l2s: DemoChain[]
  l1Keystore: Address
  l2Keystore: Address
  l1Blocks: Address
  /** Funded key on every chain (the devnet's deployer). */
  privateKey: Hex
  /**
   * The keystore chain, when the devnet runs one: the demo then also writes the key there and
   * waits for it to reach L1Keystore (batch, output root, finalization, relay) and the L2s.
   */
  keystore?: { chain: DemoChain; l2Keystore: Address } | undefined
  log?: (line: string) => void
}
export type DemoResult = {
  account: Address
  key: Hex
  updated: { chain: string; value: Hex; l1BlockNumber: bigint }[]
  cleared: { chain: string; value: Hex; l1BlockNumber: bigint }[]
  /** The keystore-chain write (when the devnet has the keystore chain) and its proven reads. */
  viaKeystore?: { hash: Hex; read: { chain: string; value: Hex; l1BlockNumber: bigint }[] } | undefined
  /** Seconds from sending each write (L1 update, L1 clear, keystore-chain write) until it was proven on every L2. */
  latencies: number[]
  seconds: number
}

const ZERO = pad('0x', { size: 32 })

export async function runDemo(ctx: DemoContext): Promise<DemoResult> {
  const log = ctx.log ?? ((line: string) => console.log(line))
  const t0 = performance.now()
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)}s`.padStart(6)
  const step = (msg: string) => log(`[${elapsed()}] ${msg}`)
  const operator = privateKeyToAccount(ctx.privateKey)
  const chainOf = (c: DemoChain) => ({
    id: c.chainId,
    name: c.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [c.rpcUrl] } },
  })
  const l1Public = createPublicClient({ chain: chainOf(ctx.l1), transport: http(ctx.l1.rpcUrl) })
  const l1Wallet = createWalletClient({
    account: operator,
    chain: chainOf(ctx.l1),
    transport: http(ctx.l1.rpcUrl),
  })
  const l1Test = createTestClient({ mode: 'anvil', chain: chainOf(ctx.l1), transport: http(ctx.l1.rpcUrl) })

  // 1. register a wallet id (once) and an account
  // Wallet ids, like salts, are bound to the address in their first 20 bytes: only the
  // operator can register this one, so nobody can squat its registry entry.
  const walletId = concat([operator.address, toHex('demo', { size: 12 })])
  const owner = await l1Public.readContract({
    address: ctx.l1Keystore,
    abi: l1KeystoreAbi,
    functionName: 'walletOwner',
    args: [walletId],
  })
  if (BigInt(owner) === 0n) {
    await send(l1Public, () =>
      l1Wallet.writeContract({
        address: ctx.l1Keystore,
        abi: l1KeystoreAbi,
        functionName: 'registerWallet',
        args: [walletId, operator.address],
      }),
    )
  }
  // A salt whose first 20 bytes are the operator's address is bound to it: nobody can
  // front-run the registration with other keys.
  const salt = concat([operator.address, toHex(crypto.getRandomValues(new Uint8Array(12)))])
  const key = keccak256(toHex('passkey-0'))
  const v1 = keccak256(toHex(`passkey public key #1 ${salt}`))
  const v2 = keccak256(toHex(`passkey public key #2 ${salt}`))
  const initdata = toHex('demo initdata')
  const { result: account, request } = await l1Public.simulateContract({
    account: operator,
    address: ctx.l1Keystore,
    abi: l1KeystoreAbi,
    functionName: 'registerAccount',
    args: [salt, walletId, [key], [v1], initdata, '0x0000000000000000000000000000000000000000'],
  })
  const reg = await send(l1Public, () => l1Wallet.writeContract(request))
  step(`l1   registered account ${account} (CREATE3 address of salt ${salt.slice(0, 18)}…) in block ${reg}`)

  // 2. the account updates its key on L1 (compare-and-swap on the old value)
  await l1Test.impersonateAccount({ address: account })
  await l1Test.setBalance({ address: account, value: parseEther('1') })
  const asAccount = createWalletClient({ account, chain: chainOf(ctx.l1), transport: http(ctx.l1.rpcUrl) })
  const updateKey = (oldValue: Hex, newValue: Hex) =>
    send(l1Public, () =>
      asAccount.writeContract({
        address: ctx.l1Keystore,
        abi: l1KeystoreAbi,
        functionName: 'updateKey',
        args: [account, key, oldValue, newValue],
      }),
    )
  const latencies: number[] = []
  let sentAt = performance.now()
  const updatedAt = await updateKey(v1, v2)
  step(
    `l1   account updated key ${short(key)} → ${short(v2)} in block ${updatedAt} (devnet: account impersonated)`,
  )

  // 3. read it, proven, on every L2
  const updated = await readEverywhere(updatedAt, v2)
  latencies.push((performance.now() - sentAt) / 1000)

  // 4. clear it on L1; 5. absence proven everywhere
  sentAt = performance.now()
  const clearedAt = await updateKey(v2, ZERO)
  step(`l1   account cleared key ${short(key)} in block ${clearedAt}`)
  const cleared = await readEverywhere(clearedAt, ZERO)
  latencies.push((performance.now() - sentAt) / 1000)

  // 6. the keystore chain: opt in, bind a signer there, write the key on the keystore chain
  let viaKeystore: DemoResult['viaKeystore']
  if (ctx.keystore) {
    const ks = ctx.keystore
    const v3 = keccak256(toHex(`passkey public key #3 ${salt}`))
    await send(l1Public, () =>
      asAccount.writeContract({
        address: ctx.l1Keystore,
        abi: l1KeystoreAbi,
        functionName: 'updateAccess',
        args: [account, '0x0000000000000000000000000000000000000000', ks.l2Keystore],
      }),
    )
    const bound = await send(l1Public, () =>
      asAccount.writeContract({
        address: ctx.l1Keystore,
        abi: l1KeystoreAbi,
        functionName: 'bindAddress',
        args: [account, BigInt(ks.chain.chainId), pad(operator.address)],
      }),
    )
    step(
      `l1   account opted in to the keystore chain's L2Keystore and bound signer ${short(operator.address)} there (block ${bound})`,
    )
    const ksPublic = createPublicClient({ chain: chainOf(ks.chain), transport: http(ks.chain.rpcUrl) })
    const ksWallet = createWalletClient({
      account: operator,
      chain: chainOf(ks.chain),
      transport: http(ks.chain.rpcUrl),
    })
    // The keystore chain reads L1 at its L1 origin: wait until that includes the binding.
    await until(
      async () => (await l1OriginOf(ksPublic)) >= bound,
      60_000,
      'the keystore chain to see the binding',
    )
    sentAt = performance.now()
    const hash = await ksWallet.writeContract({
      address: ks.l2Keystore,
      abi: keystoreChainL2KeystoreAbi,
      functionName: 'writeKey',
      args: [account, key, v3],
    })
    const receipt = await ksPublic.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error(`keystore-chain writeKey ${hash} reverted`)
    step(
      `ks   signer wrote ${short(key)} = ${short(v3)} on the keystore chain (block ${receipt.blockNumber}, gasUsed ${receipt.gasUsed}); ` +
        'now: batch → output root → finalization period → relay to L1Keystore',
    )
    let landedAt = 0n
    await until(
      async () => {
        const value = await l1Public.readContract({
          address: ctx.l1Keystore,
          abi: l1KeystoreAbi,
          functionName: 'loadKey',
          args: [account, key],
        })
        if (value !== v3) return false
        landedAt = await l1Public.getBlockNumber()
        return true
      },
      180_000,
      'the relayed write on L1',
    )
    step(
      `l1   L1Keystore has ${short(v3)} (relayed from the keystore chain through the L1CrossDomainMessenger)`,
    )
    const read = await readEverywhere(landedAt, v3)
    latencies.push((performance.now() - sentAt) / 1000)
    viaKeystore = { hash, read }
  }
  await l1Test.stopImpersonatingAccount({ address: account })

  const seconds = (performance.now() - t0) / 1000
  step(
    `done: the key change reached ${ctx.l2s.map((c) => c.name).join(' and ')}, proven against L1 state roots`,
  )
  return { account, key, updated, cleared, viaKeystore, latencies, seconds }

  async function readEverywhere(l1Block: bigint, expected: Hex) {
    return Promise.all(
      ctx.l2s.map(async (c) => {
        const l2Public = createPublicClient({ chain: chainOf(c), transport: http(c.rpcUrl) })
        const l2Wallet = createWalletClient({
          account: operator,
          chain: chainOf(c),
          transport: http(c.rpcUrl),
        })
        const l1BlockNumber = await waitForL1Block(l2Public, {
          l1Blocks: ctx.l1Blocks,
          l1BlockNumber: l1Block,
        })
        const sync = await syncKeys(l2Wallet, {
          l1Client: l1Public,
          l2Keystore: ctx.l2Keystore,
          account,
          keys: [key],
        })
        const [value, fromBlock] = await l2Public.readContract({
          address: ctx.l2Keystore,
          abi: l2KeystoreAbi,
          functionName: 'loadKeyWithBlock',
          args: [account, key],
        })
        if (value !== expected) throw new Error(`${c.name}: expected ${expected}, read ${value}`)
        const what = BigInt(value) === 0n ? 'absent (proven)' : short(value)
        step(
          `${c.name.padEnd(4)} loadKey = ${what} at L1 block ${fromBlock} ` +
            `(proof verified against L1Blocks state root; sync tx gasUsed ${sync.gasUsed}, L1 head seen ${l1BlockNumber})`,
        )
        return { chain: c.name, value, l1BlockNumber: fromBlock }
      }),
    )
  }
}

async function until(predicate: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** The keystore chain's current L1 origin (its L1Block predeploy). */
async function l1OriginOf(client: PublicClient): Promise<bigint> {
  return client.readContract({
    address: '0x4200000000000000000000000000000000000015',
    abi: [
      {
        type: 'function',
        name: 'number',
        inputs: [],
        outputs: [{ type: 'uint64' }],
        stateMutability: 'view',
      },
    ],
    functionName: 'number',
  })
}

async function send(client: PublicClient, write: () => Promise<Hex>): Promise<bigint> {
  const hash = await write()
  const receipt = await client.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
  return receipt.blockNumber
}

function short(h: Hex): string {
  return `${h.slice(0, 10)}…${h.slice(-4)}`
}

/** Builds the demo context from a devnet's addresses (`startDevnet().addresses`). */
export function demoContextFromAddresses(a: NetworkAddresses): DemoContext {
  if (!a.deployerPrivateKey) throw new Error('the demo needs a devnet: its addresses carry no deployer key')
  const chain = (name: string): DemoChain => {
    const c = a.chains[name]
    if (!c) throw new Error(`the addresses name no chain ${name}`)
    return { name, chainId: c.chainId, rpcUrl: c.rpcUrl }
  }
  const l2s = Object.entries(a.chains)
    .filter(([, c]) => c.kind === 'l2')
    .map(([name]) => chain(name))
  const need = (kind: 'l1' | 'l2', name: string): Address => {
    const address = a.contracts[kind][name]
    if (!address) throw new Error(`the addresses name no ${kind} contract ${name}`)
    return address
  }
  return {
    l1: chain('l1'),
    l2s,
    l1Keystore: need('l1', 'L1Keystore'),
    l2Keystore: need('l2', 'L2Keystore'),
    l1Blocks: need('l2', 'L1Blocks'),
    privateKey: a.deployerPrivateKey,
    ...(a.keystore?.rpcUrl
      ? {
          keystore: {
            chain: { name: 'keystore', chainId: a.keystore.chainId, rpcUrl: a.keystore.rpcUrl },
            l2Keystore: KEYSTORE_PREDEPLOYS.L2Keystore,
          },
        }
      : {}),
  }
}

/** Builds the demo context from the devnet's addresses file. */
export function demoContextFromFile(path: string): DemoContext {
  return demoContextFromAddresses(readAddresses(path))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file =
    process.env.DEVNET_ADDRESSES ??
    join(dirname(fileURLToPath(import.meta.url)), '../node-config/devnet.addresses.json')
  runDemo(demoContextFromFile(file)).catch((e) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  })
}
