import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ConfigError, chainRpcUrl, loadConfig, NODE_CONFIG_DIR, parseConfig } from './load.js'

const minimal = () => ({
  l1: { chainId: 900, port: 8545 },
  l2s: { l2a: { chainId: 902, port: 8547 } },
  deploy: { saltPrefix: 'test', contracts: [] as unknown[] },
})

function issuesOf(input: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(input, 'test', env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).metaMessages ?? [(error as ConfigError).shortMessage]
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  test('the devnet configuration is valid and has l1 900, l2a 902, l2b 903', () => {
    const config = loadConfig()
    expect(config.l1.chainId).toBe(900)
    expect(config.l2s.l2a?.chainId).toBe(902)
    expect(config.l2s.l2b?.chainId).toBe(903)
    expect(config.deploy.contracts.map((c) => c.name)).toEqual([
      'L1Keystore',
      'L1Blocks',
      'L2Keystore',
      'L1SloadEmulator',
    ])
    expect(chainRpcUrl(config, 'l2a')).toBe(`http://127.0.0.1:${config.l2s.l2a?.port}`)
  })

  test('applies defaults', () => {
    const config = parseConfig(minimal())
    expect(config.l2s.l2a).toMatchObject({
      optimism: true,
      emulateL1Origin: true,
      originLag: 2,
      blockTime: 0,
    })
    expect(config.feeder).toMatchObject({ backfill: 0, confirmations: 0, pollIntervalMs: 500 })
    expect(config.originUpdater.baseFeeScalar).toBe(1368)
  })

  test('a missing file and bad JSON are ConfigErrors naming the file', () => {
    expect(() => loadConfig('/nonexistent/devnet.json')).toThrow(
      /Cannot read configuration \/nonexistent\/devnet.json/,
    )
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'))
    writeFileSync(join(dir, 'bad.json'), '{ "l1": ')
    expect(() => loadConfig(join(dir, 'bad.json'))).toThrow(ConfigError)
    expect(() => loadConfig(join(dir, 'bad.json'))).toThrow(/not valid JSON/)
  })

  test('reports every problem with its path', () => {
    const input = minimal() as Record<string, unknown>
    input.l1 = { chainId: -1 }
    input.l2s = { l2a: { chainId: 902, port: 8547, typo: true }, L2B: { chainId: 903, port: 8548 } }
    input.accounts = { deployer: '0x1234' }
    const issues = issuesOf(input)
    expect(issues.some((i) => i.startsWith('- l1.chainId:'))).toBe(true)
    expect(issues.some((i) => i.includes('- l1:') && i.includes('`port`'))).toBe(true)
    expect(issues.some((i) => i.includes('l2s.l2a') && i.includes('typo'))).toBe(true)
    expect(issues.some((i) => i.startsWith('- l2s.L2B:'))).toBe(true)
    expect(issues.some((i) => i.startsWith('- accounts.deployer:') && i.includes('private key'))).toBe(true)
  })

  test('rejects duplicate ports, unknown chains, refs and params in the deploy plan', () => {
    const input = minimal()
    input.l2s.l2a.port = 8545
    input.deploy.contracts = [
      { name: 'A', chains: ['l1', 'nowhere'], args: [{ ref: 'B' }, { param: 'missing' }] },
      { name: 'A', chains: 'l2s', args: [] },
    ]
    const issues = issuesOf(input)
    expect(issues).toContain('- l2s.l2a.port: port 8545 is also used by l1')
    expect(issues).toContain('- deploy.contracts.0.chains.1: unknown chain "nowhere" (known: l1, l2a)')
    expect(issues).toContain('- deploy.contracts.0.args.0: unknown deployment "B"')
    expect(issues).toContain('- deploy.contracts.0.args.1: unknown param "missing" (deploy.params)')
    expect(issues).toContain('- deploy.contracts.1.name: duplicate A')
  })

  test('the testnets preset is valid given its environment', () => {
    const env = {
      SEPOLIA_RPC_URL: 'https://sepolia.example',
      BASE_SEPOLIA_RPC_URL: 'https://base-sepolia.example',
      OP_SEPOLIA_RPC_URL: 'https://op-sepolia.example',
      KEYSTORE_ACCOUNT_FACTORY: '0x00000000000000000000000000000000000000fa',
      KEYSTORE_RPC_URL: 'https://keystore.example',
      KEYSTORE_OWNER: '0x0000000000000000000000000000000000000001',
      KEYSTORE_GUARDIAN: '0x0000000000000000000000000000000000000002',
      KEYSTORE_PROPOSER: '0x0000000000000000000000000000000000000003',
      KEYSTORE_CHALLENGER: '0x0000000000000000000000000000000000000004',
      KEYSTORE_BATCHER: '0x0000000000000000000000000000000000000005',
    }
    const config = loadConfig(join(NODE_CONFIG_DIR, 'presets/testnets.json'), env)
    expect(Object.keys(config.l2s)).toEqual(['base-sepolia', 'op-sepolia'])
    expect(config.l2s['op-sepolia']).toMatchObject({ chainId: 11155420, emulateL1Origin: false })
    expect(chainRpcUrl(config, 'l1')).toBe('https://sepolia.example')
    // production timing: a 7-day challenge window
    expect(config.keystore).toMatchObject({ chainId: 901, finalizationPeriodSeconds: 604_800 })
    expect(config.deploy.contracts[0]!.args[1]).toEqual({ opstack: 'L1CrossDomainMessenger' })
    expect(() => loadConfig(join(NODE_CONFIG_DIR, 'presets/testnets.json'), {})).toThrow(
      /SEPOLIA_RPC_URL is not set/,
    )
  })

  test('interpolates $\u007bVAR} from the environment, and says which is missing', () => {
    const input = minimal() as Record<string, unknown>
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
    input.l1 = { chainId: 11155111, rpcUrl: '${SEPOLIA_RPC_URL}' }
    expect(parseConfig(input, 'x', { SEPOLIA_RPC_URL: 'https://rpc.example' }).l1.rpcUrl).toBe(
      'https://rpc.example',
    )
    expect(() => parseConfig(input, 'x', {})).toThrow(/SEPOLIA_RPC_URL is not set[\s\S]*l1.rpcUrl/)
  })

  describe('the keystore section', () => {
    const roles = {
      owner: '0x0000000000000000000000000000000000000001',
      guardian: '0x0000000000000000000000000000000000000002',
      proposer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
      challenger: '0x0000000000000000000000000000000000000004',
      batcher: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
    }
    const withKeystore = (keystore: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) => ({
      ...minimal(),
      keystore: {
        chainId: 901,
        l2BlockTime: 1,
        submissionInterval: 10,
        finalizationPeriodSeconds: 4,
        roles,
        ...keystore,
      },
      ...rest,
    })

    test('the devnet has the keystore chain 901 with devnet timing and matching keys', () => {
      const config = loadConfig()
      expect(config.keystore).toMatchObject({
        chainId: 901,
        l2BlockTime: 1,
        submissionInterval: 10,
        finalizationPeriodSeconds: 4,
        batchInbox: '0xff00000000000000000000000000000000000901',
        genesis: { l2BlockNumber: 0 },
      })
      expect(config.keystore!.genesis.timestamp).toBeUndefined()
      expect(config.accounts.proposer).toBeDefined()
      expect(config.accounts.relayer).toBeDefined()
      expect(config.deploy.contracts[0]!.args[1]).toEqual({ opstack: 'L1CrossDomainMessenger' })
    })

    test('defaults: OP batch inbox convention, OP resource config, gas limit 30M', () => {
      const k = parseConfig(withKeystore({ chainId: 8453 })).keystore!
      expect(k.batchInbox).toBe('0xff00000000000000000000000000000000008453')
      expect(k.systemConfig.gasLimit).toBe(30_000_000)
      expect(k.systemConfig.resourceConfig.maxResourceLimit).toBe(20_000_000)
      expect(k.genesis).toEqual({ l2BlockNumber: 0 })
      expect(k.roles.unsafeBlockSigner).toBe('0x0000000000000000000000000000000000000000')
    })

    test('rejects keys that do not belong to the role, clashing ids and ports, and unworkable gas settings', () => {
      const issues = issuesOf(
        withKeystore(
          { chainId: 900, port: 8547, systemConfig: { gasLimit: 20_000_000 } },
          { accounts: { proposer: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' } },
        ),
      )
      expect(issues).toContain(
        '- accounts.proposer: is the key of 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, but keystore.roles.proposer is 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
      )
      expect(issues).toContain("- keystore.chainId: chain id 900 is also l1's")
      expect(issues).toContain('- keystore.port: port 8547 is also used by l2a')
      expect(issues.some((i) => i.startsWith('- keystore.systemConfig.gasLimit: must be at least'))).toBe(
        true,
      )
    })

    test('an { opstack } constructor argument needs the keystore section', () => {
      const input = minimal()
      input.deploy.contracts = [
        {
          name: 'L1Keystore',
          chains: 'l1',
          args: ['0x00000000000000000000000000000000000000fa', { opstack: 'L1CrossDomainMessenger' }],
        },
      ]
      expect(issuesOf(input)).toContain(
        "- deploy.contracts.0.args.1: refers to the keystore chain's L1CrossDomainMessenger, but the configuration has no `keystore` section",
      )
      const bad = withKeystore()
      ;(bad as { deploy: { contracts: unknown[] } }).deploy.contracts = [
        { name: 'X', chains: 'l1', args: [{ opstack: 'L1StandardBridge' }] },
      ]
      expect(issuesOf(bad).some((i) => i.startsWith('- deploy.contracts.0.args.0:'))).toBe(true)
    })
  })
})
