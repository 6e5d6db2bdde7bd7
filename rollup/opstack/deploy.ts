/**
 * Deploys the keystore chain's L1 contracts (OP Bedrock, legacy portal): a ProxyAdmin, the five
 * implementations and an ERC-1967 `Proxy` for each, all through the CREATE2 deployer, then
 * initializes every proxy with `ProxyAdmin.upgradeAndCall(proxy, implementation, initialize(...))`
 * and hands the ProxyAdmin to `keystore.roles.owner`.
 *
 * Threats handled here:
 * - Front-running the deployment: anyone can replay a CREATE2 deployment, but it yields exactly
 *   our contract (the init code fixes the ProxyAdmin's first owner = our deployer, and each proxy's
 *   admin = that ProxyAdmin). Nobody can plant other code at our addresses.
 * - Front-running `initialize`: a proxy has no implementation until `upgradeAndCall`, which sets
 *   the implementation and runs `initialize` in one call that only the ProxyAdmin's owner can make.
 *   Implementations initialize themselves (with zeros) in their constructors, so they cannot be
 *   taken over either.
 * - Re-running: every step is decided from chain state (code present, implementation slot set,
 *   owner), so a re-run after a partial failure finishes the job and a complete deployment sends
 *   nothing. A proxy that points elsewhere, or parameters that differ from the configuration
 *   where only an upgrade could change them, fail with the list of differences instead of being
 *   "fixed" silently.
 */
import { type Address, encodeFunctionData, getAddress, type Hex } from 'viem'
import { getBlock, readContract } from 'viem/actions'
import { opProxyAdminAbi } from '../../contracts/generated/index.js'
import type { Config } from '../config/schema.js'
import { deployCreate2, ensureCreate2Deployer } from '../deploy/create2.js'
import type { AnvilClient, ChainClient } from '../devnet/clients.js'
import { RollupError, shortMessageOf } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { TxSender } from '../shared/txSender.js'
import {
  EIP1967_ADMIN_SLOT,
  EIP1967_IMPLEMENTATION_SLOT,
  OPSTACK_PROXIED,
  OPSTACK_VERSIONS,
  type OpStackProxiedName,
} from './contracts.js'
import {
  batcherHashOf,
  keystoreConfigOf,
  type OpStackL1Addresses,
  type OpStackL1Plan,
  opStackInitializeCalls,
  planOpStackL1,
} from './plan.js'
import { type OpStackL1State, readOpStackL1, readProxySlot } from './read.js'

export class OpStackDeployError extends RollupError {
  override name = 'OpStackDeployError'
}

export type DeployOpStackL1Parameters = {
  /** An L1 client. */
  client: ChainClient
  config: Config
  /** Sends as the deployer (one transaction at a time). Default: a TxSender for `client.account`. */
  sender?: TxSender | undefined
  /** Set on anvil: installs the CREATE2 deployer when missing. */
  anvil?: AnvilClient | undefined
  /**
   * L2OutputOracle.startingTimestamp (the L2 genesis timestamp), overriding
   * `keystore.genesis.timestamp`. Neither: the L1 head's timestamp. Ignored once initialized.
   */
  genesisTimestamp?: bigint | undefined
  logger?: Logger | undefined
}

export type OpStackStepStatus = 'deployed' | 'present'

export type DeployOpStackL1ReturnType = {
  plan: OpStackL1Plan
  /** Proxies under their plain names, and the ProxyAdmin. */
  addresses: OpStackL1Addresses
  implementations: Record<OpStackProxiedName, Address>
  /** Per contract (`ProxyAdmin`, `<Name>`, `<Name>Implementation`): created now or already there. */
  created: Record<string, OpStackStepStatus>
  /** Per proxy: initialized now or already. */
  initialized: Record<OpStackProxiedName, 'initialized' | 'present'>
  /** ProxyAdmin handed to `keystore.roles.owner` now, already, or kept (owner = deployer). */
  ownership: 'transferred' | 'present' | 'deployer'
  /** Values read back after the deployment. */
  state: OpStackL1State
  /** What the keystore node needs: where its chain starts (L2) and where derivation starts (L1). */
  genesis: { l2BlockNumber: bigint; l2Timestamp: bigint; l1StartBlock: bigint }
  /** Configuration values that differ on chain but may legitimately change after deployment (warned). */
  drift: StateDifference[]
}

export type StateDifference = {
  field: string
  expected: string
  actual: string
  /** `fixed`: only an upgrade changes it (an error); `mutable`: the owner/guardian may have changed it. */
  kind: 'fixed' | 'mutable'
}

