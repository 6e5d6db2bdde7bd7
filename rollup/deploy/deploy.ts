import type { Address, Hex } from 'viem'
import type { Config } from '../config/schema.js'
import type { AnvilClient, ChainClient } from '../devnet/clients.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import type { TxSender } from '../shared/txSender.js'
import { deployCreate2, ensureCreate2Deployer } from './create2.js'
import { type DeploymentPlan, planDeployments, type SkippedDeployment } from './plan.js'

export type DeployChain = {
  client: ChainClient
  /** The deployer's sender on this chain (one transaction at a time). */
  sender: TxSender
  /** Set for anvil chains: lets the deployer be installed when missing. */
  anvil?: AnvilClient | undefined
}

export type DeployAllParameters = {
  config: Config
  chains: Record<string, DeployChain>
  /** A precomputed plan (default: planned from the configuration). */
  plan?: DeploymentPlan | undefined
  logger?: Logger | undefined
}

export type DeployedContract = {
  address: Address
  chains: string[]
  salt: Hex
  /** Per chain: deployed now, or already there. */
  status: Record<string, 'deployed' | 'present'>
}

export type DeployAllReturnType = {
  contracts: Record<string, DeployedContract>
  skipped: SkippedDeployment[]
}

/**
 * Deploys every planned contract on its chains through the CREATE2 deployer, chains in parallel
 * and contracts in dependency order on each. Idempotent: contracts already at their address are
 * left alone, so re-running after a partial failure finishes the job.
 *
 * @returns Addresses per contract and the skipped deployments (with reasons).
 * @example
 * const { contracts } = await deployAll({ config, chains: { l1: { client, sender }, l2a: … } })
 */
export async function deployAll(parameters: DeployAllParameters): Promise<DeployAllReturnType> {
  const { config } = parameters
  const logger = (parameters.logger ?? silentLogger).child({ service: 'deploy' })
  const plan = parameters.plan ?? planDeployments(config)
  for (const s of plan.skipped) logger.warn(`skipping ${s.name}`, { reason: s.reason })
  const contracts: Record<string, DeployedContract> = {}
  for (const d of plan.deployments)
    contracts[d.name] = { address: d.address, chains: d.chains, salt: d.salt, status: {} }
  const names = [...new Set(plan.deployments.flatMap((d) => d.chains))]
  await Promise.all(
    names.map(async (chainName) => {
      const chain = parameters.chains[chainName]
      if (!chain) throw new Error(`no client for chain ${chainName}`)
      const log = logger.child({ chain: chainName })
      const deployer = await ensureCreate2Deployer(chain.client, { chainName, anvil: chain.anvil })
      if (deployer === 'installed') log.info('installed the CREATE2 deployer')
      for (const d of plan.deployments) {
        if (!d.chains.includes(chainName)) continue
        const result = await deployCreate2({
          client: chain.client,
          sender: chain.sender,
          salt: d.salt,
          initCode: d.initCode,
          label: `${d.name} on ${chainName}`,
        })
        contracts[d.name]!.status[chainName] = result.status
        log.info(result.status === 'deployed' ? `deployed ${d.name}` : `${d.name} already deployed`, {
          address: result.address,
        })
      }
    }),
  )
  return { contracts, skipped: plan.skipped }
}
