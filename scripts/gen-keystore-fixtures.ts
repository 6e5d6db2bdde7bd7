/**
 * Generates the storage-proof fixtures the L2Keystore / L1SloadCache forge tests read.
 *
 *   cd contracts && npx forge build && cd .. && npx tsx scripts/gen-keystore-fixtures.ts
 *
 * Writes two files under contracts/test/fixtures/keystore/:
 *
 * - `anvil.json` — real proofs. Starts anvil (the binary, on a free loopback port; killed at the
 *   end), deploys L1Keystore from the forge build output, registers a wallet and two accounts,
 *   then writes, updates and clears keys over several blocks. For each recorded block it stores
 *   the block number, hash and state root and `eth_getProof` output: L1Keystore's account proof,
 *   storage proofs for present, cleared and never-written keys, the wallet-registry slot, and an
 *   absent account's proof. Proofs are RLP nodes concatenated, root first (the StorageProof API).
 *
 * - `mainnet-shaped.json` — synthetic proofs with the shape of mainnet-sized tries, for the gas
 *   targets (a 9-node account proof, a storage proof from a 1M-key trie). An anvil state is far
 *   too small for that, so the tries are built here with @ethereumjs/mpt: along each target's
 *   path, the occupancy of every branch is sampled (seeded) from the distribution N uniformly
 *   random keys produce, and one representative key is inserted per occupied sibling subtree.
 *   The proof for the target then has exactly the node count and node sizes a real trie with N
 *   keys would give it; only sibling hashes differ, which a verifier treats as opaque bytes.
 *   The state root is synthetic, so tests serve it through their L1Blocks test double.
 *
 * Re-running with the same inputs gives the same mainnet-shaped file; anvil.json differs only
 * where anvil's timestamps enter block hashes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createMerkleProof, MerklePatriciaTrie, verifyMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import {
  type Abi,
  type Address,
  bytesToHex,
  concat,
  createPublicClient,
  createTestClient,
  createWalletClient,
  encodeAbiParameters,
  getContractAddress,
  type Hex,
  hexToBytes,
  http,
  keccak256,
  numberToHex,
  pad,
  toHex,
  zeroAddress,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { encodeBlockHeader, verifyBlockHeader } from '../precompiles/storage-proof/index.js'
import { getFreePort, startAnvil } from '../rollup/devnet/anvil.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, 'contracts/test/fixtures/keystore')

/** anvil's first dev account (the well-known "test test … junk" mnemonic); devnet only. */
const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const
const L1_CHAIN_ID = 900
const L2_CHAIN_ID = 902

// Mirrors L1Keystore's constants (checked against the deployed contract below).
const reserved = (label: string): Hex => pad(toHex(BigInt(keccak256(toHex(label))) - 1n), { size: 32 })
const SALT_KEY = reserved('keystore.reserved.salt')
const WALLET_ID_KEY = reserved('keystore.reserved.walletId')
const INITDATA_HASH_KEY = reserved('keystore.reserved.initdataHash')
const L2_UPDATE_ADDRESS_KEY = reserved('keystore.reserved.l2UpdateAddress')

/** Slot of `accounts[account].keys[key]` in L1Keystore (slot 0 mapping, `keys` first member). */
export function keySlot(account: Address, key: Hex): Hex {
  const base = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [account, 0n]))
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }], [key, base]))
}

/** Slot of `walletRegistry[walletId].implementations[chainId]` (slot 1 mapping, member 1). */
export function implementationSlot(walletId: Hex, chainId: number): Hex {
  const entry = BigInt(
    keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [walletId, 1n])),
  )
  return keccak256(
    encodeAbiParameters([{ type: 'uint64' }, { type: 'uint256' }], [BigInt(chainId), entry + 1n]),
  )
}

// ------------------------------------------------------------------------------------------ anvil

/** RLP of block `number`'s header, checked against the block hash. */
async function headerRlp(url: string, number: bigint): Promise<Hex> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_getBlockByNumber',
      params: [numberToHex(number), false],
    }),
  })
  const block = ((await res.json()) as { result: Record<string, Hex> }).result
  const rlp = encodeBlockHeader(block as never)
  verifyBlockHeader({ rlp, hash: block.hash! })
  return rlp
}

function artifact(name: string): { abi: Abi; bytecode: Hex } {
  const path = join(root, `contracts/out/${name}.sol/${name}.json`)
  const json = JSON.parse(readFileSync(path, 'utf8')) as { abi: Abi; bytecode: { object: Hex } }
  return { abi: json.abi, bytecode: json.bytecode.object }
}

