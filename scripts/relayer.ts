/**
 * relayer — relays keystore-chain withdrawals to L1: waits for an output root covering each
 * withdrawal, proves it, waits the finalization period, finalizes it (L1CrossDomainMessenger →
 * L1Keystore). Works against any OP-compatible L2 RPC and the legacy OptimismPortal.
 *
 *   tsx scripts/relayer.ts [--l2-rpc http://127.0.0.1:9547] [--state-file .devnet/relayer.json] [--health-port 8082]
 */
import { existsSync } from 'node:fs'
import { Option } from 'commander'
import { type Address, getAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { defaultAddressesPath, readAddresses } from '../rollup/deploy/addresses.js'
import { createDevnetClient, makeChain } from '../rollup/devnet/clients.js'
import { keystoreConfigOf, planOpStackL1 } from '../rollup/opstack/plan.js'
import { Relayer } from '../rollup/relayer/Relayer.js'
import { RollupError } from '../rollup/shared/errors.js'
import { serveHealth } from '../rollup/shared/healthServer.js'
import {
  type CommonOptions,
  checkChainIds,
  clientsFor,
  createCommand,
  type HealthOptions,
  loadCliConfig,
  loggerFor,
  parseInteger,
  runMain,
  stopOnSignals,
  withHealthOptions,
} from './lib/cli.js'

type Options = CommonOptions &
  HealthOptions & {
    relayerKey?: string
    l2Rpc?: string
    portal?: string
    addresses?: string
    fromBlock?: number
    confirmations?: number
    pollInterval?: number
    maxAttempts?: number
    stateFile?: string
    l1Targets?: string
  }

const program = withHealthOptions(
  createCommand('relayer', 'Proves and finalizes keystore-chain withdrawals on L1.'),
)
  .addOption(
    new Option(
      '--relayer-key <hex>',
      'L1 private key that pays for proofs and finalizations (default: accounts.relayer)',
    ).env('RELAYER_PRIVATE_KEY'),
  )
  .addOption(
    new Option(
      '--l2-rpc <url>',
      "the keystore chain's JSON-RPC (default: keystore.rpcUrl, or 127.0.0.1:keystore.port)",
    ).env('RELAYER_L2_RPC'),
  )
  .addOption(
    new Option(
      '--portal <address>',
      'OptimismPortal proxy (default: the addresses file, else the planned address)',
    ).env('RELAYER_PORTAL'),
  )
  .addOption(
    new Option(
      '--addresses <path>',
      'addresses file to read the portal from (default node-config/<name>.addresses.json)',
    ).env('KEYSTORE_ADDRESSES'),
  )
  .addOption(
    new Option(
      '--from-block <n>',
      'first L2 block to scan (default relayer.fromBlock, else the oracle start)',
    )
      .env('RELAYER_FROM_BLOCK')
      .argParser(parseInteger),
  )
  .addOption(
    new Option(
      '--confirmations <n>',
      'L2 blocks on top before a withdrawal is picked up (override relayer.confirmations)',
    )
      .env('RELAYER_CONFIRMATIONS')
      .argParser(parseInteger),
  )
  .addOption(
    new Option('--poll-interval <ms>', 'override relayer.pollIntervalMs')
      .env('RELAYER_POLL_INTERVAL_MS')
      .argParser(parseInteger),
  )
  .addOption(
    new Option(
      '--max-attempts <n>',
      'reverting attempts before a withdrawal is given up (override relayer.maxAttempts)',
    )
      .env('RELAYER_MAX_ATTEMPTS')
      .argParser(parseInteger),
  )
  .addOption(
    new Option('--state-file <path>', 'remember the scan position here (override relayer.stateFile)').env(
      'RELAYER_STATE_FILE',
    ),
  )
  .addOption(
    new Option(
      '--l1-targets <addresses>',
      'relay only messenger messages to these L1 contracts (comma-separated; default: every withdrawal)',
    ).env('RELAYER_L1_TARGETS'),
  )

/** The portal: --portal, else the addresses file's, else the deterministic plan's. */
function resolvePortal(options: Options, config: ReturnType<typeof loadCliConfig>): Address {
  if (options.portal) return getAddress(options.portal)
  const path = options.addresses ?? defaultAddressesPath(config)
  if (existsSync(path)) {
    const portal = readAddresses(path).keystore?.l1.OptimismPortal
    if (portal) return portal
  }
  return planOpStackL1(config).addresses.OptimismPortal
}

runMain(async () => {
  const options = program.parse().opts<Options>()
  const logger = loggerFor(options)
  const config = loadCliConfig(options)
  const keystore = keystoreConfigOf(config)
  const key = options.relayerKey ?? config.accounts.relayer
  if (!key)
    throw new RollupError('No relayer key.', { details: 'pass --relayer-key or set RELAYER_PRIVATE_KEY' })
  const l2Url =
    options.l2Rpc ?? keystore.rpcUrl ?? (keystore.port ? `http://127.0.0.1:${keystore.port}` : undefined)
  if (!l2Url)
    throw new RollupError('No keystore-chain RPC.', {
      details: 'pass --l2-rpc or set keystore.rpcUrl / keystore.port',
    })
  const clients = clientsFor(config)
  await checkChainIds(config, { l1: clients.l1! })
  const l2 = createDevnetClient({
    chain: makeChain({ name: 'keystore', chainId: keystore.chainId, rpcUrl: l2Url }),
    pollingIntervalMs: keystore.pollingIntervalMs,
  })
  const l2ChainId = await l2.getChainId()
  if (l2ChainId !== keystore.chainId)
    throw new RollupError(`The L2 RPC answers chain id ${l2ChainId}, expected ${keystore.chainId}.`, {
      details: l2Url,
    })
  const targets = options.l1Targets
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((a) => getAddress(a).toLowerCase())
  const r = config.relayer
  const relayer = new Relayer({
    l1: clients.l1!,
    l2,
    account: privateKeyToAccount(key as `0x${string}`),
    portal: resolvePortal(options, config),
    fromBlock:
      options.fromBlock !== undefined
        ? BigInt(options.fromBlock)
        : r.fromBlock !== undefined
          ? BigInt(r.fromBlock)
          : undefined,
    confirmations: options.confirmations ?? r.confirmations,
    maxBlockRange: r.maxBlockRange,
    maxAttempts: options.maxAttempts ?? r.maxAttempts,
    stateFile: options.stateFile ?? r.stateFile,
    pollIntervalMs: options.pollInterval ?? r.pollIntervalMs,
    txTimeoutMs: r.txTimeoutMs,
    backoffBaseMs: r.backoffBaseMs,
    backoffMaxMs: r.backoffMaxMs,
    filter: targets
      ? (_w, relayed) => !!relayed && targets.includes(relayed.target.toLowerCase())
      : undefined,
    logger,
  })
  await relayer.start()
  const server = options.healthPort
    ? await serveHealth({
        port: options.healthPort,
        host: options.healthHost,
        health: () => relayer.health(),
      })
    : undefined
  if (server) logger.info('health', { url: server.url })
  stopOnSignals(async () => {
    await relayer.stop()
    await server?.close()
  }, logger)
})
