/**
 * devnet — the whole local network in one command: l1 + every L2 on anvil, the L1Block predeploy
 * and L1 origin updates on the L2s, deterministic deployments, the L1Blocks feeder, and the keystore
 * chain (its node, batcher, proposer and relayer, in-process). Prints the endpoints, a line per
 * service with its health and one ready line, writes node-config/<name>.addresses.json, and stops
 * everything it started on Ctrl-C (the keystore node's store is closed).
 *
 *   npm run devnet -- [--l1-block-time 2] [--l2-block-time 1] [--port l1=8545,l2a=9545,keystore=9547] [--no-demo] [--health-port 8080]
 */

import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Option } from 'commander'
import { loadConfig } from '../rollup/config/load.js'
import { defaultAddressesPath } from '../rollup/deploy/addresses.js'
import { type DevnetHealth, startDevnet } from '../rollup/devnet/startDevnet.js'
import { RollupError } from '../rollup/shared/errors.js'
import { type HealthServer, serveHealth } from '../rollup/shared/healthServer.js'
import type { ServiceHealth } from '../rollup/shared/service.js'
import { demoContextFromAddresses, runDemo } from './demo.js'
import {
  type CommonOptions,
  createCommand,
  type HealthOptions,
  loggerFor,
  parseInteger,
  parseKeyValues,
  parseNumber,
  runMain,
  stopOnSignals,
  withHealthOptions,
} from './lib/cli.js'

type Options = CommonOptions &
  HealthOptions & {
    l1BlockTime?: number
    l2BlockTime?: number
    port?: Record<string, string>
    addresses?: string
    logDir: string
    demo?: boolean
    feeder: boolean
    originUpdater: boolean
    keystore: boolean
    exitWhenReady?: boolean
    syncTimeout: number
  }

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const program = withHealthOptions(
  createCommand(
    'devnet',
    'Start the local devnet (l1, l2a, l2b on anvil, the keystore chain 901) with all services.',
  ),
)
  .addOption(
    new Option('--l1-block-time <seconds>', 'L1 block time (0 = a block per transaction)')
      .env('DEVNET_L1_BLOCK_TIME')
      .argParser(parseNumber),
  )
  .addOption(
    new Option('--l2-block-time <seconds>', 'block time of every L2')
      .env('DEVNET_L2_BLOCK_TIME')
      .argParser(parseNumber),
  )
  .addOption(
    new Option('--port <name=port,...>', 'override ports, e.g. l1=18545,l2a=18547')
      .env('DEVNET_PORTS')
      .argParser((v, prev: Record<string, string> | undefined) => parseKeyValues(v, prev)),
  )
  .addOption(
    new Option('--addresses <path>', 'addresses file (default node-config/<name>.addresses.json)').env(
      'KEYSTORE_ADDRESSES',
    ),
  )
  .addOption(
    new Option('--log-dir <path>', 'anvil logs go here')
      .env('DEVNET_LOG_DIR')
      .default(join(root, '.devnet/logs')),
  )
  .addOption(new Option('--demo', 'run the demo once the devnet is ready (the default)').env('DEVNET_DEMO'))
  .addOption(new Option('--no-demo', 'do not run the demo').env('DEVNET_NO_DEMO'))
  .addOption(new Option('--no-feeder', 'do not run the L1Blocks feeder').env('DEVNET_NO_FEEDER'))
  .addOption(
    new Option('--no-origin-updater', 'do not update L1Block on the L2s').env('DEVNET_NO_ORIGIN_UPDATER'),
  )
  .addOption(
    new Option(
      '--no-keystore',
      'deploy the keystore chain on L1 but do not run its node and services (run npm run keystore-node etc.)',
    ).env('DEVNET_NO_KEYSTORE'),
  )
  .addOption(
    new Option('--exit-when-ready', 'stop everything right after the ready line (smoke test)').env(
      'DEVNET_EXIT_WHEN_READY',
    ),
  )
  .addOption(
    new Option('--sync-timeout <ms>', "how long to wait for the feeder's first sync")
      .env('DEVNET_SYNC_TIMEOUT_MS')
      .default(60_000)
      .argParser(parseInteger),
  )

/** The services of a devnet, each with its health: `[name, health]`. */
function services(h: DevnetHealth): [string, ServiceHealth][] {
  const list: [string, ServiceHealth][] = Object.entries(h.originUpdaters).map(([n, u]) => [`origin/${n}`, u])
  if (h.feeder) list.push(['feeder', h.feeder])
  if (h.keystore) {
    list.push(['node', h.keystore.node])
    for (const name of ['batcher', 'proposer', 'relayer'] as const) {
      const s = h.keystore[name]
      if (s) list.push([name, s])
    }
  }
  return list
}

