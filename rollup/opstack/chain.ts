/**
 * A viem chain for the keystore chain, in the shape viem's op-stack actions expect: OP formatters
 * and predeploys (`chainConfig`), `sourceId` = the L1, and the L1 contracts keyed by the L1's chain
 * id, so `publicActionsL1()` / `walletActionsL1()` accept `targetChain: keystoreChain`.
 */
import { type Address, type Chain, defineChain } from 'viem'
import { chainConfig } from 'viem/op-stack'
import type { OpStackL1Addresses } from './plan.js'

export type DefineKeystoreChainParameters = {
  chainId: number
  /** The keystore node's JSON-RPC. */
  rpcUrl: string
  l1ChainId: number
  /** The L1 proxies (ProxyAdmin unused here). */
  addresses: Pick<OpStackL1Addresses, 'OptimismPortal' | 'L2OutputOracle' | 'L1CrossDomainMessenger'> &
    Partial<OpStackL1Addresses>
  name?: string | undefined
  /** Seconds per L2 block. */
  blockTime?: number | undefined
}

/**
 * @returns A viem `Chain` for the keystore chain.
 * @example
 * const keystore = defineKeystoreChain({ chainId: 901, rpcUrl, l1ChainId: 900, addresses })
 * const l1 = createPublicClient({ chain: l1Chain, transport: http() }).extend(publicActionsL1())
 * await l1.getL2Output({ l2BlockNumber: 10n, targetChain: keystore })
 */
export function defineKeystoreChain(parameters: DefineKeystoreChainParameters) {
  const l1 = parameters.l1ChainId
  const at = (address: Address) => ({ [l1]: { address } })
  return defineChain({
    ...chainConfig,
    id: parameters.chainId,
    name: parameters.name ?? 'keystore',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [parameters.rpcUrl] } },
    contracts: {
      ...chainConfig.contracts,
      portal: at(parameters.addresses.OptimismPortal),
      l2OutputOracle: at(parameters.addresses.L2OutputOracle),
      l1CrossDomainMessenger: at(parameters.addresses.L1CrossDomainMessenger),
    },
    sourceId: l1,
    ...(parameters.blockTime ? { blockTime: parameters.blockTime * 1000 } : {}),
  } satisfies Chain)
}

export type KeystoreChain = ReturnType<typeof defineKeystoreChain>
