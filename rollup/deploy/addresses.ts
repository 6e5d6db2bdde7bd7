/**
 * The addresses file (node-config/<name>.addresses.json, gitignored): every endpoint and
 * contract address of a running network, for the demo, the SDK, scripts and people.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Address, Hex } from 'viem'
import { NODE_CONFIG_DIR } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { L1_BLOCK_ADDRESS } from '../origin/l1Block.js'
import { RollupError } from '../shared/errors.js'
import { CREATE2_DEPLOYER } from './create2.js'
import type { DeployAllReturnType } from './deploy.js'
import type { SkippedDeployment } from './plan.js'

export type NetworkAddresses = {
  name: string
  updatedAt: string
  chains: Record<
    string,
    { kind: 'l1' | 'l2'; chainId: number; rpcUrl: string; contracts: Record<string, Address> }
  >
  /**
   * Contract addresses by chain kind: deployments are deterministic, so a contract has one
   * address on every L2 (`contracts.l2.L1Blocks`) — the shape scripts/demo.ts reads.
   */
  contracts: { l1: Record<string, Address>; l2: Record<string, Address> }
  /** Each deployment with the chains it is on. */
  deployments: Record<string, { address: Address; chains: string[] }>
  predeploys: { L1Block: Address; Create2Deployer: Address }
  accounts: Record<string, Address>
  /**
   * Devnet only (anvil's well-known dev key, funded on every chain): lets the demo and tests
   * send transactions. Never written for real networks.
   */
  deployerPrivateKey?: Hex | undefined
  skipped: SkippedDeployment[]
}

/** The default addresses file of a configuration: node-config/<name>.addresses.json. */
export function defaultAddressesPath(config: Config): string {
  return join(NODE_CONFIG_DIR, `${config.name}.addresses.json`)
}

/** Builds the addresses document from a deploy result and the chains' RPC URLs. */
export function buildAddresses(parameters: {
  config: Config
  rpcUrls: Record<string, string>
  deployed: DeployAllReturnType
  accounts?: Record<string, Address> | undefined
  /** Only for devnets (anvil dev keys). */
  deployerPrivateKey?: Hex | undefined
}): NetworkAddresses {
  const { config, rpcUrls, deployed } = parameters
  const chains: NetworkAddresses['chains'] = {}
  const contracts: NetworkAddresses['contracts'] = { l1: {}, l2: {} }
  const add = (name: string, kind: 'l1' | 'l2', chainId: number) => {
    const here: Record<string, Address> = {}
    for (const [contract, d] of Object.entries(deployed.contracts))
      if (d.chains.includes(name)) {
        here[contract] = d.address
        contracts[kind][contract] = d.address
      }
    chains[name] = { kind, chainId, rpcUrl: rpcUrls[name] ?? '', contracts: here }
  }
  add('l1', 'l1', config.l1.chainId)
  for (const [name, l2] of Object.entries(config.l2s)) add(name, 'l2', l2.chainId)
  return {
    name: config.name,
    updatedAt: new Date().toISOString(),
    chains,
    contracts,
    deployments: Object.fromEntries(
      Object.entries(deployed.contracts).map(([n, d]) => [n, { address: d.address, chains: d.chains }]),
    ),
    predeploys: { L1Block: L1_BLOCK_ADDRESS, Create2Deployer: CREATE2_DEPLOYER },
    accounts: parameters.accounts ?? {},
    ...(parameters.deployerPrivateKey ? { deployerPrivateKey: parameters.deployerPrivateKey } : {}),
    skipped: deployed.skipped,
  }
}

/** Writes the file atomically (write + rename), creating its folder. */
export function writeAddresses(path: string, addresses: NetworkAddresses): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(addresses, null, 2)}\n`)
  renameSync(tmp, path)
}

/** Reads an addresses file. */
export function readAddresses(path: string): NetworkAddresses {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as NetworkAddresses
  } catch (error) {
    throw new RollupError(`Cannot read addresses file ${path}.`, {
      details: 'run the devnet or `npm run deploy` first',
      cause: error,
    })
  }
}