async function generateAnvil(url: string): Promise<unknown> {
  const dev = privateKeyToAccount(DEV_KEY)
  const chain = {
    id: L1_CHAIN_ID,
    name: 'l1',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  } as const
  const pub = createPublicClient({ chain, transport: http(url) })
  const wallet = createWalletClient({ chain, transport: http(url), account: dev })
  const test = createTestClient({ chain, mode: 'anvil', transport: http(url) })
  const { abi, bytecode } = artifact('L1Keystore')

  const send = async (hash: Hex) => {
    const r = await pub.waitForTransactionReceipt({ hash })
    if (r.status !== 'success') throw new Error(`transaction ${hash} reverted`)
    return r
  }

  // Deploy. The factory is a fixed placeholder address: only CREATE3 address derivation uses it.
  const accountFactory: Address = '0x00000000000000000000000000000000fac70000'
  const l2Rollup: Address = '0x4200000000000000000000000000000000000abc'
  const nonce = await pub.getTransactionCount({ address: dev.address })
  await send(await wallet.deployContract({ abi, bytecode, args: [accountFactory, zeroAddress] }))
  const keystore = getContractAddress({ from: dev.address, nonce: BigInt(nonce) })
  for (const [fn, expected] of [
    ['SALT_KEY', SALT_KEY],
    ['WALLET_ID_KEY', WALLET_ID_KEY],
    ['INITDATA_HASH_KEY', INITDATA_HASH_KEY],
    ['L2_UPDATE_ADDRESS_KEY', L2_UPDATE_ADDRESS_KEY],
  ] as const) {
    const v = await pub.readContract({ address: keystore, abi, functionName: fn })
    if (v !== expected) throw new Error(`${fn} is ${v}, expected ${expected}`)
  }

  const write = (functionName: string, args: unknown[], from: Address = dev.address) =>
    wallet
      .writeContract({ address: keystore, abi, functionName, args, account: from, chain } as never)
      .then(send)

  // Wallet registry: a wallet id bound to the dev account, implementations on l1/l2a/l2b.
  const walletId = concat([dev.address, pad('0x01', { size: 12 })])
  const implementation: Address = '0x00000000000000000000000000000000000a11ce'
  await write('registerWallet', [walletId, dev.address])
  for (const [chainId, impl] of [
    [L1_CHAIN_ID, '0x0000000000000000000000000000000000000900'],
    [L2_CHAIN_ID, implementation],
    [903, '0x0000000000000000000000000000000000000903'],
  ] as const) {
    await write('setWalletImplementation', [walletId, chainId, impl])
  }

  // Account A: three initial keys (a full-width P-256-like word, an address, a small value),
  // opted in to an L2 writer. Account B: no keys, no L2 writer.
  const saltA = concat([dev.address, pad('0x01', { size: 12 })])
  const saltB = concat([dev.address, pad('0x02', { size: 12 })])
  const K1 = keccak256(toHex('passkey.0.x'))
  const K2 = keccak256(toHex('owner.eoa'))
  const K3 = keccak256(toHex('threshold'))
  const K4 = keccak256(toHex('recovery'))
  const K_ABSENT = keccak256(toHex('never.written'))
  const v1 = keccak256(toHex('P-256 x coordinate, version 1'))
  const v2 = pad('0x70997970C51812dc3A010C7d01b50e0d17dc79C8', { size: 32 })
  const v4 = keccak256(toHex('recovery key, full width'))
  const initdata = toHex('wallet init data')
  await write('registerAccount', [saltA, walletId, [K1, K2, K4], [v1, v2, v4], initdata, l2Rollup])
  await write('registerAccount', [saltB, walletId, [], [], '0x', zeroAddress])
  const accountA = (await pub.readContract({
    address: keystore,
    abi,
    functionName: 'computeAccountAddress',
    args: [saltA],
  })) as Address

  // Writes come from the account itself (impersonated: no wallet is deployed on this L1).
  await test.impersonateAccount({ address: accountA })
  await test.setBalance({ address: accountA, value: 10n ** 18n })
  // anvil_setBalance changes state outside a block: mine one so header roots match the proofs
  await test.mine({ blocks: 1 })

  const keys = [SALT_KEY, WALLET_ID_KEY, INITDATA_HASH_KEY, L2_UPDATE_ADDRESS_KEY, K1, K2, K3, K_ABSENT, K4]
  const slots = keys.map((k) => keySlot(accountA, k))
  const registrySlot = implementationSlot(walletId, L2_CHAIN_ID)
  const absentAccount: Address = '0x000000000000000000000000000000000000dead'
  const blocks: unknown[] = []

  const record = async (label: string) => {
    const block = await pub.getBlock()
    const proof = await pub.getProof({
      address: keystore,
      storageKeys: [...slots, registrySlot],
      blockNumber: block.number,
    })
    const absent = await pub.getProof({ address: absentAccount, storageKeys: [], blockNumber: block.number })
    // Self-check: the proofs must verify against the header's state root.
    for (const [addr, nodes] of [
      [keystore, proof.accountProof],
      [absentAccount, absent.accountProof],
    ] as const) {
      await verifyMerkleProof(
        hexToBytes(keccak256(addr)),
        nodes.map((h) => hexToBytes(h)),
        {
          root: hexToBytes(block.stateRoot),
        },
      )
    }
    const sp = proof.storageProof
    blocks.push({
      label,
      number: Number(block.number),
      blockHash: block.hash,
      stateRoot: block.stateRoot,
      storageRoot: proof.storageHash,
      accountProof: concat(proof.accountProof),
      accountProofNodes: proof.accountProof.length,
      absentAccountProof: concat(absent.accountProof),
      values: sp.slice(0, keys.length).map((s) => pad(numberToHex(s.value), { size: 32 })),
      storageProofs: sp.slice(0, keys.length).map((s) => concat(s.proof)),
      registryValue: pad(numberToHex(sp[keys.length]!.value), { size: 32 }),
      registryProof: concat(sp[keys.length]!.proof),
    })
  }

  await record('registered')
  // block U: K3 written, K1 rotated, K4 from a full-width value to a small one
  const v1b = keccak256(toHex('P-256 x coordinate, version 2'))
  await write('writeKey', [accountA, K3, pad('0x02', { size: 32 })], accountA)
  await write('updateKey', [accountA, K4, v4, pad('0x05', { size: 32 })], accountA)
  await write('updateKey', [accountA, K1, v1, v1b], accountA)
  await record('updated')
  // block C: K2 cleared, K1 rotated again
  const v1c = keccak256(toHex('P-256 x coordinate, version 3'))
  await write('updateKey', [accountA, K2, v2, pad('0x', { size: 32 })], accountA)
  await write('updateKey', [accountA, K1, v1b, v1c], accountA)
  await record('cleared')

  // Every header from the first recorded block to the last, so tests can feed the real
  // L1Blocks (anchor the last, backfill the rest).
  const first = BigInt((blocks[0] as { number: number }).number)
  const last = BigInt((blocks[blocks.length - 1] as { number: number }).number)
  const headers: Hex[] = []
  for (let n = first; n <= last; n++) headers.push(await headerRlp(url, n))

  return {
    description: 'Real eth_getProof output from anvil (scripts/gen-keystore-fixtures.ts).',
    l1ChainId: L1_CHAIN_ID,
    l2ChainId: L2_CHAIN_ID,
    keystore,
    accountFactory,
    walletId,
    implementation,
    account: accountA,
    absentAccount,
    keyNames: ['SALT', 'WALLET_ID', 'INITDATA_HASH', 'L2_UPDATE_ADDRESS', 'K1', 'K2', 'K3', 'K_ABSENT', 'K4'],
    keys,
    slots,
    registrySlot,
    blocks,
    firstHeaderNumber: Number(first),
    headers,
  }
}

