/**
 * End to end on a devnet this test starts (startDevnet, in-process): the demo flow (L1 write →
 * proven read on l2a and l2b → clear → absence proven), a hostile feeder and a hostile prover
 * against the deployed contracts, and the SDK against a lying L1 RPC. Every rejection is checked
 * to have stored nothing, with the honest services still running afterwards.
 */
import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  type EIP1193RequestFn,
  type Hex,
  http,
  keccak256,
  pad,
  toFunctionSelector,
  toHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { l1BlocksAbi, l2KeystoreAbi } from '../contracts/generated/index.js'
import { encodeBlockHeader, packProof, StorageProofError } from '../precompiles/storage-proof/index.js'
import { loadConfig } from '../rollup/config/load.js'
import { getFreePort } from '../rollup/devnet/anvil.js'
import { type Devnet, startDevnet } from '../rollup/devnet/startDevnet.js'
import { type DemoResult, demoContextFromAddresses, runDemo } from '../scripts/demo.js'
import { keystoreKeySlot, syncKeys } from '../sdk/index.js'

// anvil dev key #2: an outsider with funds, neither the deployer nor the feeder
const HOSTILE = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a')

let devnet: Devnet
let l1Blocks: Address
let l2Keystore: Address
let demo: DemoResult

beforeAll(async () => {
  const config = loadConfig()
  config.l1.blockTime = 1
  for (const l2 of Object.values(config.l2s)) {
    l2.blockTime = 0 // a block per transaction
    l2.originLag = 1
  }
  config.feeder.pollIntervalMs = 100
  config.originUpdater.pollIntervalMs = 100
  devnet = await startDevnet({
    config,
    ports: { l1: await getFreePort(), l2a: await getFreePort(), l2b: await getFreePort() },
    addressesFile: false,
    keystore: false, // the keystore chain has its own end-to-end test (keystoreChain.e2e.test.ts)
  })
  l1Blocks = devnet.addresses.contracts.l2.L1Blocks!
  l2Keystore = devnet.addresses.contracts.l2.L2Keystore!
})
afterAll(async () => {
  await devnet?.stop()
})

