import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { l1BlocksAbi } from '../../contracts/generated/index.js'
import { parseConfig } from '../config/load.js'
import type { ConfigInput } from '../config/schema.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import { TxSender } from '../shared/txSender.js'
import { findArtifact } from './artifacts.js'
import { CREATE2_DEPLOYER, create2Address, DeployError, ensureCreate2Deployer, saltOf } from './create2.js'
import { deployAll } from './deploy.js'
import { planDeployments } from './plan.js'

const configInput = (contracts: ConfigInput['deploy']['contracts'], params = {}): ConfigInput => ({
  l1: { chainId: 900, port: 1 },
  l2s: { l2a: { chainId: 902, port: 2 }, l2b: { chainId: 903, port: 3 } },
  deploy: { saltPrefix: 'test.v1', params, contracts },
})

describe('planDeployments', () => {
  test('resolves params and refs into the same CREATE2 address on every chain', () => {
    const config = parseConfig(
      configInput(
        [
          { name: 'Origin', artifact: 'OpL1Block', chains: 'l2s' },
          { name: 'Blocks', artifact: 'L1Blocks', chains: ['l2a', 'l2b'], args: [{ param: 'ringSize' }] },
        ],
        { ringSize: 64 },
      ),
    )
    const plan = planDeployments(config)
    expect(plan.skipped).toEqual([])
    const blocks = plan.deployments.find((d) => d.name === 'Blocks')!
    expect(blocks.args).toEqual([64n])
    expect(blocks.chains).toEqual(['l2a', 'l2b'])
    expect(blocks.salt).toBe(saltOf('test.v1/Blocks'))
    expect(blocks.address).toBe(create2Address(blocks.salt, blocks.initCode))
  })

  test('skips contracts without bytecode and everything that references them, with reasons', () => {
    const config = parseConfig(
      configInput([
        { name: 'NotWrittenYet', chains: 'l1' },
        { name: 'UsesIt', artifact: 'L1Blocks', chains: 'l2s', args: [{ ref: 'NotWrittenYet' }] },
      ]),
    )
    const plan = planDeployments(config)
    expect(plan.deployments).toEqual([])
    expect(plan.skipped.map((s) => s.name)).toEqual(['NotWrittenYet', 'UsesIt'])
    expect(plan.skipped[0]!.reason).toMatch(/no bytecode for NotWrittenYet/)
    expect(plan.skipped[1]!.reason).toMatch(/depends on NotWrittenYet/)
  })

  test('rejects constructor arguments that do not fit the ABI', () => {
    const tooMany = parseConfig(configInput([{ name: 'L1Blocks', chains: 'l2s', args: [1, 2] }]))
    expect(() => planDeployments(tooMany)).toThrow(/constructor takes 1 arguments, the configuration gives 2/)
    const wrongType = parseConfig(configInput([{ name: 'L1Blocks', chains: 'l2s', args: [true] }]))
    expect(() => planDeployments(wrongType)).toThrow(DeployError)
    const refs = parseConfig(
      configInput([
        { name: 'A', artifact: 'L1Blocks', chains: 'l2s', args: [{ ref: 'B' }] },
        { name: 'B', artifact: 'L1Blocks', chains: 'l2s', args: [{ ref: 'A' }] },
      ]),
    )
    expect(() => planDeployments(refs)).toThrow(/cycle/)
  })
})

describe('deployAll on anvil', () => {
  let chains: TestChains
  beforeAll(async () => {
    chains = await startTestChains([
      { name: 'l1', chainId: 900 },
      { name: 'l2a', chainId: 902, optimism: true },
      { name: 'l2b', chainId: 903, optimism: true },
    ])
  })
  afterAll(async () => {
    await chains?.stop()
  })

  const deployChains = () =>
    Object.fromEntries(
      Object.entries(chains.clients).map(([name, client]) => [
        name,
        { client, anvil: client, sender: new TxSender({ client, account: client.account! }) },
      ]),
    )

  test('deploys at equal addresses on l2a and l2b, idempotently', async () => {
    expect(findArtifact('L1Blocks')).toBeDefined()
    const config = parseConfig(
      configInput(
        [
          { name: 'L1Blocks', chains: 'l2s', args: [{ param: 'ringSize' }] },
          { name: 'Origin', artifact: 'OpL1Block', chains: ['l1', 'l2a', 'l2b'] },
        ],
        { ringSize: 32 },
      ),
    )
    const first = await deployAll({ config, chains: deployChains() })
    const blocks = first.contracts.L1Blocks!
    expect(blocks.status).toEqual({ l2a: 'deployed', l2b: 'deployed' })
    for (const name of ['l2a', 'l2b']) {
      const client = chains.clients[name]!
      expect(await client.getCode({ address: blocks.address })).toMatch(/^0x60/)
      expect(
        await client.readContract({ address: blocks.address, abi: l1BlocksAbi, functionName: 'RING_SIZE' }),
      ).toBe(32n)
    }
    expect(await chains.clients.l1!.getCode({ address: blocks.address })).toBeUndefined()
    expect(first.contracts.Origin!.status).toEqual({ l1: 'deployed', l2a: 'deployed', l2b: 'deployed' })

    const heights = await Promise.all(Object.values(chains.clients).map((c) => c.getBlockNumber()))
    const second = await deployAll({ config, chains: deployChains() })
    expect(second.contracts.L1Blocks!.status).toEqual({ l2a: 'present', l2b: 'present' })
    expect(second.contracts.L1Blocks!.address).toBe(blocks.address)
    // nothing was sent the second time
    expect(await Promise.all(Object.values(chains.clients).map((c) => c.getBlockNumber()))).toEqual(heights)
  })

  test('the CREATE2 deployer is verified, and installed on anvil when missing', async () => {
    const l2b = chains.clients.l2b!
    expect(await ensureCreate2Deployer(l2b, { chainName: 'l2b' })).toBe('present')
    await l2b.setCode({ address: CREATE2_DEPLOYER, bytecode: '0x' })
    await expect(ensureCreate2Deployer(l2b, { chainName: 'l2b' })).rejects.toThrow(
      /No CREATE2 deployer on l2b/,
    )
    expect(await ensureCreate2Deployer(l2b, { chainName: 'l2b', anvil: l2b })).toBe('installed')
    expect(await ensureCreate2Deployer(l2b, { chainName: 'l2b' })).toBe('present')
  })
})