// ------------------------------------------------------------------------------- mainnet-shaped

/** mulberry32: a tiny seeded PRNG, so the synthetic tries are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Binomial(n, p) sample: exact for small n, Poisson or normal approximation for large n. */
function binomial(n: number, p: number, rand: () => number): number {
  if (n <= 0) return 0
  if (n < 64) {
    let k = 0
    for (let i = 0; i < n; i++) if (rand() < p) k++
    return k
  }
  const mean = n * p
  if (mean < 20) {
    // Poisson(mean) by inversion
    let k = 0
    let prob = Math.exp(-mean)
    let cdf = prob
    const u = rand()
    while (u > cdf && k < n) {
      k++
      prob *= mean / k
      cdf += prob
    }
    return k
  }
  const u1 = Math.max(rand(), 1e-12)
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rand())
  return Math.min(n, Math.max(0, Math.round(mean + z * Math.sqrt(mean * (1 - p)))))
}

function nibbles(key: Uint8Array): number[] {
  return Array.from(key).flatMap((b) => [b >> 4, b & 15])
}

function fromNibbles(n: number[]): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = (n[2 * i]! << 4) | n[2 * i + 1]!
  return out
}

/**
 * Keys that give `target` the path shape it has in a trie of `n` uniformly random keys: at each
 * depth the other keys still sharing the target's prefix are split over the 16 nibbles; every
 * occupied sibling nibble gets one representative key.
 */
function siblingsFor(target: Uint8Array, n: number, rand: () => number): Uint8Array[] {
  const t = nibbles(target)
  const out: Uint8Array[] = []
  let others = n - 1
  for (let depth = 0; depth < 64 && others > 0; depth++) {
    const inTarget = binomial(others, 1 / 16, rand)
    let rest = others - inTarget
    for (let s = 0, left = 15; s < 16; s++) {
      if (s === t[depth]) continue
      const k = binomial(rest, 1 / left, rand)
      rest -= k
      left--
      if (k === 0) continue
      const path = t.slice(0, depth)
      path.push(s)
      while (path.length < 64) path.push(Math.floor(rand() * 16))
      out.push(fromNibbles(path))
    }
    others = inTarget
  }
  return out
}

