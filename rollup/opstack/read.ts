/**
 * Reads back the keystore chain's L1 contracts: versions, proxy wiring and every parameter their
 * `initialize` set. The deployment checks it against the configuration; tests and operators use it
 * to see what is on chain.
 */
import { type Address, getAddress, type Hex } from 'viem'
import { getStorageAt, readContract } from 'viem/actions'
import {
  opL1CrossDomainMessengerAbi,
  opL2OutputOracleAbi,
  opOptimismPortalAbi,
  opProxyAdminAbi,
  opSuperchainConfigAbi,
  opSystemConfigAbi,
} from '../../contracts/generated/index.js'
import type { ChainClient } from '../devnet/clients.js'
import {
  EIP1967_ADMIN_SLOT,
  EIP1967_IMPLEMENTATION_SLOT,
  OPSTACK_PROXIED,
  type OpStackProxiedName,
} from './contracts.js'
import type { OpStackL1Addresses } from './plan.js'

/** The address in an EIP-1967 slot of `proxy` (zero when unset). */
export async function readProxySlot(client: ChainClient, proxy: Address, slot: Hex): Promise<Address> {
  const word = await getStorageAt(client, { address: proxy, slot })
  return getAddress(`0x${(word ?? '0x').slice(2).padStart(64, '0').slice(24)}`)
}

export type OpStackL1State = {
  proxyAdmin: { owner: Address }
  proxies: Record<OpStackProxiedName, { implementation: Address; admin: Address }>
  versions: Record<OpStackProxiedName, string>
  superchainConfig: { guardian: Address; paused: boolean }
  l2OutputOracle: {
    submissionInterval: bigint
    l2BlockTime: bigint
    startingBlockNumber: bigint
    startingTimestamp: bigint
    proposer: Address
    challenger: Address
    finalizationPeriodSeconds: bigint
    nextOutputIndex: bigint
    latestBlockNumber: bigint
  }
  systemConfig: {
    owner: Address
    batcherHash: Hex
    gasLimit: bigint
    basefeeScalar: number
    blobbasefeeScalar: number
    scalar: bigint
    overhead: bigint
    unsafeBlockSigner: Address
    batchInbox: Address
    l1CrossDomainMessenger: Address
    optimismPortal: Address
    /** The L1 block of initialization: where derivation of the keystore chain starts. */
    startBlock: bigint
    resourceConfig: {
      maxResourceLimit: number
      elasticityMultiplier: number
      baseFeeMaxChangeDenominator: number
      minimumBaseFee: number
      systemTxMaxGas: number
      maximumBaseFee: bigint
    }
    gasPayingToken: Address
  }
  optimismPortal: {
    l2Oracle: Address
    systemConfig: Address
    superchainConfig: Address
    l2Sender: Address
    paused: boolean
  }
  l1CrossDomainMessenger: {
    portal: Address
    superchainConfig: Address
    systemConfig: Address
    otherMessenger: Address
    paused: boolean
  }
}

/**
 * Reads the state of a deployment (about 40 calls, in parallel; no Multicall3 needed).
 *
 * @param addresses proxies and ProxyAdmin (e.g. `plan.addresses` or the addresses file's).
 * @returns Every initialized value, typed.
 * @example
 * const state = await readOpStackL1(l1, addresses)
 * state.l2OutputOracle.finalizationPeriodSeconds // 4n on the devnet
 */