async function until(what: string, predicate: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const latest = (l2: string) =>
  devnet.clients[l2]!.readContract({ address: l1Blocks, abi: l1BlocksAbi, functionName: 'latestBlockNumber' })

describe('keystore end to end', () => {
  test('demo: a key changed on L1 is proven on l2a and l2b, and its clearing is proven absent', async () => {
    const lines: string[] = []
    demo = await runDemo({ ...demoContextFromAddresses(devnet.addresses), log: (l) => lines.push(l) })
    expect(demo.updated.map((u) => u.chain).sort()).toEqual(['l2a', 'l2b'])
    for (const u of demo.updated) expect(BigInt(u.value)).not.toBe(0n)
    expect(new Set(demo.updated.map((u) => u.value)).size).toBe(1)
    for (const c of demo.cleared) {
      expect(BigInt(c.value)).toBe(0n)
      // the clearing was proven at a later L1 block than the update
      expect(c.l1BlockNumber).toBeGreaterThan(demo.updated.find((u) => u.chain === c.chain)!.l1BlockNumber)
    }
    for (const l2 of ['l2a', 'l2b']) {
      const [value, block] = await devnet.clients[l2]!.readContract({
        address: l2Keystore,
        abi: l2KeystoreAbi,
        functionName: 'loadKeyWithBlock',
        args: [demo.account, demo.key],
      })
      expect(BigInt(value)).toBe(0n)
      expect(block).toBe(demo.cleared.find((c) => c.chain === l2)!.l1BlockNumber)
    }
    expect(lines.some((l) => l.includes('absent (proven)'))).toBe(true)
  })

  test('hostile feeder: forged, unchained and malformed headers are rejected; nothing stored; the feeder goes on', async () => {
    const l2 = devnet.clients.l2a!
    const wallet = createWalletClient({
      account: HOSTILE,
      chain: l2.chain,
      transport: http(l2.chain!.rpcUrls.default.http[0]),
    })
    const head = await devnet.clients.l1!.getBlock()
    const real = encodeBlockHeader(head)
    const forged = encodeBlockHeader({ ...head, stateRoot: keccak256(toHex('a state root of my choosing')) })
    const unchained = encodeBlockHeader({
      ...head,
      number: head.number + 1n,
      parentHash: keccak256(toHex('nowhere')),
    })
    const cases: [string, Hex, string][] = [
      ['forged state root', forged, 'L1BlocksUnanchored'],
      ['not chained to the anchor', unchained, 'L1BlocksUnanchored'],
      ['truncated', real.slice(0, -20) as Hex, 'BlockHeaderMalformed'],
      ['extended with garbage', `${real}00` as Hex, 'BlockHeaderMalformed'],
    ]
    for (const [what, header, error] of cases) {
      await expect(
        l2.simulateContract({
          account: HOSTILE,
          address: l1Blocks,
          abi: l1BlocksAbi,
          functionName: 'setL1BlockHeader',
          args: [header],
        }),
        what,
      ).rejects.toThrow(error)
      // mined anyway (explicit gas skips estimation): reverted, and the header is nowhere
      const hash = await wallet.writeContract({
        address: l1Blocks,
        abi: l1BlocksAbi,
        functionName: 'setL1BlockHeader',
        args: [header],
        gas: 500_000n,
      })
      const receipt = await l2.waitForTransactionReceipt({ hash })
      expect(receipt.status, what).toBe('reverted')
      expect(receipt.logs, what).toHaveLength(0)
    }
    const before = await latest('l2a')
    await until('the honest feeder to store a newer header', async () => (await latest('l2a')) > before)
  })

  test('hostile prover: a mutated or misplaced storage proof is rejected and nothing is cached', async () => {
    const l2 = devnet.clients.l2b!
    const l1 = devnet.clients.l1!
    // An L1 block after the key's last sync on l2b (by the demo, whichever of its steps synced it
    // last): at the block a key is cached at, syncKeys skips it (already proven), and the proofs
    // below would not be looked at.
    const [, synced] = await l2.readContract({
      address: l2Keystore,
      abi: l2KeystoreAbi,
      functionName: 'loadKeyWithBlock',
      args: [demo.account, demo.key],
    })
    await until('L1Blocks on l2b past the last sync', async () => (await latest('l2b')) > synced)
    const n = await latest('l2b')
    const l1Keystore = devnet.addresses.contracts.l1.L1Keystore!
    const slot = keystoreKeySlot(demo.account, demo.key)
    const proof = await l1.getProof({ address: l1Keystore, storageKeys: [slot], blockNumber: n })
    const storageProof = packProof(proof.storageProof[0]!.proof)
    const mutated =
      `${storageProof.slice(0, 200)}${storageProof[200] === 'a' ? 'b' : 'a'}${storageProof.slice(201)}` as Hex
    const otherKey = keccak256(toHex('some other key'))
    const before = await l2.readContract({
      address: l2Keystore,
      abi: l2KeystoreAbi,
      functionName: 'loadKeyWithBlock',
      args: [demo.account, otherKey],
    })
    for (const [what, key, p] of [
      ['mutated proof', demo.key, mutated],
      ['proof of another slot', otherKey, storageProof],
    ] as const) {
      await expect(
        l2.simulateContract({
          account: HOSTILE,
          address: l2Keystore,
          abi: l2KeystoreAbi,
          functionName: 'syncKeys',
          args: [n, demo.account, [key], packProof(proof.accountProof), [p]],
        }),
        what,
      ).rejects.toThrow(/MerklePatricia/)
    }
    const after = await l2.readContract({
      address: l2Keystore,
      abi: l2KeystoreAbi,
      functionName: 'loadKeyWithBlock',
      args: [demo.account, otherKey],
    })
    expect(after).toEqual(before)
  })

  test('SDK against a lying L1 RPC: a specific error, and no transaction is sent', async () => {
    const l2 = devnet.clients.l2a!
    const honest = http(devnet.rpcUrls.l1!)({ chain: undefined })
    const lie = (tamper: (method: string, result: any) => any) =>
      createPublicClient({
        transport: custom({
          request: (async (args: { method: string; params?: unknown }) =>
            tamper(args.method, await honest.request(args as never))) as EIP1193RequestFn,
        }),
      })
    const liars: [string, ReturnType<typeof lie>, RegExp][] = [
      [
        'claims another value',
        lie((m, r) =>
          m === 'eth_getProof'
            ? { ...r, storageProof: r.storageProof.map((s: any) => ({ ...s, value: '0x1' })) }
            : r,
        ),
        /ProofClaimMismatch|claimed/i,
      ],
      [
        'forges a proof node',
        lie((m, r) => {
          if (m !== 'eth_getProof') return r
          const nodes = [...r.accountProof]
          const last = nodes.length - 1
          nodes[last] = `${nodes[last].slice(0, -2)}${nodes[last].endsWith('00') ? '01' : '00'}`
          return { ...r, accountProof: nodes }
        }),
        /hash|node|proof/i,
      ],
      [
        'serves a header with another state root',
        lie((m, r) =>
          m === 'eth_getBlockByNumber' || m === 'eth_getBlockByHash'
            ? { ...r, stateRoot: `0x${'ab'.repeat(32)}` }
            : r,
        ),
        /hash|anchor|header/i,
      ],
    ]
    const nonce = await l2.getTransactionCount({ address: HOSTILE.address })
    const wallet = createWalletClient({
      account: HOSTILE,
      chain: l2.chain,
      transport: http(devnet.rpcUrls.l2a!),
    })
    for (const [what, l1Client, message] of liars) {
      const error = await syncKeys(wallet, {
        l1Client,
        l2Keystore,
        account: demo.account,
        keys: [keccak256(toHex(what))],
      }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(error, what).toBeInstanceOf(StorageProofError)
      expect((error as Error).message, what).toMatch(message)
    }
    expect(await l2.getTransactionCount({ address: HOSTILE.address })).toBe(nonce)
  })

  test("SDK: a block that left L1Blocks' window before the sync starts over at the latest block", async () => {
    // The first latestBlockNumber read answers a block the window does not hold (as when the feeder
    // restarted the window after it was read): the sync re-reads and proves at the real latest.
    const l2 = devnet.clients.l2a!
    const l1Blocks = devnet.addresses.contracts.l2.L1Blocks!
    const real = await l2.readContract({
      address: l1Blocks,
      abi: l1BlocksAbi,
      functionName: 'latestBlockNumber',
    })
    const selector = toFunctionSelector('latestBlockNumber()')
    const upstream = http(devnet.rpcUrls.l2a!)({ chain: undefined })
    let served = 0
    const wallet = createWalletClient({
      account: HOSTILE,
      chain: l2.chain,
      transport: custom({
        request: (async (args: { method: string; params?: unknown }) => {
          const call = (args.params as [{ data?: Hex; input?: Hex }] | undefined)?.[0]
          if (
            args.method === 'eth_call' &&
            (call?.data ?? call?.input)?.startsWith(selector) &&
            served++ === 0
          )
            return pad(toHex(real + 1000n))
          return upstream.request(args as never)
        }) as EIP1193RequestFn,
      }),
    })
    const synced = await syncKeys(wallet, {
      l1Client: devnet.clients.l1!,
      l2Keystore,
      account: demo.account,
      keys: [demo.key],
    })
    expect(served).toBeGreaterThanOrEqual(2)
    expect(synced.l1BlockNumber).toBeGreaterThanOrEqual(real)
    expect(synced.l1BlockNumber).toBeLessThan(real + 1000n)
    // Pinned to a block the window does not hold, there is no retry: the revert surfaces.
    await expect(
      syncKeys(wallet, {
        l1Client: devnet.clients.l1!,
        l2Keystore,
        account: demo.account,
        keys: [demo.key],
        l1BlockNumber: real + 1000n,
      }),
    ).rejects.toThrow(/0x6b1d67f8|L1BlocksBlockUnavailable/)
  })
})