function randomWord(rand: () => number): Uint8Array {
  return Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256))
}

/** RLP of a storage value: the big-endian integer without leading zeros. */
function storageValue(word: Uint8Array): Uint8Array {
  let i = 0
  while (i < word.length && word[i] === 0) i++
  return RLP.encode(word.slice(i))
}

async function generateMainnetShaped(): Promise<unknown> {
  const ACCOUNTS = 2 ** 28 // ~268M, mainnet order of magnitude
  const STORAGE_KEYS = 1_000_000
  const keystore: Address = '0x0000000000000000000000000000000000001234' // any address: synthetic
  const account: Address = '0x3fab184622dc19b6109349b94811493bf2a45362'
  const K1 = keccak256(toHex('passkey.0.x'))
  const K2 = keccak256(toHex('passkey.0.y'))
  const v1 = keccak256(toHex('P-256 x coordinate'))
  const v2 = keccak256(toHex('P-256 y coordinate'))
  const s1 = keySlot(account, K1)
  const s2 = keySlot(account, K2)

  // Seeds are tried in order until the account proof has 9 nodes (the anchor's figure).
  for (let seed = 1; seed < 1000; seed++) {
    const rand = prng(seed)
    const storage = new MerklePatriciaTrie()
    const p1 = hexToBytes(keccak256(s1))
    const p2 = hexToBytes(keccak256(s2))
    for (const k of [...siblingsFor(p1, STORAGE_KEYS, rand), ...siblingsFor(p2, STORAGE_KEYS, rand)]) {
      await storage.put(k, storageValue(randomWord(rand)))
    }
    await storage.put(p1, storageValue(hexToBytes(v1)))
    await storage.put(p2, storageValue(hexToBytes(v2)))
    const storageRoot = storage.root()

    const state = new MerklePatriciaTrie()
    const pa = hexToBytes(keccak256(keystore))
    for (const k of siblingsFor(pa, ACCOUNTS, rand)) {
      const acct = RLP.encode([1, randomWord(rand).slice(0, 9), randomWord(rand), randomWord(rand)])
      await state.put(k, acct)
    }
    const codeHash = hexToBytes(keccak256('0x6001'))
    await state.put(pa, RLP.encode([1, new Uint8Array(0), storageRoot, codeHash]))

    const accountProof = await createMerkleProof(state, pa)
    if (accountProof.length !== 9) continue
    const sp1 = await createMerkleProof(storage, p1)
    const sp2 = await createMerkleProof(storage, p2)
    const hex = (nodes: Uint8Array[]) => concat(nodes.map((n) => bytesToHex(n)))
    return {
      description:
        'Synthetic proofs with mainnet-sized trie shapes (scripts/gen-keystore-fixtures.ts): ' +
        `account trie of ~${ACCOUNTS} keys, storage trie of ${STORAGE_KEYS} keys, seed ${seed}.`,
      seed,
      blockNumber: 20_000_000,
      stateRoot: bytesToHex(state.root()),
      storageRoot: bytesToHex(storageRoot),
      keystore,
      account,
      accountProof: hex(accountProof),
      accountProofNodes: accountProof.length,
      accountProofBytes: accountProof.reduce((a, n) => a + n.length, 0),
      keys: [K1, K2],
      slots: [s1, s2],
      values: [v1, v2],
      storageProofs: [hex(sp1), hex(sp2)],
      storageProofNodes: [sp1.length, sp2.length],
      storageProofBytes: [sp1, sp2].map((p) => p.reduce((a, n) => a + n.length, 0)),
    }
  }
  throw new Error('no seed gave a 9-node account proof')
}

// ----------------------------------------------------------------------------------------- main

async function main() {
  mkdirSync(outDir, { recursive: true })
  const anvil = await startAnvil({
    name: 'fixtures',
    chainId: L1_CHAIN_ID,
    port: await getFreePort(),
    hardfork: 'prague',
  })
  let anvilFixture: unknown
  try {
    anvilFixture = await generateAnvil(anvil.rpcUrl)
  } finally {
    await anvil.stop()
  }
  const files = [join(outDir, 'anvil.json'), join(outDir, 'mainnet-shaped.json')]
  writeFileSync(files[0]!, JSON.stringify(anvilFixture, null, 2) + '\n')
  writeFileSync(files[1]!, JSON.stringify(await generateMainnetShaped(), null, 2) + '\n')
  console.log(`wrote ${files.join(', ')}`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