export async function readOpStackL1(
  client: ChainClient,
  addresses: OpStackL1Addresses,
): Promise<OpStackL1State> {
  const a = addresses
  const sc = { address: a.SuperchainConfig, abi: opSuperchainConfigAbi } as const
  const oo = { address: a.L2OutputOracle, abi: opL2OutputOracleAbi } as const
  const sys = { address: a.SystemConfig, abi: opSystemConfigAbi } as const
  const portal = { address: a.OptimismPortal, abi: opOptimismPortalAbi } as const
  const cdm = { address: a.L1CrossDomainMessenger, abi: opL1CrossDomainMessengerAbi } as const
  const proxies = Object.fromEntries(
    await Promise.all(
      OPSTACK_PROXIED.map(
        async (name) =>
          [
            name,
            {
              implementation: await readProxySlot(client, a[name], EIP1967_IMPLEMENTATION_SLOT),
              admin: await readProxySlot(client, a[name], EIP1967_ADMIN_SLOT),
            },
          ] as const,
      ),
    ),
  ) as OpStackL1State['proxies']
  const [
    owner,
    vSc,
    vOo,
    vSys,
    vPortal,
    vCdm,
    guardian,
    scPaused,
    submissionInterval,
    l2BlockTime,
    startingBlockNumber,
    startingTimestamp,
    proposer,
    challenger,
    finalizationPeriodSeconds,
    nextOutputIndex,
    latestBlockNumber,
  ] = await Promise.all([
    readContract(client, { address: a.ProxyAdmin, abi: opProxyAdminAbi, functionName: 'owner' }),
    readContract(client, { ...sc, functionName: 'version' }),
    readContract(client, { ...oo, functionName: 'version' }),
    readContract(client, { ...sys, functionName: 'version' }),
    readContract(client, { ...portal, functionName: 'version' }),
    readContract(client, { ...cdm, functionName: 'version' }),
    readContract(client, { ...sc, functionName: 'guardian' }),
    readContract(client, { ...sc, functionName: 'paused' }),
    readContract(client, { ...oo, functionName: 'submissionInterval' }),
    readContract(client, { ...oo, functionName: 'l2BlockTime' }),
    readContract(client, { ...oo, functionName: 'startingBlockNumber' }),
    readContract(client, { ...oo, functionName: 'startingTimestamp' }),
    readContract(client, { ...oo, functionName: 'proposer' }),
    readContract(client, { ...oo, functionName: 'challenger' }),
    readContract(client, { ...oo, functionName: 'finalizationPeriodSeconds' }),
    readContract(client, { ...oo, functionName: 'nextOutputIndex' }),
    readContract(client, { ...oo, functionName: 'latestBlockNumber' }),
  ])
  const [
    sysOwner,
    batcherHash,
    gasLimit,
    basefeeScalar,
    blobbasefeeScalar,
    scalar,
    overhead,
    unsafeBlockSigner,
    batchInbox,
    l1CrossDomainMessenger,
    optimismPortal,
    startBlock,
    resourceConfig,
    [gasPayingToken],
  ] = await Promise.all([
    readContract(client, { ...sys, functionName: 'owner' }),
    readContract(client, { ...sys, functionName: 'batcherHash' }),
    readContract(client, { ...sys, functionName: 'gasLimit' }),
    readContract(client, { ...sys, functionName: 'basefeeScalar' }),
    readContract(client, { ...sys, functionName: 'blobbasefeeScalar' }),
    readContract(client, { ...sys, functionName: 'scalar' }),
    readContract(client, { ...sys, functionName: 'overhead' }),
    readContract(client, { ...sys, functionName: 'unsafeBlockSigner' }),
    readContract(client, { ...sys, functionName: 'batchInbox' }),
    readContract(client, { ...sys, functionName: 'l1CrossDomainMessenger' }),
    readContract(client, { ...sys, functionName: 'optimismPortal' }),
    readContract(client, { ...sys, functionName: 'startBlock' }),
    readContract(client, { ...sys, functionName: 'resourceConfig' }),
    readContract(client, { ...sys, functionName: 'gasPayingToken' }),
  ])
  const [l2Oracle, pSys, pSc, l2Sender, pPaused, cPortal, cSc, cSys, otherMessenger, cPaused] =
    await Promise.all([
      readContract(client, { ...portal, functionName: 'l2Oracle' }),
      readContract(client, { ...portal, functionName: 'systemConfig' }),
      readContract(client, { ...portal, functionName: 'superchainConfig' }),
      readContract(client, { ...portal, functionName: 'l2Sender' }),
      readContract(client, { ...portal, functionName: 'paused' }),
      readContract(client, { ...cdm, functionName: 'portal' }),
      readContract(client, { ...cdm, functionName: 'superchainConfig' }),
      readContract(client, { ...cdm, functionName: 'systemConfig' }),
      readContract(client, { ...cdm, functionName: 'OTHER_MESSENGER' }),
      readContract(client, { ...cdm, functionName: 'paused' }),
    ])
  return {
    proxyAdmin: { owner },
    proxies,
    versions: {
      SuperchainConfig: vSc,
      L2OutputOracle: vOo,
      SystemConfig: vSys,
      OptimismPortal: vPortal,
      L1CrossDomainMessenger: vCdm,
    },
    superchainConfig: { guardian, paused: scPaused },
    l2OutputOracle: {
      submissionInterval,
      l2BlockTime,
      startingBlockNumber,
      startingTimestamp,
      proposer,
      challenger,
      finalizationPeriodSeconds,
      nextOutputIndex,
      latestBlockNumber,
    },
    systemConfig: {
      owner: sysOwner,
      batcherHash,
      gasLimit,
      basefeeScalar,
      blobbasefeeScalar,
      scalar,
      overhead,
      unsafeBlockSigner,
      batchInbox,
      l1CrossDomainMessenger,
      optimismPortal,
      startBlock,
      resourceConfig: { ...resourceConfig },
      gasPayingToken,
    },
    optimismPortal: { l2Oracle, systemConfig: pSys, superchainConfig: pSc, l2Sender, paused: pPaused },
    l1CrossDomainMessenger: {
      portal: cPortal,
      superchainConfig: cSc,
      systemConfig: cSys,
      otherMessenger,
      paused: cPaused,
    },
  }
}
