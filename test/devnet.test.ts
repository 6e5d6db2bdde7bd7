/**
 * End to end: the devnet in-process (startDevnet), L1Blocks following L1 on l2a and l2b through
 * the L1 origin updaters and the feeder, a feeder restart, and an L1 reorg.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  il1SloadAbi,
  il2KeystoreAbi,
  l1BlocksAbi,
  l1KeystoreAbi,
  opL1BlockAbi,
  opOptimismPortalAbi,
} from '../contracts/generated/index.js'
import { loadConfig } from '../rollup/config/load.js'
import type { NetworkAddresses } from '../rollup/deploy/addresses.js'
import { getFreePort } from '../rollup/devnet/anvil.js'
import { type Devnet, startDevnet } from '../rollup/devnet/startDevnet.js'
import { Feeder } from '../rollup/feeder/Feeder.js'
import { L1_BLOCK_ADDRESS } from '../rollup/origin/l1Block.js'

const LAG = 2n
let devnet: Devnet
let addressesFile: string
let l1Blocks: Address

beforeAll(async () => {
  const config = loadConfig()
  config.feeder.pollIntervalMs = 50
  config.feeder.backfill = 4
  config.originUpdater.pollIntervalMs = 50
  for (const l2 of Object.values(config.l2s)) l2.originLag = Number(LAG)
  addressesFile = join(mkdtempSync(join(tmpdir(), 'devnet-')), 'addresses.json')
  devnet = await startDevnet({
    config,
    ports: { l1: await getFreePort(), l2a: await getFreePort(), l2b: await getFreePort() },
    // L1 mines only when told to; the L2s mine a block per transaction
    blockTimes: { l1: 0, l2a: 0, l2b: 0 },
    addressesFile,
    keystore: false, // the keystore chain has its own end-to-end test (keystoreChain.e2e.test.ts)
  })
  l1Blocks = devnet.addresses.contracts.l2.L1Blocks!
})
afterAll(async () => {
  await devnet?.stop()
})

async function until(what: string, predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function stored(l2: string): Promise<{ number: bigint; hash: Hex; oldest: bigint }> {
  const client = devnet.clients[l2]!
  const [number, hash, oldest] = await Promise.all([
    client.readContract({ address: l1Blocks, abi: l1BlocksAbi, functionName: 'latestBlockNumber' }),
    client.readContract({ address: l1Blocks, abi: l1BlocksAbi, functionName: 'latestL1Blockhash' }),
    client.readContract({ address: l1Blocks, abi: l1BlocksAbi, functionName: 'oldestBlockNumber' }),
  ])
  return { number, hash, oldest }
}

/** The canonical L1 block `LAG` behind the head. */
async function expectedLatest(): Promise<{ number: bigint; hash: Hex }> {
  const head = await devnet.clients.l1!.getBlockNumber()
  const block = await devnet.clients.l1!.getBlock({ blockNumber: head - LAG })
  return { number: block.number, hash: block.hash }
}

async function follows(l2: string): Promise<boolean> {
  const [s, e] = await Promise.all([stored(l2), expectedLatest()])
  return s.number === e.number && s.hash === e.hash
}

/** Every header in the window [oldest, latest] is the canonical L1 block of its number. */
async function expectCanonicalWindow(l2: string): Promise<void> {
  const { number, oldest } = await stored(l2)
  for (let n = oldest; n <= number; n++) {
    const hash = await devnet.clients[l2]!.readContract({
      address: l1Blocks,
      abi: l1BlocksAbi,
      functionName: 'l1Blockhash',
      args: [n],
    })
    expect(hash, `${l2} header ${n}`).toBe((await devnet.clients.l1!.getBlock({ blockNumber: n })).hash)
  }
}