/**
 * Compares a deployment's state with the configuration and the plan.
 *
 * @param startingTimestamp the genesis timestamp expected, when it is pinned (config or parameter).
 * @returns Every difference (empty when the chain matches).
 */
export function diffOpStackL1State(
  config: Config,
  plan: OpStackL1Plan,
  state: OpStackL1State,
  parameters: { startingTimestamp?: bigint | undefined } = {},
): StateDifference[] {
  const k = keystoreConfigOf(config)
  const out: StateDifference[] = []
  const eq = (a: unknown, b: unknown) =>
    typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b
  const check = (field: string, expected: unknown, actual: unknown, kind: 'fixed' | 'mutable') => {
    if (!eq(expected, actual)) out.push({ field, expected: String(expected), actual: String(actual), kind })
  }
  const a = plan.addresses
  for (const name of OPSTACK_PROXIED) {
    check(
      `${name}.implementation`,
      plan.implementations[name].address,
      state.proxies[name].implementation,
      'fixed',
    )
    check(`${name}.admin`, a.ProxyAdmin, state.proxies[name].admin, 'fixed')
    check(`${name}.version`, OPSTACK_VERSIONS[name], state.versions[name], 'fixed')
  }
  const oo = state.l2OutputOracle
  check('L2OutputOracle.submissionInterval', BigInt(k.submissionInterval), oo.submissionInterval, 'fixed')
  check('L2OutputOracle.l2BlockTime', BigInt(k.l2BlockTime), oo.l2BlockTime, 'fixed')
  check(
    'L2OutputOracle.startingBlockNumber',
    BigInt(k.genesis.l2BlockNumber),
    oo.startingBlockNumber,
    'fixed',
  )
  if (parameters.startingTimestamp !== undefined)
    check('L2OutputOracle.startingTimestamp', parameters.startingTimestamp, oo.startingTimestamp, 'fixed')
  check('L2OutputOracle.proposer', k.roles.proposer, oo.proposer, 'fixed')
  check('L2OutputOracle.challenger', k.roles.challenger, oo.challenger, 'fixed')
  check(
    'L2OutputOracle.finalizationPeriodSeconds',
    BigInt(k.finalizationPeriodSeconds),
    oo.finalizationPeriodSeconds,
    'fixed',
  )
  const sys = state.systemConfig
  check('SystemConfig.batchInbox', k.batchInbox, sys.batchInbox, 'fixed')
  check('SystemConfig.l1CrossDomainMessenger', a.L1CrossDomainMessenger, sys.l1CrossDomainMessenger, 'fixed')
  check('SystemConfig.optimismPortal', a.OptimismPortal, sys.optimismPortal, 'fixed')
  check('SystemConfig.owner', k.roles.owner, sys.owner, 'mutable')
  check('SystemConfig.batcherHash', batcherHashOf(k.roles.batcher as Address), sys.batcherHash, 'mutable')
  check('SystemConfig.gasLimit', BigInt(k.systemConfig.gasLimit), sys.gasLimit, 'mutable')
  check('SystemConfig.basefeeScalar', k.systemConfig.basefeeScalar, sys.basefeeScalar, 'mutable')
  check('SystemConfig.blobbasefeeScalar', k.systemConfig.blobbasefeeScalar, sys.blobbasefeeScalar, 'mutable')
  check('SystemConfig.unsafeBlockSigner', k.roles.unsafeBlockSigner, sys.unsafeBlockSigner, 'mutable')
  const rc = k.systemConfig.resourceConfig
  for (const key of Object.keys(rc) as (keyof typeof rc)[])
    check(`SystemConfig.resourceConfig.${key}`, BigInt(rc[key]), BigInt(sys.resourceConfig[key]), 'fixed')
  check('SuperchainConfig.guardian', k.roles.guardian, state.superchainConfig.guardian, 'fixed')
  check('SuperchainConfig.paused', k.paused, state.superchainConfig.paused, 'mutable')
  const p = state.optimismPortal
  check('OptimismPortal.l2Oracle', a.L2OutputOracle, p.l2Oracle, 'fixed')
  check('OptimismPortal.systemConfig', a.SystemConfig, p.systemConfig, 'fixed')
  check('OptimismPortal.superchainConfig', a.SuperchainConfig, p.superchainConfig, 'fixed')
  const m = state.l1CrossDomainMessenger
  check('L1CrossDomainMessenger.portal', a.OptimismPortal, m.portal, 'fixed')
  check('L1CrossDomainMessenger.systemConfig', a.SystemConfig, m.systemConfig, 'fixed')
  check('L1CrossDomainMessenger.superchainConfig', a.SuperchainConfig, m.superchainConfig, 'fixed')
  check(
    'L1CrossDomainMessenger.otherMessenger',
    '0x4200000000000000000000000000000000000007',
    m.otherMessenger,
    'fixed',
  )
  const owner = getAddress(k.roles.owner)
  if (!eq(state.proxyAdmin.owner, owner) && !eq(state.proxyAdmin.owner, plan.deployer))
    out.push({ field: 'ProxyAdmin.owner', expected: owner, actual: state.proxyAdmin.owner, kind: 'mutable' })
  return out
}

