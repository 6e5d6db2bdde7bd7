/**
 * The keystore chain's L1 deployment as data: every CREATE2 address (ProxyAdmin, implementations,
 * proxies) and the `initialize` calldata of each proxy, computed from the configuration and the
 * deployer's address before anything is sent.
 *
 * Why the deployer is an input: the ProxyAdmin's constructor takes its first owner, and that must
 * be the deployer (it initializes the proxies through `upgradeAndCall`, then hands ownership to
 * `keystore.roles.owner`). OP's own deploy script does the same. The proxies' init code holds the
 * ProxyAdmin's address, so every proxy address depends on the deployer too; implementations don't.
 */
import { type Address, encodeDeployData, encodeFunctionData, getAddress, type Hex, pad } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  opL1CrossDomainMessengerAbi,
  opL2OutputOracleAbi,
  opOptimismPortalAbi,
  opProxyAbi,
  opProxyAdminAbi,
  opProxyAdminBytecode,
  opProxyBytecode,
  opSuperchainConfigAbi,
  opSystemConfigAbi,
} from '../../contracts/generated/index.js'
import type { Config, KeystoreChainConfig, OpStackL1ContractName } from '../config/schema.js'
import { create2Address, saltOf } from '../deploy/create2.js'
import { RollupError } from '../shared/errors.js'
import { OPSTACK_IMPLEMENTATIONS, OPSTACK_PROXIED, type OpStackProxiedName } from './contracts.js'

export class OpStackPlanError extends RollupError {
  override name = 'OpStackPlanError'
}

export type PlannedCreate2 = { saltLabel: string; salt: Hex; initCode: Hex; address: Address }

/** Proxies under their plain names, plus the ProxyAdmin: what `contracts.l1` in the addresses file gets. */
export type OpStackL1Addresses = Record<OpStackL1ContractName, Address>

export type OpStackL1Plan = {
  chainId: number
  /** The first owner of the ProxyAdmin; sends every transaction of the deployment. */
  deployer: Address
  proxyAdmin: PlannedCreate2
  implementations: Record<OpStackProxiedName, PlannedCreate2>
  proxies: Record<OpStackProxiedName, PlannedCreate2>
  addresses: OpStackL1Addresses
}

export type PlanOpStackL1Parameters = {
  /** Default: the address of `accounts.deployer`. */
  deployer?: Address | undefined
}

/** The keystore section of a configuration, or a clear error. */
export function keystoreConfigOf(config: Config): KeystoreChainConfig {
  if (!config.keystore)
    throw new OpStackPlanError('The configuration has no `keystore` section.', {
      details: 'the keystore chain (chain id, roles, timing) is configured there; see node-config/README.md',
    })
  return config.keystore
}

/** The deployer address the plan uses: the one given, else the address of `accounts.deployer`. */
export function resolveDeployer(config: Config, deployer?: Address | undefined): Address {
  if (deployer) return getAddress(deployer)
  if (config.accounts.deployer) return privateKeyToAccount(config.accounts.deployer as Hex).address
  throw new OpStackPlanError("The keystore chain's L1 addresses depend on the deployer, and none is known.", {
    details: 'set accounts.deployer or pass the deployer (deploy CLI: --deployer-key / DEPLOYER_PRIVATE_KEY)',
  })
}

function planned(saltLabel: string, initCode: Hex): PlannedCreate2 {
  const salt = saltOf(saltLabel)
  return { saltLabel, salt, initCode, address: create2Address(salt, initCode) }
}

/**
 * Plans the keystore chain's L1 contracts. Salts: `<saltPrefix>/opstack/<Name>` for
 * implementations (shareable between chains), `<saltPrefix>/opstack/<chainId>/ProxyAdmin` and
 * `<saltPrefix>/opstack/<chainId>/<Name>Proxy`.
 *
 * @param config a configuration with a `keystore` section.
 * @returns Addresses and init code of every contract.
 * @throws OpStackPlanError without a keystore section or a deployer.
 * @example
 * const { addresses } = planOpStackL1(loadConfig())
 * addresses.L1CrossDomainMessenger // the proxy L1Keystore trusts
 */
