/**
 * origin-updater — plays the OP sequencer's L1-attributes role on anvil L2s: keeps the genuine
 * L1Block predeploy at the L1 block `originLag` blocks behind the L1 head (following reorgs).
 *
 *   tsx scripts/origin-updater.ts [--chains l2a,l2b] [--lag 2] [--health-port 8080]
 */
import { Option } from 'commander'
import type { Address } from 'viem'
import { L1OriginUpdater } from '../rollup/origin/L1OriginUpdater.js'
import { RollupError } from '../rollup/shared/errors.js'
import { serveHealth } from '../rollup/shared/healthServer.js'
import type { ServiceHealth } from '../rollup/shared/service.js'
import {
  type CommonOptions,
  checkChainIds,
  clientsFor,
  createCommand,
  type HealthOptions,
  isAnvil,
  loadCliConfig,
  loggerFor,
  parseInteger,
  runMain,
  stopOnSignals,
  withHealthOptions,
} from './lib/cli.js'

type Options = CommonOptions &
  HealthOptions & { chains?: string; lag?: number; pollInterval?: number; installL1block: boolean }

const program = withHealthOptions(
  createCommand('origin-updater', "Sets anvil L2s' L1Block predeploy from L1, the way an OP sequencer does."),
)
  .addOption(
    new Option('--chains <names>', 'L2s to update (default: every L2 with emulateL1Origin)').env(
      'ORIGIN_CHAINS',
    ),
  )
  .addOption(
    new Option('--lag <blocks>', 'override originLag of every L2').env('ORIGIN_LAG').argParser(parseInteger),
  )
  .addOption(
    new Option('--poll-interval <ms>', 'override originUpdater.pollIntervalMs')
      .env('ORIGIN_POLL_INTERVAL_MS')
      .argParser(parseInteger),
  )
  .addOption(
    new Option('--no-install-l1block', 'do not install L1Block when missing').env(
      'ORIGIN_NO_INSTALL_L1BLOCK',
    ),
  )

runMain(async () => {
  const options = program.parse().opts<Options>()
  const logger = loggerFor(options)
  const config = loadCliConfig(options)
  const names = options.chains
    ? options.chains.split(',').map((s) => s.trim())
    : Object.entries(config.l2s)
        .filter(([, l2]) => l2.emulateL1Origin)
        .map(([n]) => n)
  const clients = clientsFor(config)
  await checkChainIds(config, clients)
  const updaters: L1OriginUpdater[] = []
  for (const name of names) {
    const l2 = config.l2s[name]
    const client = clients[name]
    if (!l2 || !client) throw new RollupError(`Unknown L2 "${name}".`)
    if (!(await isAnvil(client)))
      throw new RollupError(`${name} is not an anvil chain.`, {
        details: "a real L2's L1 origin is set by its sequencer; only devnet chains need this service",
      })
    updaters.push(
      new L1OriginUpdater({
        name,
        l1: clients.l1!,
        l2: client,
        lag: options.lag ?? l2.originLag,
        pollIntervalMs: options.pollInterval ?? config.originUpdater.pollIntervalMs,
        baseFeeScalar: config.originUpdater.baseFeeScalar,
        blobBaseFeeScalar: config.originUpdater.blobBaseFeeScalar,
        batcher: config.originUpdater.batcher as Address,
        install: options.installL1block,
        logger,
      }),
    )
  }
  await Promise.all(updaters.map((u) => u.start()))
  const health = (): ServiceHealth => {
    const chains = updaters.map((u) => u.health())
    const status = chains.every((c) => c.status === 'ok')
      ? 'ok'
      : chains.some((c) => c.status === 'degraded')
        ? 'degraded'
        : 'starting'
    return { status, chains }
  }
  const server = options.healthPort
    ? await serveHealth({ port: options.healthPort, host: options.healthHost, health })
    : undefined
  logger.info('origin updater running', { chains: names.join(','), health: server?.url })
  stopOnSignals(async () => {
    await Promise.all(updaters.map((u) => u.stop()))
    await server?.close()
  }, logger)
})
