import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { createPublicClient, decodeFunctionResult, encodeFunctionData, type Hex, http, keccak256 } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Anvil, getFreePort, startAnvil } from '../devnet/anvil.js'
import { applyGenesisAlloc, createKeystoreCommon } from '../node/chain.js'
import { loadBedrockArtifact } from './artifacts.js'
import { type BuildKeystoreGenesisReturnType, buildKeystoreGenesis } from './buildKeystoreGenesis.js'
import { allocFromGethGenesis, GethGenesisError, toGethGenesis, writeGethGenesis } from './gethGenesis.js'
import { OP_PREDEPLOY_ADDRESSES } from './predeploys.js'

const L1_MESSENGER: Hex = '0x5f5a404A5edabcDD80DB05E8e54A78c9EBF000C2'
const DEV: Hex = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

describe('geth-style genesis.json', () => {
  let genesis: BuildKeystoreGenesisReturnType
  let dir: string
  let path: string
  let anvil: Anvil
  beforeAll(async () => {
    genesis = await buildKeystoreGenesis({
      l1CrossDomainMessenger: L1_MESSENGER,
      balances: { [DEV]: 10n ** 21n },
    })
    dir = mkdtempSync(join(tmpdir(), 'keystore-genesis-'))
    path = join(dir, 'genesis.json')
    writeGethGenesis(path, { alloc: genesis.alloc, timestamp: 1_700_000_000n })
    // anvil (revm + alloy) reads geth genesis files with --init: an independent consumer.
    anvil = await startAnvil({
      name: 'genesis-check',
      chainId: 901,
      port: await getFreePort(),
      args: ['--init', path, '--accounts', '0'],
    })
  })
  afterAll(async () => {
    await anvil?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  test('the file has geth’s shape: config with the chain id and OP forks, unprefixed sorted alloc', () => {
    const json = JSON.parse(readFileSync(path, 'utf8'))
    expect(json.config.chainId).toBe(901)
    expect(json.config.bedrockBlock).toBe(0)
    expect(json.config.ecotoneTime).toBe(0)
    expect(json.config.blobSchedule.prague).toEqual({ target: 6, max: 9, baseFeeUpdateFraction: 5007716 })
    expect(json.config.optimism).toEqual({
      eip1559Elasticity: 2,
      eip1559Denominator: 8,
      eip1559DenominatorCanyon: 8,
    })
    expect(json.timestamp).toBe('0x6553f100')
    expect(Object.keys(json.alloc)).toEqual(Object.keys(genesis.alloc).map((a) => a.slice(2)))
    const cdm = json.alloc['4200000000000000000000000000000000000007']
    expect(cdm.nonce).toBe('0x1')
    expect(cdm.balance).toBe('0x0')
    for (const [k, v] of Object.entries(cdm.storage as Record<string, string>)) {
      expect(k).toMatch(/^0x[0-9a-f]{64}$/)
      expect(v).toMatch(/^0x[0-9a-f]{64}$/)
    }
    expect(json.alloc[DEV.slice(2).toLowerCase()]).toEqual({ balance: '0x3635c9adc5dea00000' })
  })

  test('anvil --init reads it: chain id, the initialized messenger, and every account as we built it', async () => {
    const client = createPublicClient({ transport: http(anvil.rpcUrl) })
    expect(await client.getChainId()).toBe(901)
    const { abi } = loadBedrockArtifact('L2CrossDomainMessenger')
    const { data } = await client.call({
      to: OP_PREDEPLOY_ADDRESSES.L2CrossDomainMessenger,
      data: encodeFunctionData({ abi, functionName: 'OTHER_MESSENGER' }),
    })
    expect(decodeFunctionResult({ abi, functionName: 'OTHER_MESSENGER', data: data ?? '0x' })).toBe(
      L1_MESSENGER,
    )

    // Per-account comparison (anvil adds system contracts of its own, so whole-state roots differ).
    const sm = new MerkleStateManager({ common: createKeystoreCommon() })
    await applyGenesisAlloc(sm, genesis.alloc)
    for (const [address, account] of Object.entries(genesis.alloc) as [Hex, (typeof genesis.alloc)[Hex]][]) {
      const proof = await client.getProof({
        address,
        storageKeys: Object.keys(account.storage ?? {}) as Hex[],
      })
      const ours = await sm.getAccount(new Address(hexToBytes(address)))
      expect(proof.nonce).toBe(Number(account.nonce ?? 0n))
      expect(proof.balance).toBe(account.balance ?? 0n)
      expect(proof.codeHash).toBe(keccak256(account.code ?? '0x'))
      expect(proof.storageHash).toBe(bytesToHex(ours!.storageRoot))
      for (const s of proof.storageProof) expect(s.value).toBe(BigInt(account.storage?.[s.key] ?? 0n))
    }
  })

  test('round trip: allocFromGethGenesis gives back an alloc with the same state root', async () => {
    const back = allocFromGethGenesis(path)
    const root = await applyGenesisAlloc(new MerkleStateManager({ common: createKeystoreCommon() }), back)
    expect(bytesToHex(root)).toBe(genesis.stateRoot)
  })

  test('bad alloc entries are rejected with the offending key', () => {
    expect(() => toGethGenesis({ alloc: { '0x12': { balance: 1n } } })).toThrow(GethGenesisError)
    expect(() =>
      toGethGenesis({ alloc: { [DEV]: { storage: { '0x01': `0x${'00'.repeat(33)}` } } } }),
    ).toThrow(/not a hex word/)
    expect(() => allocFromGethGenesis({ alloc: { [DEV]: { balance: 'lots' } } })).toThrow(
      /balance is not a quantity/,
    )
  })
})