export function planOpStackL1(config: Config, parameters: PlanOpStackL1Parameters = {}): OpStackL1Plan {
  const keystore = keystoreConfigOf(config)
  const deployer = resolveDeployer(config, parameters.deployer)
  const base = `${config.deploy.saltPrefix}/opstack`
  const proxyAdmin = planned(
    `${base}/${keystore.chainId}/ProxyAdmin`,
    encodeDeployData({ abi: opProxyAdminAbi, bytecode: opProxyAdminBytecode, args: [deployer] }),
  )
  const implementations = {} as Record<OpStackProxiedName, PlannedCreate2>
  const proxies = {} as Record<OpStackProxiedName, PlannedCreate2>
  for (const name of OPSTACK_PROXIED) {
    implementations[name] = planned(`${base}/${name}`, OPSTACK_IMPLEMENTATIONS[name].bytecode)
    proxies[name] = planned(
      `${base}/${keystore.chainId}/${name}Proxy`,
      encodeDeployData({ abi: opProxyAbi, bytecode: opProxyBytecode, args: [proxyAdmin.address] }),
    )
  }
  const addresses = { ProxyAdmin: proxyAdmin.address } as OpStackL1Addresses
  for (const name of OPSTACK_PROXIED) addresses[name] = proxies[name].address
  return { chainId: keystore.chainId, deployer, proxyAdmin, implementations, proxies, addresses }
}

/** `bytes32(uint256(uint160(batcher)))`, SystemConfig's batcher hash. */
export function batcherHashOf(batcher: Address): Hex {
  return pad(getAddress(batcher), { size: 32 }).toLowerCase() as Hex
}

/**
 * The `initialize(...)` calldata of each proxy (what `ProxyAdmin.upgradeAndCall` delegates).
 *
 * @param startingTimestamp L2OutputOracle.startingTimestamp: the L2 genesis timestamp.
 * @example
 * const calls = opStackInitializeCalls(config, plan.addresses, { startingTimestamp: 1_700_000_000n })
 */
export function opStackInitializeCalls(
  config: Config,
  addresses: OpStackL1Addresses,
  parameters: { startingTimestamp: bigint },
): Record<OpStackProxiedName, Hex> {
  const k = keystoreConfigOf(config)
  const sc = k.systemConfig
  const rc = sc.resourceConfig
  const zero = '0x0000000000000000000000000000000000000000' as const
  return {
    SuperchainConfig: encodeFunctionData({
      abi: opSuperchainConfigAbi,
      functionName: 'initialize',
      args: [getAddress(k.roles.guardian), k.paused],
    }),
    L2OutputOracle: encodeFunctionData({
      abi: opL2OutputOracleAbi,
      functionName: 'initialize',
      args: [
        BigInt(k.submissionInterval),
        BigInt(k.l2BlockTime),
        BigInt(k.genesis.l2BlockNumber),
        parameters.startingTimestamp,
        getAddress(k.roles.proposer),
        getAddress(k.roles.challenger),
        BigInt(k.finalizationPeriodSeconds),
      ],
    }),
    SystemConfig: encodeFunctionData({
      abi: opSystemConfigAbi,
      functionName: 'initialize',
      args: [
        getAddress(k.roles.owner),
        sc.basefeeScalar,
        sc.blobbasefeeScalar,
        batcherHashOf(k.roles.batcher as Address),
        BigInt(sc.gasLimit),
        getAddress(k.roles.unsafeBlockSigner),
        {
          maxResourceLimit: rc.maxResourceLimit,
          elasticityMultiplier: rc.elasticityMultiplier,
          baseFeeMaxChangeDenominator: rc.baseFeeMaxChangeDenominator,
          minimumBaseFee: rc.minimumBaseFee,
          systemTxMaxGas: rc.systemTxMaxGas,
          maximumBaseFee: BigInt(rc.maximumBaseFee),
        },
        getAddress(k.batchInbox),
        {
          l1CrossDomainMessenger: addresses.L1CrossDomainMessenger,
          l1ERC721Bridge: zero,
          l1StandardBridge: zero,
          disputeGameFactory: zero,
          optimismPortal: addresses.OptimismPortal,
          optimismMintableERC20Factory: zero,
          // zero = ETH pays for gas on L2 (no custom gas token)
          gasPayingToken: zero,
        },
      ],
    }),
    OptimismPortal: encodeFunctionData({
      abi: opOptimismPortalAbi,
      functionName: 'initialize',
      args: [addresses.L2OutputOracle, addresses.SystemConfig, addresses.SuperchainConfig],
    }),
    L1CrossDomainMessenger: encodeFunctionData({
      abi: opL1CrossDomainMessengerAbi,
      functionName: 'initialize',
      args: [addresses.SuperchainConfig, addresses.OptimismPortal, addresses.SystemConfig],
    }),
  }
}
