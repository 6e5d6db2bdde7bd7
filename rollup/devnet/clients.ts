/**
 * viem chains and clients for the devnet's chains. Services take any viem `Client`; the devnet
 * hands them clients with public, wallet and anvil test actions.
 */
import {
  type Account,
  type Chain,
  type Client,
  createTestClient,
  defineChain,
  http,
  publicActions,
  type TestClient,
  type Transport,
  walletActions,
} from 'viem'

/** Anvil's well-known dev keys #0 and #1 (funded on every anvil chain): devnet deployer and feeder. */
export const ANVIL_DEV_KEYS = {
  deployer: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  feeder: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
} as const

/** A client on an anvil chain (test actions in `anvil` mode). */
export type AnvilClient = TestClient<'anvil', Transport, Chain | undefined, Account | undefined, false>

/** Any viem client bound to a chain (what services accept). */
export type ChainClient = Client<Transport, Chain | undefined, Account | undefined>

/** A viem chain for a devnet or preset chain. */
export function makeChain(parameters: {
  name: string
  chainId: number
  rpcUrl: string
  blockTime?: number
  /** Well-known contracts (e.g. `{ multicall3: { address } }`, which viem's multicall uses). */
  contracts?: Chain['contracts']
}): Chain {
  return defineChain({
    id: parameters.chainId,
    name: parameters.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [parameters.rpcUrl] } },
    ...(parameters.blockTime ? { blockTime: parameters.blockTime * 1000 } : {}),
    ...(parameters.contracts ? { contracts: parameters.contracts } : {}),
  })
}

export type CreateDevnetClientParameters = {
  chain: Chain
  /** Default: the chain's first HTTP URL. */
  transport?: Transport | undefined
  account?: Account | undefined
  pollingIntervalMs?: number | undefined
}

/**
 * A client with public, wallet and anvil test actions.
 *
 * @example
 * const l1 = createDevnetClient({ chain: makeChain({ name: 'l1', chainId: 900, rpcUrl }), account })
 * await l1.mine({ blocks: 1 }); await l1.getBlockNumber()
 */
export function createDevnetClient(parameters: CreateDevnetClientParameters) {
  return createTestClient({
    mode: 'anvil',
    chain: parameters.chain,
    account: parameters.account,
    transport: parameters.transport ?? http(parameters.chain.rpcUrls.default.http[0]),
    pollingInterval: parameters.pollingIntervalMs ?? 250,
    cacheTime: 0,
  })
    .extend(publicActions)
    .extend(walletActions)
}

export type DevnetClient = ReturnType<typeof createDevnetClient>
