import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Abi, decodeFunctionResult, encodeFunctionData, type Hex } from 'viem'
import { afterAll, describe, expect, test } from 'vitest'
import { l1BlocksAbi } from '../../contracts/generated/index.js'
import { ConfigError } from '../config/load.js'
import { KeystoreNode } from '../node/KeystoreNode.js'
import { buildKeystoreGenesis } from './buildKeystoreGenesis.js'
import {
  type GenesisConfig,
  genesisConfigSchema,
  genesisParametersFromConfig,
  loadGenesisConfig,
} from './config.js'

const L1_MESSENGER: Hex = '0x5f5a404A5edabcDD80DB05E8e54A78c9EBF000C2'
const dir = mkdtempSync(join(tmpdir(), 'genesis-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(content: unknown): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(path, JSON.stringify(content))
  return path
}

describe('node-config/keystore-genesis.json', () => {
  test('builds: L1Blocks predeployed with the configured ring size, dev accounts funded', async () => {
    const config = loadGenesisConfig()
    const { parameters, skipped } = genesisParametersFromConfig(config, {
      l1CrossDomainMessenger: L1_MESSENGER,
      params: { l1Keystore: L1_MESSENGER },
    })
    expect(skipped).toEqual([])
    const { alloc, predeploys } = await buildKeystoreGenesis(parameters)
    const node = await KeystoreNode.create({ alloc, allowedRecipients: [] })
    const { returnValue } = await node.call(
      { to: predeploys.L1Blocks, data: encodeFunctionData({ abi: l1BlocksAbi, functionName: 'RING_SIZE' }) },
      node.head,
    )
    expect(decodeFunctionResult({ abi: l1BlocksAbi, functionName: 'RING_SIZE', data: returnValue })).toBe(
      8191n,
    )
    expect(alloc['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266']?.balance).toBe(10n ** 21n)
  })
})

describe('genesisParametersFromConfig', () => {
  const base = (extra: Partial<GenesisConfig> = {}): GenesisConfig =>
    genesisConfigSchema.parse({
      predeploys: [{ name: 'L1Blocks', address: '0x4B00000000000000000000000000000000000001', args: [7] }],
      ...extra,
    })

  test('needs the L1 messenger, from the file or the caller', () => {
    expect(() => genesisParametersFromConfig(base())).toThrow(/L1CrossDomainMessenger address/)
    const fromFile = genesisParametersFromConfig(base({ l1CrossDomainMessenger: L1_MESSENGER }))
    expect(fromFile.parameters.l1CrossDomainMessenger).toBe(L1_MESSENGER)
  })

  test('resolves predeploy references and params; unknown ones are errors', () => {
    const config = base({
      params: { size: 9 },
      predeploys: [
        { name: 'A', address: '0x4B00000000000000000000000000000000000001', args: [{ param: 'size' }] },
        {
          name: 'B',
          address: '0x4B00000000000000000000000000000000000002',
          args: [{ predeploy: 'L1Block' }],
        },
      ],
    })
    const seen: unknown[] = []
    const fake = (name: string) => {
      seen.push(name)
      return {
        abi: [
          {
            type: 'constructor',
            stateMutability: 'nonpayable',
            inputs: [{ name: 'x', type: name === 'A' ? 'uint256' : 'address' }],
          },
        ] as Abi,
        bytecode: '0x6000' as Hex,
      }
    }
    const { parameters } = genesisParametersFromConfig(config, {
      l1CrossDomainMessenger: L1_MESSENGER,
      findArtifact: fake,
    })
    expect(parameters.predeploys?.map((p) => p.initCode)).toEqual([
      `0x6000${'9'.padStart(64, '0')}`,
      `0x6000${'4200000000000000000000000000000000000015'.padStart(64, '0')}`,
    ])
    const unknownParam = base({ predeploys: [{ ...config.predeploys[0]!, args: [{ param: 'nope' }] }] })
    expect(() => genesisParametersFromConfig(unknownParam, { l1CrossDomainMessenger: L1_MESSENGER })).toThrow(
      /unknown param "nope"/,
    )
    const unknownRef = base({ predeploys: [{ ...config.predeploys[0]!, args: [{ predeploy: 'Nope' }] }] })
    expect(() => genesisParametersFromConfig(unknownRef, { l1CrossDomainMessenger: L1_MESSENGER })).toThrow(
      /unknown predeploy "Nope"/,
    )
    const wrongArgs = base({ predeploys: [{ ...config.predeploys[0]!, artifact: 'L1Blocks', args: ['x'] }] })
    expect(() => genesisParametersFromConfig(wrongArgs, { l1CrossDomainMessenger: L1_MESSENGER })).toThrow(
      /do not fit the constructor/,
    )
  })

  test('a contract not built yet is skipped, and so is what depends on it', () => {
    const config = base({
      predeploys: [
        { name: 'L1Blocks', address: '0x4B00000000000000000000000000000000000001', args: [7] },
        {
          name: 'Later',
          artifact: 'L1Blocks',
          address: '0x4B00000000000000000000000000000000000003',
          args: [{ predeploy: 'Missing' }],
        },
        { name: 'Missing', address: '0x4B00000000000000000000000000000000000002', args: [] },
      ],
    })
    const { parameters, skipped } = genesisParametersFromConfig(config, {
      l1CrossDomainMessenger: L1_MESSENGER,
      params: { l1Keystore: L1_MESSENGER },
    })
    expect(parameters.predeploys?.map((p) => p.name)).toEqual(['L1Blocks'])
    expect(skipped).toEqual([
      { name: 'Missing', reason: 'no artifact Missing (run npm run build:contracts?)' },
      { name: 'Later', reason: 'depends on Missing, which is skipped' },
    ])
  })
})

describe('loadGenesisConfig', () => {
  test('lists every problem with its path', () => {
    const path = file({ chainId: -1, balances: { '0x12': '1' }, predeploys: [{ name: 'X', address: '0x1' }] })
    const error = (() => {
      try {
        loadGenesisConfig(path)
      } catch (e) {
        return e as ConfigError
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect(error?.message).toMatch(/- chainId:/)
    expect(error?.message).toMatch(/- predeploys\.0\.address:/)
  })
  test('reads environment variables ($-brace syntax), and names the missing one', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
    const path = file({ l1CrossDomainMessenger: '${KEYSTORE_L1_MESSENGER}' })
    expect(loadGenesisConfig(path, { KEYSTORE_L1_MESSENGER: L1_MESSENGER }).l1CrossDomainMessenger).toBe(
      L1_MESSENGER,
    )
    expect(() => loadGenesisConfig(path, {})).toThrow(/KEYSTORE_L1_MESSENGER is not set/)
  })
})