/** One line per service: name, status and what matters most about it. */
function healthLines(h: DevnetHealth): string[] {
  const facts = (name: string, s: ServiceHealth): string => {
    const v = s as Record<string, unknown>
    if (name === 'node') return `head ${v.head}  pending ${v.pending}`
    if (name === 'batcher') {
      const safe = v.safeHead as { number?: bigint } | undefined
      return `safe head ${safe?.number ?? '—'}`
    }
    if (name === 'proposer') return `proposed ${v.proposed ?? 0}`
    if (name === 'relayer') return `open withdrawals ${v.open ?? 0}`
    return ''
  }
  const rows = services(h).map(
    ([name, s]) => `service  ${name.padEnd(14)} ${s.status.padEnd(8)} ${facts(name, s)}`,
  )
  if (!h.keystore) rows.push('service  keystore chain  not running (--no-keystore, or no keystore section)')
  return rows.map((r) => r.trimEnd())
}

const RANK: Record<ServiceHealth['status'], number> = { ok: 0, starting: 1, degraded: 2, stopped: 3 }

/** `/health` of the devnet: the worst status of its chains and services, and all of them. */
function devnetHealthSummary(h: DevnetHealth): ServiceHealth & DevnetHealth {
  let status: ServiceHealth['status'] = Object.values(h.chains).every((c) => c.running) ? 'ok' : 'stopped'
  for (const [, s] of services(h)) if (RANK[s.status] > RANK[status]) status = s.status
  return { status, ...h }
}

runMain(async () => {
  const options = program.parse().opts<Options>()
  // With the demo on, the services' per-block records would drown its lines: unless a level was
  // asked for (--log-level / LOG_LEVEL), they log warnings and errors only.
  if (options.demo !== false && program.getOptionValueSource('logLevel') === 'default')
    options.logLevel = 'warn'
  const logger = loggerFor(options)
  const config = loadConfig(options.config)
  if (options.rpc) throw new RollupError('--rpc does not apply to the devnet, which starts its own chains.')
  const ports = Object.fromEntries(Object.entries(options.port ?? {}).map(([k, v]) => [k, parseInteger(v)]))
  const blockTimes: Record<string, number> = {}
  if (options.l1BlockTime !== undefined) blockTimes.l1 = options.l1BlockTime
  if (options.l2BlockTime !== undefined)
    for (const name of Object.keys(config.l2s)) blockTimes[name] = options.l2BlockTime
  const addressesFile = options.addresses ?? defaultAddressesPath(config)

  const devnet = await startDevnet({
    config,
    ports,
    blockTimes,
    addressesFile,
    logDir: options.logDir,
    feeder: options.feeder,
    originUpdater: options.originUpdater,
    keystore: options.keystore,
    syncTimeoutMs: options.syncTimeout,
    logger,
  })
  let server: HealthServer | undefined
  const stop = async () => {
    await server?.close()
    await devnet.stop()
  }
  stopOnSignals(stop, logger)

  const out = (line: string) => process.stdout.write(`${line}\n`)
  try {
    for (const [name, url] of Object.entries(devnet.rpcUrls)) {
      const chainId =
        name === 'l1'
          ? devnet.config.l1.chainId
          : name === 'keystore'
            ? devnet.config.keystore?.chainId
            : devnet.config.l2s[name]?.chainId
      const contracts = Object.entries(devnet.addresses.chains[name]?.contracts ?? {})
        .map(([c, a]) => `${c} ${a}`)
        .join(', ')
      const extra =
        name === 'keystore' && devnet.keystore
          ? `  head ${devnet.keystore.node.head.number}  data ${devnet.keystore.dataDir}`
          : ''
      out(`  ${name.padEnd(8)} ${url}  chain ${chainId}${contracts ? `  ${contracts}` : ''}${extra}`)
    }
    for (const s of devnet.addresses.skipped) out(`  (not deployed: ${s.name} — ${s.reason})`)
    if (options.healthPort)
      server = await serveHealth({
        port: options.healthPort,
        host: options.healthHost,
        health: () => devnetHealthSummary(devnet.health()),
      })
    for (const line of healthLines(devnet.health())) out(`  ${line}`)
    if (server) out(`  health   ${server.url}`)
    const endpoints = Object.entries(devnet.rpcUrls)
      .map(([n, u]) => `${n} ${u}`)
      .join(' · ')
    out(
      `devnet ready in ${(devnet.startupMs / 1000).toFixed(1)}s — ${endpoints} — addresses ${relative(process.cwd(), addressesFile) || addressesFile}`,
    )
  } catch (error) {
    await stop()
    throw error
  }

  let demoFailed = false
  if (options.demo !== false) {
    try {
      await runDemo(demoContextFromAddresses(devnet.addresses))
    } catch (error) {
      demoFailed = true
      logger.error('demo failed (the devnet keeps running)', { error: (error as Error).message })
    }
  }
  if (options.exitWhenReady) {
    await stop()
    process.exit(demoFailed ? 1 : 0)
  }
  out(
    'devnet running (the feeder keeps L1Blocks current, the keystore chain produces blocks); Ctrl-C stops every process it started',
  )
})
