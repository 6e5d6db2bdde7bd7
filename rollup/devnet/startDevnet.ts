import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { Batcher, type BatcherHealth } from '../batcher/Batcher.js'
import { loadConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'
import {
  buildAddresses,
  defaultAddressesPath,
  type NetworkAddresses,
  writeAddresses,
} from '../deploy/addresses.js'
import { type DeployAllReturnType, deployAll } from '../deploy/deploy.js'
import { Feeder, type FeederHealth } from '../feeder/Feeder.js'
import { createKeystoreChainNode, keystoreChainInputs, nodeBatchSource } from '../keystore/keystoreChain.js'
import type { KeystoreNode, KeystoreNodeHealth } from '../node/KeystoreNode.js'
import { type DeployOpStackL1ReturnType, deployOpStackL1 } from '../opstack/deploy.js'
import { installMulticall3, multicall3Contract } from '../opstack/multicall3.js'
import { L1OriginUpdater, type L1OriginUpdaterHealth } from '../origin/L1OriginUpdater.js'
import { Proposer, type ProposerHealth } from '../proposer/Proposer.js'
import { Relayer, type RelayerHealth } from '../relayer/Relayer.js'
import { RollupError } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { TxSender } from '../shared/txSender.js'
import { Verifier, type VerifierHealth } from '../verifier/Verifier.js'
import { type Anvil, startAnvil } from './anvil.js'
import { ANVIL_DEV_KEYS, createDevnetClient, type DevnetClient, makeChain } from './clients.js'

const DEV_KEYS = ANVIL_DEV_KEYS

export type StartDevnetParameters = {
  /** A configuration or the path of one. Default node-config/devnet.json. */
  config?: Config | string | undefined
  /** Port per chain name (tests pass free ports). Default: the configuration's. */
  ports?: Record<string, number> | undefined
  /** Block time per chain name in seconds (0 = a block per transaction). */
  blockTimes?: Record<string, number> | undefined
  /** Run the L1 origin updaters (default true). */
  originUpdater?: boolean | undefined
  /** Deploy the contracts, the keystore chain's L1 side included (default true). */
  deploy?: boolean | undefined
  /** Run the feeder (default true; needs L1Blocks). */
  feeder?: boolean | undefined
  /**
   * Run the keystore chain (node + proposer) when the configuration has a `keystore` section and
   * its L1 side is deployed (default true).
   */
  keystore?: boolean | undefined
  /** Run a verifier of the keystore chain next to it (default true). */
  verifier?: boolean | undefined
  /** Where to write the addresses; false = nowhere. Default node-config/<name>.addresses.json. */
  addressesFile?: string | false | undefined
  /** Folder for anvil logs (<chain>.log). Default: none (kept in memory). */
  logDir?: string | undefined
  /** How long to wait for the feeder's first sync. Default 60 s. */
  syncTimeoutMs?: number | undefined
  logger?: Logger | undefined
}

export type DevnetHealth = {
  chains: Record<string, { rpcUrl: string; running: boolean; pid: number }>
  originUpdaters: Record<string, L1OriginUpdaterHealth>
  feeder: FeederHealth | null
  keystore: {
    node: KeystoreNodeHealth
    batcher: BatcherHealth | undefined
    proposer: ProposerHealth | undefined
    relayer: RelayerHealth | undefined
    verifier: VerifierHealth | undefined
  } | null
}

export type Devnet = {
  /** The configuration in effect (ports and block times after overrides). */
  config: Config
  addresses: NetworkAddresses
  /** One client per chain (public + wallet + anvil test actions), account = the deployer. */
  clients: Record<string, DevnetClient>
  rpcUrls: Record<string, string>
  anvils: Record<string, Anvil>
  originUpdaters: Record<string, L1OriginUpdater>
  /** The keystore chain's L1 deployment (rollup/opstack), when the configuration has a keystore section. */
  opstack: DeployOpStackL1ReturnType | undefined
  /** The feeder (replace it to run another; `stop()` stops whichever is here). */
  feeder: Feeder | undefined
  /** The keystore chain: its sequencing node and the services around it. */
  keystore:
    | {
        node: KeystoreNode
        batcher: Batcher | undefined
        proposer: Proposer | undefined
        relayer: Relayer | undefined
        /** Re-derives the chain from L1 into its own node and checks every output root. */
        verifier: Verifier | undefined
        dataDir: string
      }
    | undefined
  /** Wall-clock milliseconds start took. */
  startupMs: number
  health(): DevnetHealth
  /** Stops services, then the chains. Safe to call twice. */
  stop(): Promise<void>
}

export class DevnetStartError extends RollupError {
  override name = 'DevnetStartError'
}

function applyOverrides(config: Config, parameters: StartDevnetParameters): Config {
  const next: Config = structuredClone(config)
  const chains: [string, { port?: number | undefined; blockTime: number; rpcUrl?: string | undefined }][] = [
    ['l1', next.l1],
    ...Object.entries(next.l2s),
  ]
  for (const [name, chain] of chains) {
    const port = parameters.ports?.[name]
    if (port !== undefined) chain.port = port
    const blockTime = parameters.blockTimes?.[name]
    if (blockTime !== undefined) chain.blockTime = blockTime
    if (chain.port === undefined || chain.rpcUrl !== undefined)
      throw new DevnetStartError(`Chain ${name} is not a devnet chain.`, {
        details: 'the devnet starts anvil for every chain: give each a `port` and no `rpcUrl`',
      })
  }
  if (next.keystore && parameters.ports?.keystore !== undefined)
    next.keystore.port = parameters.ports.keystore
  return next
}

/**
 * Starts the whole devnet in-process: anvil for l1 and every L2 (OP mode), the genuine L1Block
 * predeploy and an L1 origin updater per L2, deterministic deployments, and the L1Blocks feeder.
 * Resolves once the feeder has stored each L2's current L1 origin.
 *
 * @param parameters configuration, port/block-time overrides, which services to run.
 * @returns Handles: config, addresses, clients, services and `stop()`.
 * @example
 * const devnet = await startDevnet({ ports: { l1: 18545, l2a: 18547, l2b: 18548 }, addressesFile: false })
 * await devnet.clients.l2a.readContract({ address: devnet.addresses.contracts.l2.L1Blocks, … })
 * await devnet.stop()
 */
export async function startDevnet(parameters: StartDevnetParameters = {}): Promise<Devnet> {
  const started = Date.now()
  const logger = parameters.logger ?? silentLogger
  const log = logger.child({ service: 'devnet' })
  const base =
    typeof parameters.config === 'object' ? parameters.config : loadConfig(parameters.config ?? undefined)
  const config = applyOverrides(base, parameters)
  for (const [name, l2] of Object.entries(config.l2s))
    if (
      l2.emulateL1Origin &&
      l2.blockTime > 0 &&
      config.l1.blockTime > 0 &&
      config.l1.blockTime < 2 * l2.blockTime
    )
      log.warn(`${name}: L1 block time under twice the L2 block time`, {
        l1BlockTime: config.l1.blockTime,
        l2BlockTime: l2.blockTime,
        details:
          'the L1 origin changes (almost) every L2 block, so most headers the feeder sends arrive after their anchor moved',
      })
  const deployer = privateKeyToAccount((config.accounts.deployer ?? DEV_KEYS.deployer) as `0x${string}`)
  const feederAccount = privateKeyToAccount((config.accounts.feeder ?? DEV_KEYS.feeder) as `0x${string}`)
  if (parameters.logDir) mkdirSync(parameters.logDir, { recursive: true })

  const anvils: Record<string, Anvil> = {}
  const originUpdaters: Record<string, L1OriginUpdater> = {}
  let feeder: Feeder | undefined
  let keystore: Devnet['keystore']
  let tempDataDir: string | undefined
  let handle: Devnet | undefined
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    // `handle.feeder` may have been replaced by the caller (e.g. a restarted feeder)
    await (handle ? handle.feeder : feeder)?.stop()
    await keystore?.verifier?.stop()
    await keystore?.relayer?.stop()
    await keystore?.proposer?.stop()
    await keystore?.batcher?.stop()
    await keystore?.node.stop()
    if (tempDataDir) rmSync(tempDataDir, { recursive: true, force: true })
    await Promise.all(Object.values(originUpdaters).map((u) => u.stop()))
    await Promise.all(Object.values(anvils).map((a) => a.stop()))
    log.info('stopped')
  }

  try {
    const chainList = [
      { name: 'l1', chain: config.l1, optimism: false },
      ...Object.entries(config.l2s).map(([name, chain]) => ({ name, chain, optimism: chain.optimism })),
    ]
    const handles = await Promise.all(
      chainList.map(({ name, chain, optimism }) =>
        startAnvil({
          name,
          chainId: chain.chainId,
          port: chain.port!,
          blockTime: chain.blockTime,
          optimism,
          logFile: parameters.logDir ? join(parameters.logDir, `${name}.log`) : undefined,
          logger,
        }).then((a) => {
          anvils[name] = a
          return a
        }),
      ),
    )
    const rpcUrls = Object.fromEntries(handles.map((a) => [a.name, a.rpcUrl]))
    const clients: Record<string, DevnetClient> = {}
    for (const { name, chain } of chainList)
      clients[name] = createDevnetClient({
        chain: makeChain({
          name,
          chainId: chain.chainId,
          rpcUrl: rpcUrls[name]!,
          blockTime: chain.blockTime,
          // installed below: viem's op-stack actions multicall on L1
          ...(name === 'l1' && config.keystore ? { contracts: multicall3Contract } : {}),
        }),
        account: deployer,
        pollingIntervalMs: chain.pollingIntervalMs,
      })
    const l1 = clients.l1!
    log.info('chains up', { ms: Date.now() - started })

    // Origin updates (depositor) and deployments (deployer) use different senders: run them together.
    const startOrigins = async () => {
      if (!(parameters.originUpdater ?? true)) return
      await Promise.all(
        Object.entries(config.l2s)
          .filter(([, l2]) => l2.emulateL1Origin)
          .map(async ([name, l2]) => {
            const updater = new L1OriginUpdater({
              name,
              l1,
              l2: clients[name]!,
              lag: l2.originLag,
              pollIntervalMs: config.originUpdater.pollIntervalMs,
              baseFeeScalar: config.originUpdater.baseFeeScalar,
              blobBaseFeeScalar: config.originUpdater.blobBaseFeeScalar,
              batcher: config.originUpdater.batcher as Address,
              logger,
            })
            originUpdaters[name] = updater
            await updater.start()
          }),
      )
    }
    const senders = Object.fromEntries(
      Object.entries(clients).map(([name, client]) => [
        name,
        new TxSender({ client, account: deployer, logger: logger.child({ chain: name }) }),
      ]),
    )
    const deploy = async (): Promise<DeployAllReturnType> => {
      if (!(parameters.deploy ?? true)) return { contracts: {}, skipped: [] }
      return deployAll({
        config,
        logger,
        chains: Object.fromEntries(
          Object.entries(clients).map(([name, client]) => [
            name,
            { client, anvil: client, sender: senders[name]! },
          ]),
        ),
      })
    }
    // The keystore chain's L1 side is ~17 transactions from the deployer, one at a time: at a 2 s
    // L1 block time that alone would take over 30 s. So L1 mines a block per transaction while
    // deploying (automine) and goes back to its block time afterwards.
    const deployOpStack = async (): Promise<DeployOpStackL1ReturnType | undefined> => {
      if (!config.keystore || !(parameters.deploy ?? true)) return undefined
      if (await installMulticall3(l1)) log.info('installed Multicall3 on l1')
      return deployOpStackL1({ client: l1, sender: senders.l1!, config, anvil: l1, logger })
    }
    const fastL1 =
      config.l1.blockTime > 0 && Number.isInteger(config.l1.blockTime) && (parameters.deploy ?? true)
    if (fastL1) await l1.setAutomine(true)
    let deployed: DeployAllReturnType
    let opstack: DeployOpStackL1ReturnType | undefined
    try {
      ;[, deployed, opstack] = await Promise.all([startOrigins(), deploy(), deployOpStack()])
    } finally {
      if (fastL1) await l1.setIntervalMining({ interval: config.l1.blockTime })
    }
    const addresses = buildAddresses({
      config,
      rpcUrls,
      deployed,
      accounts: {
        deployer: deployer.address,
        feeder: feederAccount.address,
        ...Object.fromEntries(
          (['proposer', 'batcher', 'relayer'] as const)
            .filter((role) => config.accounts[role])
            .map((role) => [role, privateKeyToAccount(config.accounts[role] as `0x${string}`).address]),
        ),
      },
      deployerPrivateKey: (config.accounts.deployer ?? DEV_KEYS.deployer) as `0x${string}`,
      opstack,
    })
    // Without the keystore node there is no keystore-chain RPC to point to.
    if (addresses.keystore && !(parameters.keystore ?? true)) addresses.keystore.rpcUrl = ''
    const addressesFile = parameters.addressesFile ?? defaultAddressesPath(config)
    if (addressesFile) writeAddresses(addressesFile, addresses)

    const l1Blocks = addresses.deployments.L1Blocks
    if ((parameters.feeder ?? true) && l1Blocks) {
      feeder = new Feeder({
        l1,
        l2s: Object.keys(config.l2s)
          .filter((name) => l1Blocks.chains.includes(name))
          .map((name) => ({ name, client: clients[name]!, l1Blocks: l1Blocks.address })),
        account: feederAccount,
        pollIntervalMs: config.feeder.pollIntervalMs,
        confirmations: config.feeder.confirmations,
        backfill: config.feeder.backfill,
        txTimeoutMs: config.feeder.txTimeoutMs,
        backoffBaseMs: config.feeder.backoffBaseMs,
        backoffMaxMs: config.feeder.backoffMaxMs,
        logger,
      })
      await feeder.start()
      await feeder.waitUntilSynced({ timeoutMs: parameters.syncTimeoutMs ?? 60_000 })
    } else if (parameters.feeder ?? true) {
      log.warn('feeder not started: L1Blocks is not deployed')
    }

    if ((parameters.keystore ?? true) && config.keystore && addresses.keystore) {
      // A new chain per run (anvil's L1 is new too): a temporary directory, or the configured one emptied.
      if (!config.keystore.dataDir) tempDataDir = mkdtempSync(join(tmpdir(), 'keystore-devnet-'))
      else rmSync(config.keystore.dataDir, { recursive: true, force: true })
      const dataDir = config.keystore.dataDir ?? (tempDataDir as string)
      const node = await createKeystoreChainNode({
        ...keystoreChainInputs(config, addresses),
        l1,
        confirmations: config.keystore.originLag,
        dataDir,
        produceBlocks: true,
        ...(config.keystore.port ? { rpc: { port: config.keystore.port } } : {}),
        logger,
      })
      await node.start()
      keystore = {
        node,
        batcher: undefined,
        proposer: undefined,
        relayer: undefined,
        verifier: undefined,
        dataDir,
      }
      const keystoreClient = createDevnetClient({
        chain: makeChain({
          name: 'keystore',
          chainId: config.keystore.chainId,
          rpcUrl: node.rpcUrl as string,
          blockTime: config.keystore.l2BlockTime,
        }),
        account: deployer,
        pollingIntervalMs: config.keystore.pollingIntervalMs,
      })
      clients.keystore = keystoreClient
      rpcUrls.keystore = node.rpcUrl as string
      const l1As = (key: string) => {
        const account = privateKeyToAccount(key as `0x${string}`)
        return { account, client: createDevnetClient({ chain: l1.chain, account, pollingIntervalMs: 250 }) }
      }
      if (config.accounts.batcher) {
        // Posts blocks to the L1 inbox; the blocks it has on L1 become the node's `safe` head.
        const { account, client } = l1As(config.accounts.batcher)
        keystore.batcher = new Batcher({
          l1: client,
          account,
          source: nodeBatchSource(node),
          inbox: addresses.keystore.batchInbox,
          l1StartBlock: BigInt(addresses.keystore.genesis.l1StartBlock),
          maxDelayMs: 2000,
          pollIntervalMs: 500,
          dataAvailability: config.keystore.dataAvailability,
          onSafeHead: (head) => head && node.setSafeHeads({ safe: head.number }),
          logger,
        })
        await keystore.batcher.start()
      }
      if (config.accounts.proposer) {
        const { account, client } = l1As(config.accounts.proposer)
        keystore.proposer = new Proposer({
          l1: client,
          l2: keystoreClient,
          l2OutputOracle: addresses.keystore.l1.L2OutputOracle,
          account,
          // outputs only for blocks whose batches are on L1 (re-derivable by anyone)
          safeTag: keystore.batcher ? 'safe' : 'latest',
          pollIntervalMs: 500,
          logger,
        })
        await keystore.proposer.start()
      }
      if (config.accounts.relayer) {
        const { account, client } = l1As(config.accounts.relayer)
        keystore.relayer = new Relayer({
          l1: client,
          l2: keystoreClient,
          account,
          portal: addresses.keystore.l1.OptimismPortal,
          pollIntervalMs: config.relayer.pollIntervalMs,
          maxAttempts: config.relayer.maxAttempts,
          txTimeoutMs: config.relayer.txTimeoutMs,
          logger,
        })
        await keystore.relayer.start()
      }
      if (parameters.verifier ?? true) {
        keystore.verifier = new Verifier({ ...keystoreChainInputs(config, addresses), l1, logger })
        await keystore.verifier.start()
      }
      log.info('keystore chain up', { rpc: node.rpcUrl, head: node.head.number })
    }

    handle = {
      config,
      addresses,
      clients,
      rpcUrls,
      anvils,
      originUpdaters,
      opstack,
      feeder,
      keystore,
      startupMs: Date.now() - started,
      health: () => ({
        chains: Object.fromEntries(
          Object.values(anvils).map((a) => [a.name, { rpcUrl: a.rpcUrl, running: a.running(), pid: a.pid }]),
        ),
        originUpdaters: Object.fromEntries(Object.entries(originUpdaters).map(([n, u]) => [n, u.health()])),
        feeder: handle?.feeder?.health() ?? null,
        keystore: keystore
          ? {
              node: keystore.node.health(),
              batcher: keystore.batcher?.health(),
              proposer: keystore.proposer?.health(),
              relayer: keystore.relayer?.health(),
              verifier: keystore.verifier?.health(),
            }
          : null,
      }),
      stop,
    }
    return handle
  } catch (error) {
    await stop()
    throw error
  }
}
