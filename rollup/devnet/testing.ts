/**
 * Helpers for tests that need a few anvil chains without the whole devnet: free ports, clients
 * with the deployer account, and one `stop()`.
 */
import { privateKeyToAccount } from 'viem/accounts'
import { type Anvil, getFreePort, startAnvil } from './anvil.js'
import { ANVIL_DEV_KEYS, createDevnetClient, type DevnetClient, makeChain } from './clients.js'

/** Anvil's dev keys #0 (deployer) and #1 (feeder). */
export const TEST_KEYS = ANVIL_DEV_KEYS

export type TestChainSpec = {
  name: string
  chainId: number
  optimism?: boolean
  blockTime?: number
  hardfork?: string
}

export type TestChains = {
  anvils: Record<string, Anvil>
  clients: Record<string, DevnetClient>
  stop(): Promise<void>
}

/**
 * Starts one anvil per spec on free ports (a block per transaction unless `blockTime`).
 *
 * @example
 * const chains = await startTestChains([{ name: 'l1', chainId: 900 }, { name: 'l2a', chainId: 902, optimism: true }])
 */
export async function startTestChains(specs: TestChainSpec[]): Promise<TestChains> {
  const account = privateKeyToAccount(TEST_KEYS.deployer)
  const anvils: Record<string, Anvil> = {}
  try {
    await Promise.all(
      specs.map(async (spec) => {
        anvils[spec.name] = await startAnvil({ ...spec, port: await getFreePort() })
      }),
    )
  } catch (error) {
    await Promise.all(Object.values(anvils).map((a) => a.stop()))
    throw error
  }
  const clients = Object.fromEntries(
    specs.map((spec) => [
      spec.name,
      createDevnetClient({
        chain: makeChain({ name: spec.name, chainId: spec.chainId, rpcUrl: anvils[spec.name]!.rpcUrl }),
        account,
        pollingIntervalMs: 50,
      }),
    ]),
  )
  return {
    anvils,
    clients,
    stop: async () => void (await Promise.all(Object.values(anvils).map((a) => a.stop()))),
  }
}
