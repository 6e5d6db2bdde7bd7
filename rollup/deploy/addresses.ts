/**
 * The addresses file (node-config/<name>.addresses.json, gitignored): every endpoint and
 * contract address of a running network, for the demo, the SDK, scripts and people.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { type Address, getAddress, type Hex } from 'viem'
import { NODE_CONFIG_DIR } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { L2_CROSS_DOMAIN_MESSENGER, L2_TO_L1_MESSAGE_PASSER } from '../opstack/contracts.js'
import type { DeployOpStackL1ReturnType } from '../opstack/deploy.js'
import type { OpStackL1Addresses } from '../opstack/plan.js'
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
  /**
   * The keystore chain (when the configuration has one): its L1 contracts (proxies, also in
   * `contracts.l1`), implementations, genesis and the parameters read back from L1.
   */
  keystore?: KeystoreAddresses | undefined
}

export type KeystoreAddresses = {
  chainId: number
  /** The keystore node's JSON-RPC (empty when the configuration gives no port/rpcUrl). */
  rpcUrl: string
  /** Proxies under their plain names, and the ProxyAdmin. */
  l1: OpStackL1Addresses
  implementations: Record<Exclude<keyof OpStackL1Addresses, 'ProxyAdmin'>, Address>
  genesis: {
    /** L2OutputOracle.startingBlockNumber. */
    l2BlockNumber: number
    /** L2OutputOracle.startingTimestamp: block n of the keystore chain has l2Timestamp + n * l2BlockTime. */
    l2Timestamp: number
    /** SystemConfig.startBlock: the L1 block the contracts were initialized in (derivation starts here). */
    l1StartBlock: number
  }
  l2BlockTime: number
  submissionInterval: number
  finalizationPeriodSeconds: number
  batchInbox: Address
  roles: { owner: Address; guardian: Address; proposer: Address; challenger: Address; batcher: Address }
  predeploys: { L2ToL1MessagePasser: Address; L2CrossDomainMessenger: Address; L1Block: Address }
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
  /** The keystore chain's L1 deployment (rollup/opstack). */
  opstack?: DeployOpStackL1ReturnType | undefined
}): NetworkAddresses {
  const { config, rpcUrls, deployed, opstack } = parameters
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
  let keystore: KeystoreAddresses | undefined
  if (opstack && config.keystore) {
    Object.assign(contracts.l1, opstack.addresses)
    Object.assign(chains.l1!.contracts, opstack.addresses)
    const s = opstack.state
    keystore = {
      chainId: config.keystore.chainId,
      rpcUrl:
        rpcUrls.keystore ??
        config.keystore.rpcUrl ??
        (config.keystore.port ? `http://127.0.0.1:${config.keystore.port}` : ''),
      l1: opstack.addresses,
      implementations: opstack.implementations,
      genesis: {
        l2BlockNumber: Number(opstack.genesis.l2BlockNumber),
        l2Timestamp: Number(opstack.genesis.l2Timestamp),
        l1StartBlock: Number(opstack.genesis.l1StartBlock),
      },
      l2BlockTime: Number(s.l2OutputOracle.l2BlockTime),
      submissionInterval: Number(s.l2OutputOracle.submissionInterval),
      finalizationPeriodSeconds: Number(s.l2OutputOracle.finalizationPeriodSeconds),
      batchInbox: s.systemConfig.batchInbox,
      roles: {
        owner: s.proxyAdmin.owner,
        guardian: s.superchainConfig.guardian,
        proposer: s.l2OutputOracle.proposer,
        challenger: s.l2OutputOracle.challenger,
        batcher: getAddress(`0x${s.systemConfig.batcherHash.slice(-40)}`),
      },
      predeploys: {
        L2ToL1MessagePasser: L2_TO_L1_MESSAGE_PASSER,
        L2CrossDomainMessenger: L2_CROSS_DOMAIN_MESSENGER,
        L1Block: L1_BLOCK_ADDRESS,
      },
    }
  }
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
    ...(keystore ? { keystore } : {}),
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
