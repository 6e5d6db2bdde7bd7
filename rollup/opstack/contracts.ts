/**
 * The OP-Stack contracts of the keystore chain, as shipped in @eth-optimism/contracts-bedrock
 * (forge-artifacts, turned into typed modules by scripts/gen-artifacts.ts): ABIs, bytecode, the
 * L2 predeploy addresses and the proxy storage slots.
 *
 * The L1 side is the *legacy* Bedrock set: OptimismPortal (v2.x, proven against L2OutputOracle
 * outputs), not OptimismPortal2 (dispute games). viem's op-stack actions pick that path from
 * `OptimismPortal.version()` (major < 3).
 */
import { type Abi, type Address, getAddress, type Hex } from 'viem'
import {
  opL1CrossDomainMessengerAbi,
  opL1CrossDomainMessengerBytecode,
  opL2OutputOracleAbi,
  opL2OutputOracleBytecode,
  opOptimismPortalAbi,
  opOptimismPortalBytecode,
  opSuperchainConfigAbi,
  opSuperchainConfigBytecode,
  opSystemConfigAbi,
  opSystemConfigBytecode,
} from '../../contracts/generated/index.js'

/** The proxied L1 contracts in the order they are initialized. */
export const OPSTACK_PROXIED = [
  'SuperchainConfig',
  'L2OutputOracle',
  'SystemConfig',
  'OptimismPortal',
  'L1CrossDomainMessenger',
] as const
export type OpStackProxiedName = (typeof OPSTACK_PROXIED)[number]

/** Implementation artifacts of the proxied contracts (constructors take no arguments). */
export const OPSTACK_IMPLEMENTATIONS: Record<OpStackProxiedName, { abi: Abi; bytecode: Hex }> = {
  SuperchainConfig: { abi: opSuperchainConfigAbi, bytecode: opSuperchainConfigBytecode },
  L2OutputOracle: { abi: opL2OutputOracleAbi, bytecode: opL2OutputOracleBytecode },
  SystemConfig: { abi: opSystemConfigAbi, bytecode: opSystemConfigBytecode },
  OptimismPortal: { abi: opOptimismPortalAbi, bytecode: opOptimismPortalBytecode },
  L1CrossDomainMessenger: { abi: opL1CrossDomainMessengerAbi, bytecode: opL1CrossDomainMessengerBytecode },
}

/**
 * `version()` of each contract in contracts-bedrock 0.17.3. The deployment reads them back; a
 * different package version changes the bytecode and therefore every CREATE2 address.
 */
export const OPSTACK_VERSIONS: Record<OpStackProxiedName, string> = {
  SuperchainConfig: '1.1.0',
  L2OutputOracle: '1.8.0',
  SystemConfig: '2.3.0-beta.2',
  OptimismPortal: '2.8.1-beta.1',
  L1CrossDomainMessenger: '2.4.0',
}

/** EIP-1967 `bytes32(uint256(keccak256('eip1967.proxy.implementation')) - 1)`. */
export const EIP1967_IMPLEMENTATION_SLOT: Hex =
  '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
/** EIP-1967 `bytes32(uint256(keccak256('eip1967.proxy.admin')) - 1)`. */
export const EIP1967_ADMIN_SLOT: Hex = '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103'

/** L2 predeploys (contracts-bedrock `Predeploys`). */
export const L2_CROSS_DOMAIN_MESSENGER: Address = '0x4200000000000000000000000000000000000007'
export const L2_TO_L1_MESSAGE_PASSER: Address = '0x4200000000000000000000000000000000000016'

/** `Constants.DEFAULT_L2_SENDER`: OptimismPortal.l2Sender() and the messengers' sender outside a relay. */
export const DEFAULT_L2_SENDER: Address = '0x000000000000000000000000000000000000dEaD'

/** The offset OP adds to an L1 contract's address when it sends to L2 (AddressAliasHelper). */
export const L1_TO_L2_ALIAS_OFFSET = 0x1111000000000000000000000000000000001111n

/**
 * `AddressAliasHelper.applyL1ToL2Alias`: the `from` of a deposit sent by an L1 contract (the L1
 * messenger's deposits arrive on L2 from its alias).
 *
 * @example
 * applyL1ToL2Alias('0x…messenger') // the L2CrossDomainMessenger accepts relays only from this
 */
export function applyL1ToL2Alias(address: Address): Address {
  const aliased = (BigInt(address) + L1_TO_L2_ALIAS_OFFSET) % 2n ** 160n
  return getAddress(`0x${aliased.toString(16).padStart(40, '0')}`)
}