describe('devnet end to end', () => {
  test('deploys deterministically and writes the addresses file', async () => {
    const { addresses } = devnet
    expect(addresses.deployments.L1Blocks!.chains).toEqual(['l2a', 'l2b'])
    expect(addresses.chains.l2a!.contracts.L1Blocks).toBe(addresses.chains.l2b!.contracts.L1Blocks)
    for (const l2 of ['l2a', 'l2b'])
      expect(await devnet.clients[l2]!.getCode({ address: l1Blocks })).toMatch(/^0x60/)
    const l1Keystore = addresses.contracts.l1.L1Keystore!
    expect(await devnet.clients.l1!.getCode({ address: l1Keystore })).toMatch(/^0x60/)
    // the L2 contracts are wired to L1Keystore and L1Blocks, at the same address on both L2s
    expect(addresses.skipped).toEqual([])
    const l2Keystore = addresses.contracts.l2.L2Keystore!
    const emulator = addresses.contracts.l2.L1SloadEmulator!
    for (const l2 of ['l2a', 'l2b']) {
      const client = devnet.clients[l2]!
      expect(
        await client.readContract({ address: l2Keystore, abi: il2KeystoreAbi, functionName: 'L1_KEYSTORE' }),
      ).toBe(l1Keystore)
      expect(
        await client.readContract({ address: emulator, abi: il1SloadAbi, functionName: 'L1_BLOCKS' }),
      ).toBe(l1Blocks)
    }
    expect(existsSync(addressesFile)).toBe(true)
    const file = JSON.parse(readFileSync(addressesFile, 'utf8')) as NetworkAddresses
    expect(file.chains.l2a!.rpcUrl).toBe(devnet.rpcUrls.l2a)
    expect(file.contracts.l2.L1Blocks).toBe(l1Blocks)
    expect(file.deployerPrivateKey).toBe(devnet.config.accounts.deployer)
    expect(devnet.health().feeder?.status).toBe('ok')
  })

  test("deploys the keystore chain's L1 side, and L1Keystore trusts its L1CrossDomainMessenger", async () => {
    const file = JSON.parse(readFileSync(addressesFile, 'utf8')) as NetworkAddresses
    const l1 = devnet.clients.l1!
    const keystore = file.keystore!
    expect(keystore.chainId).toBe(901)
    expect(keystore.finalizationPeriodSeconds).toBe(4)
    expect(keystore.l1).toEqual(devnet.opstack!.addresses)
    for (const name of [
      'OptimismPortal',
      'L2OutputOracle',
      'L1CrossDomainMessenger',
      'SystemConfig',
      'SuperchainConfig',
      'ProxyAdmin',
    ])
      expect(file.contracts.l1[name], name).toBe(keystore.l1[name as keyof typeof keystore.l1])
    expect(keystore.genesis.l2Timestamp).toBe(Number(devnet.opstack!.genesis.l2Timestamp))
    expect(file.accounts.proposer).toBe(keystore.roles.proposer)
    const messenger = await l1.readContract({
      address: file.contracts.l1.L1Keystore!,
      abi: l1KeystoreAbi,
      functionName: 'MESSENGER',
    })
    expect(messenger).toBe(keystore.l1.L1CrossDomainMessenger)
    expect(
      await l1.readContract({
        address: keystore.l1.OptimismPortal,
        abi: opOptimismPortalAbi,
        functionName: 'version',
      }),
    ).toBe('2.8.1-beta.1')
  })

  test('L1Blocks follows L1 with the configured lag on l2a and l2b', async () => {
    await devnet.clients.l1!.mine({ blocks: 8 })
    for (const l2 of ['l2a', 'l2b']) {
      await until(`${l2} to follow L1`, () => follows(l2))
      // the L2's own L1 origin is the anchor
      const origin = await devnet.clients[l2]!.readContract({
        address: L1_BLOCK_ADDRESS,
        abi: opL1BlockAbi,
        functionName: 'hash',
      })
      expect((await stored(l2)).hash).toBe(origin)
      await until(`${l2} backfill`, async () => {
        const s = await stored(l2)
        return s.number - s.oldest >= 4n
      })
      await expectCanonicalWindow(l2)
    }
  })

  test('survives a feeder restart: a new feeder catches up from chain state', async () => {
    await devnet.feeder!.stop()
    await devnet.clients.l1!.mine({ blocks: 3 })
    const want = await expectedLatest()
    // the origin moves on, L1Blocks does not
    await until('origin to move', async () => {
      const n = await devnet.clients.l2a!.readContract({
        address: L1_BLOCK_ADDRESS,
        abi: opL1BlockAbi,
        functionName: 'number',
      })
      return BigInt(n) === want.number
    })
    expect((await stored('l2a')).number).toBeLessThan(want.number)

    const feeder = new Feeder({
      l1: devnet.clients.l1!,
      l2s: ['l2a', 'l2b'].map((name) => ({ name, client: devnet.clients[name]!, l1Blocks })),
      account: privateKeyToAccount(devnet.config.accounts.feeder as Hex),
      pollIntervalMs: 50,
      backfill: 4,
    })
    devnet.feeder = feeder
    await feeder.start()
    await feeder.waitUntilSynced({ timeoutMs: 20_000 })
    for (const l2 of ['l2a', 'l2b']) await until(`${l2} to follow after restart`, () => follows(l2))
  })

  test('after an L1 reorg deeper than the lag, the latest header is canonical again', async () => {
    const before = await stored('l2a')
    await devnet.clients.l1!.request({ method: 'anvil_reorg' as never, params: [4, []] as never })
    const after = await expectedLatest()
    expect(after.number).toBe(before.number)
    expect(after.hash).not.toBe(before.hash)
    for (const l2 of ['l2a', 'l2b']) {
      await until(`${l2} to take the reorg`, () => follows(l2))
      await until(`${l2} backfill after the reorg`, async () => {
        const s = await stored(l2)
        return s.number - s.oldest >= 4n
      })
      await expectCanonicalWindow(l2)
    }
    // and keeps following afterwards
    await devnet.clients.l1!.mine({ blocks: 2 })
    for (const l2 of ['l2a', 'l2b']) await until(`${l2} to follow after the reorg`, () => follows(l2))
  })

  test('stop() stops every process it started', async () => {
    const anvils = Object.values(devnet.anvils)
    await devnet.stop()
    for (const a of anvils) expect(a.running()).toBe(false)
  })
})