/**
 * Deploys (or completes, or checks) the keystore chain's L1 contracts. Deterministic: the
 * addresses are `planOpStackL1(config, { deployer })`'s, where the deployer is the sender.
 *
 * @returns Addresses, what was done, and the state read back.
 * @throws OpStackDeployError when the chain holds something else at our addresses, the ProxyAdmin
 *   belongs to someone else while proxies still need initializing, the genesis timestamp is in the
 *   L1's future, or a fixed parameter differs from the configuration.
 * @example
 * const sender = new TxSender({ client: l1, account: deployer })
 * const { addresses, genesis } = await deployOpStackL1({ client: l1, sender, config })
 * addresses.OptimismPortal // proxy
 */
export async function deployOpStackL1(
  parameters: DeployOpStackL1Parameters,
): Promise<DeployOpStackL1ReturnType> {
  const { client, config } = parameters
  const keystore = keystoreConfigOf(config)
  const log = (parameters.logger ?? silentLogger).child({ service: 'opstack', chain: 'l1' })
  const sender =
    parameters.sender ??
    (() => {
      if (!client.account)
        throw new OpStackDeployError('No deployer.', { details: 'pass `sender` or a client with an account' })
      return new TxSender({ client, account: client.account, logger: log })
    })()
  const plan = planOpStackL1(config, { deployer: sender.address })
  const deployer = plan.deployer

  // A pinned genesis timestamp in the L1's future would make L2OutputOracle.initialize revert:
  // refuse before sending anything.
  const pinned =
    parameters.genesisTimestamp ??
    (keystore.genesis.timestamp === undefined ? undefined : BigInt(keystore.genesis.timestamp))
  const head = await getBlock(client, { blockTag: 'latest' })
  const ooImplementation = await readProxySlot(
    client,
    plan.addresses.L2OutputOracle,
    EIP1967_IMPLEMENTATION_SLOT,
  )
  if (pinned !== undefined && pinned > head.timestamp && BigInt(ooImplementation) === 0n)
    throw new OpStackDeployError('The keystore genesis timestamp is in the L1 future.', {
      details: `L2OutputOracle.initialize requires startingTimestamp (${pinned}) <= the L1 time (${head.timestamp})`,
      input: pinned,
    })

  if ((await ensureCreate2Deployer(client, { chainName: 'l1', anvil: parameters.anvil })) === 'installed')
    log.info('installed the CREATE2 deployer')

  // 1. Contracts (CREATE2; present ones are left alone).
  const created: Record<string, OpStackStepStatus> = {}
  const create = async (label: string, p: { salt: Hex; initCode: Hex }) => {
    const r = await deployCreate2({ client, sender, salt: p.salt, initCode: p.initCode, label })
    created[label] = r.status
    log.info(r.status === 'deployed' ? `deployed ${label}` : `${label} already deployed`, {
      address: r.address,
    })
  }
  await create('ProxyAdmin', plan.proxyAdmin)
  for (const name of OPSTACK_PROXIED) await create(`${name}Implementation`, plan.implementations[name])
  for (const name of OPSTACK_PROXIED) await create(name, plan.proxies[name])

  // 2. Initialize each proxy through the ProxyAdmin, unless done.
  const readOwner = () =>
    readContract(client, { address: plan.proxyAdmin.address, abi: opProxyAdminAbi, functionName: 'owner' })
  const initialized = {} as Record<OpStackProxiedName, 'initialized' | 'present'>
  const pending: OpStackProxiedName[] = []
  for (const name of OPSTACK_PROXIED) {
    const proxy = plan.proxies[name].address
    const admin = await readProxySlot(client, proxy, EIP1967_ADMIN_SLOT)
    if (admin !== plan.proxyAdmin.address)
      throw new OpStackDeployError(`The ${name} proxy is administered by ${admin}, not our ProxyAdmin.`, {
        details: `proxy ${proxy}, ProxyAdmin ${plan.proxyAdmin.address}`,
      })
    const implementation = await readProxySlot(client, proxy, EIP1967_IMPLEMENTATION_SLOT)
    if (BigInt(implementation) === 0n) pending.push(name)
    else if (implementation === plan.implementations[name].address) initialized[name] = 'present'
    else
      throw new OpStackDeployError(`The ${name} proxy points at another implementation.`, {
        details: `${proxy} -> ${implementation}, expected ${plan.implementations[name].address} (upgraded since, or another contracts-bedrock build); not touched`,
      })
  }
  if (pending.length > 0) {
    const owner = await readOwner()
    if (owner !== deployer)
      throw new OpStackDeployError(
        `${pending.join(', ')} need initializing, but the ProxyAdmin belongs to ${owner}.`,
        {
          details: `only its owner can upgradeAndCall; deploy with ${owner}'s key or let it initialize the proxies`,
        },
      )
    const now = (await getBlock(client, { blockTag: 'latest' })).timestamp
    const startingTimestamp = pinned ?? now
    const calls = opStackInitializeCalls(config, plan.addresses, { startingTimestamp })
    for (const name of pending) {
      const data = encodeFunctionData({
        abi: opProxyAdminAbi,
        functionName: 'upgradeAndCall',
        args: [plan.proxies[name].address, plan.implementations[name].address, calls[name]],
      })
      let receipt: Awaited<ReturnType<TxSender['send']>>
      try {
        receipt = await sender.send({ to: plan.proxyAdmin.address, data })
      } catch (error) {
        throw new OpStackDeployError(`Initializing ${name} failed.`, {
          details: shortMessageOf(error),
          cause: error,
        })
      }
      if (receipt.status !== 'success')
        throw new OpStackDeployError(`Initializing ${name} reverted.`, {
          details: `tx ${receipt.transactionHash}`,
        })
      initialized[name] = 'initialized'
      log.info(`initialized ${name}`, { proxy: plan.proxies[name].address, tx: receipt.transactionHash })
    }
  }

  // 3. Hand the ProxyAdmin to the configured owner (last: initializing needs the deployer).
  let ownership: DeployOpStackL1ReturnType['ownership']
  const finalOwner = getAddress(keystore.roles.owner)
  const currentOwner = await readOwner()
  if (currentOwner === finalOwner) ownership = finalOwner === deployer ? 'deployer' : 'present'
  else if (currentOwner === deployer) {
    const receipt = await sender.send({
      to: plan.proxyAdmin.address,
      data: encodeFunctionData({
        abi: opProxyAdminAbi,
        functionName: 'transferOwnership',
        args: [finalOwner],
      }),
    })
    if (receipt.status !== 'success')
      throw new OpStackDeployError('ProxyAdmin.transferOwnership reverted.', {
        details: `tx ${receipt.transactionHash}`,
      })
    ownership = 'transferred'
    log.info('handed the ProxyAdmin to the owner', { owner: finalOwner })
  } else ownership = 'present' // someone else's now: reported as drift below

  // 4. Read everything back and compare with the configuration.
  const state = await readOpStackL1(client, plan.addresses)
  const diffs = diffOpStackL1State(config, plan, state, { startingTimestamp: pinned })
  const fixed = diffs.filter((d) => d.kind === 'fixed')
  if (fixed.length > 0)
    throw new OpStackDeployError("The keystore chain's L1 contracts differ from the configuration.", {
      metaMessages: fixed.map((d) => `- ${d.field}: on chain ${d.actual}, configured ${d.expected}`),
      details: 'these change only through an upgrade (ProxyAdmin owner); fix the configuration or upgrade',
    })
  const drift = diffs.filter((d) => d.kind === 'mutable')
  for (const d of drift)
    log.warn('on-chain value differs from the configuration', {
      field: d.field,
      onChain: d.actual,
      configured: d.expected,
    })
  return {
    plan,
    addresses: plan.addresses,
    implementations: Object.fromEntries(
      OPSTACK_PROXIED.map((n) => [n, plan.implementations[n].address]),
    ) as Record<OpStackProxiedName, Address>,
    created,
    initialized,
    ownership,
    state,
    genesis: {
      l2BlockNumber: state.l2OutputOracle.startingBlockNumber,
      l2Timestamp: state.l2OutputOracle.startingTimestamp,
      l1StartBlock: state.systemConfig.startBlock,
    },
    drift,
  }
}
