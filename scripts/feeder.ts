/**
 * feeder — keeps L1Blocks on each L2 up to date with the L2's own L1 origin (L1Block.hash()),
 * backfilling parents on request. Untrusted: every header is checked against its hash.
 *
 *   tsx scripts/feeder.ts [--chains l2a,l2b] [--backfill 8] [--health-port 8081]
 */
import { Option } from 'commander'
import { type Address, getAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { planDeployments } from '../rollup/deploy/plan.js'
import { Feeder } from '../rollup/feeder/Feeder.js'
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
    feederKey?: string
    l1Blocks?: string
    chains?: string
    backfill?: number
    pollInterval?: number
    confirmations?: number
  }

const program = withHealthOptions(createCommand('feeder', 'Feeds L1 block headers to L1Blocks on each L2.'))
  .addOption(
    new Option('--feeder-key <hex>', 'private key (default: accounts.feeder)').env('FEEDER_PRIVATE_KEY'),
  )
  .addOption(
    new Option(
      '--l1-blocks <address>',
      'L1Blocks address (default: its deterministic address from the config)',
    ).env('L1_BLOCKS_ADDRESS'),
  )
  .addOption(
    new Option('--chains <names>', 'L2s to feed (default: every L2 L1Blocks is deployed on)').env(
      'FEEDER_CHAINS',
    ),
  )
  .addOption(
    new Option('--backfill <n>', 'keep n parents of the latest stored (override feeder.backfill)')
      .env('FEEDER_BACKFILL')
      .argParser(parseInteger),
  )
  .addOption(
    new Option('--poll-interval <ms>', 'override feeder.pollIntervalMs')
      .env('FEEDER_POLL_INTERVAL_MS')
      .argParser(parseInteger),
  )
  .addOption(
    new Option('--confirmations <n>', 'override feeder.confirmations')
      .env('FEEDER_CONFIRMATIONS')
      .argParser(parseInteger),
  )

runMain(async () => {
  const options = program.parse().opts<Options>()
  const logger = loggerFor(options)
  const config = loadCliConfig(options)
  const key = options.feederKey ?? config.accounts.feeder
  if (!key)
    throw new RollupError('No feeder key.', { details: 'pass --feeder-key or set FEEDER_PRIVATE_KEY' })
  const planned = planDeployments(config).deployments.find((d) => d.name === 'L1Blocks')
  const l1Blocks: Address | undefined = options.l1Blocks ? getAddress(options.l1Blocks) : planned?.address
  if (!l1Blocks)
    throw new RollupError('No L1Blocks address.', {
      details: 'pass --l1-blocks or build the contracts (npm run build:contracts)',
    })
  const names = options.chains
    ? options.chains.split(',').map((s) => s.trim())
    : (planned?.chains ?? Object.keys(config.l2s))
  const clients = clientsFor(config)
  await checkChainIds(config, clients)
  const feeder = new Feeder({
    l1: clients.l1!,
    l2s: names.map((name) => {
      const client = clients[name]
      if (!client || name === 'l1') throw new RollupError(`Unknown L2 "${name}".`)
      return { name, client, l1Blocks }
    }),
    account: privateKeyToAccount(key as `0x${string}`),
    pollIntervalMs: options.pollInterval ?? config.feeder.pollIntervalMs,
    confirmations: options.confirmations ?? config.feeder.confirmations,
    backfill: options.backfill ?? config.feeder.backfill,
    txTimeoutMs: config.feeder.txTimeoutMs,
    backoffBaseMs: config.feeder.backoffBaseMs,
    backoffMaxMs: config.feeder.backoffMaxMs,
    logger,
  })
  await feeder.start()
  const server = options.healthPort
    ? await serveHealth({ port: options.healthPort, host: options.healthHost, health: () => feeder.health() })
    : undefined
  if (server) logger.info('health', { url: server.url })
  stopOnSignals(async () => {
    await feeder.stop()
    await server?.close()
  }, logger)
})
