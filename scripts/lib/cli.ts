/**
 * Shared plumbing of the operator CLIs: common options (each with an environment-variable
 * twin), configuration loading with RPC overrides, clients, and a clean shutdown on signals.
 */
import { Command, Option } from 'commander'
import type { Chain } from 'viem'
import { chainRpcUrl, DEFAULT_CONFIG_PATH, loadConfig } from '../../rollup/config/load.js'
import type { Config } from '../../rollup/config/schema.js'
import { createDevnetClient, type DevnetClient, makeChain } from '../../rollup/devnet/clients.js'
import { RollupError } from '../../rollup/shared/errors.js'
import { createLogger, type LogFormat, type Logger, type LogLevel } from '../../rollup/shared/logger.js'

export type CommonOptions = {
  config: string
  rpc?: Record<string, string> | undefined
  logLevel: LogLevel
  logFormat: LogFormat
}

/** `a=1,b=2` -> { a: '1', b: '2' } */
export function parseKeyValues(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const out = { ...previous }
  for (const part of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = part.indexOf('=')
    if (i <= 0) throw new RollupError(`Expected name=value, got "${part}".`)
    out[part.slice(0, i)] = part.slice(i + 1)
  }
  return out
}

export function parseNumber(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n)) throw new RollupError(`Expected a number, got "${value}".`)
  return n
}

export function parseInteger(value: string): number {
  const n = parseNumber(value)
  if (!Number.isInteger(n) || n < 0) throw new RollupError(`Expected a non-negative integer, got "${value}".`)
  return n
}

/** Adds --config, --rpc, --log-level, --log-format (env: KEYSTORE_CONFIG, KEYSTORE_RPC, LOG_LEVEL, LOG_FORMAT). */
export function withCommonOptions(command: Command): Command {
  return command
    .addOption(
      new Option('-c, --config <path>', 'network configuration (JSON)')
        .env('KEYSTORE_CONFIG')
        .default(DEFAULT_CONFIG_PATH),
    )
    .addOption(
      new Option(
        '--rpc <name=url,...>',
        "override chains' RPC URLs, e.g. l1=http://l1:8545,l2a=http://l2a:8545,keystore=http://keystore:8545",
      )
        .env('KEYSTORE_RPC')
        .argParser((v, prev: Record<string, string> | undefined) => parseKeyValues(v, prev)),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .env('LOG_LEVEL')
        .choices(['debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .addOption(
      new Option('--log-format <format>', 'log format')
        .env('LOG_FORMAT')
        .choices(['pretty', 'json'])
        .default('pretty'),
    )
}

/** A command with the common options, `--help` and errors printed without a stack trace. */
export function createCommand(name: string, description: string): Command {
  return withCommonOptions(new Command(name).description(description).showHelpAfterError())
}

export function loggerFor(options: CommonOptions): Logger {
  return createLogger({ level: options.logLevel, format: options.logFormat })
}

/**
 * Loads the configuration and applies `--rpc` overrides (a chain with an RPC URL is not started by
 * anyone; `keystore=` sets the keystore node's URL).
 */
export function loadCliConfig(options: CommonOptions): Config {
  const config = loadConfig(options.config)
  for (const [name, url] of Object.entries(options.rpc ?? {})) {
    const chain = name === 'l1' ? config.l1 : name === 'keystore' ? config.keystore : config.l2s[name]
    if (!chain) throw new RollupError(`--rpc names unknown chain "${name}".`)
    chain.rpcUrl = url
  }
  return config
}

/** The keystore node's JSON-RPC of a configuration: `keystore.rpcUrl`, else 127.0.0.1:`keystore.port`. */
export function keystoreRpcUrl(config: Config): string | undefined {
  const k = config.keystore
  return k?.rpcUrl ?? (k?.port ? `http://127.0.0.1:${k.port}` : undefined)
}

/** A client per chain of the configuration. */
export function clientsFor(config: Config): Record<string, DevnetClient> {
  const chains: [string, Config['l1']][] = [['l1', config.l1], ...Object.entries(config.l2s)]
  return Object.fromEntries(
    chains.map(([name, chain]) => {
      const viemChain: Chain = makeChain({ name, chainId: chain.chainId, rpcUrl: chainRpcUrl(config, name) })
      return [name, createDevnetClient({ chain: viemChain, pollingIntervalMs: chain.pollingIntervalMs })]
    }),
  )
}

/** Whether the node behind `client` is anvil (devnet-only steps are allowed there). */
export async function isAnvil(client: DevnetClient): Promise<boolean> {
  try {
    const request = client.request as unknown as (args: { method: string }) => Promise<unknown>
    const version = await request({ method: 'web3_clientVersion' })
    return /anvil/i.test(String(version))
  } catch {
    return false
  }
}

/** Checks each chain answers with the configured chain id. */
export async function checkChainIds(config: Config, clients: Record<string, DevnetClient>): Promise<void> {
  await Promise.all(
    Object.entries(clients).map(async ([name, client]) => {
      const expected = name === 'l1' ? config.l1.chainId : config.l2s[name]!.chainId
      const actual = await client.getChainId()
      if (actual !== expected)
        throw new RollupError(`${name} answers chain id ${actual}, expected ${expected}.`, {
          details: chainRpcUrl(config, name),
        })
    }),
  )
}

/**
 * Calls `stop` on the first SIGINT/SIGTERM and exits when it resolves; a second signal exits at once.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130)
    stopping = true
    logger.info(`${signal}: stopping`)
    stop().then(
      () => process.exit(0),
      (error) => {
        logger.error('stop failed', { error })
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
}

/** Runs a CLI's main, printing a RollupError's message (no stack) and exiting 1 on failure. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof RollupError) process.stderr.write(`error: ${error.message}\n`)
    else
      process.stderr.write(
        `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      )
    process.exit(1)
  })
}

export type HealthOptions = { healthPort?: number | undefined; healthHost: string }

/** Adds --health-port / --health-host (env HEALTH_PORT, HEALTH_HOST). */
export function withHealthOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--health-port <port>', 'serve GET /health on this port (0/unset: off)')
        .env('HEALTH_PORT')
        .argParser(parseInteger),
    )
    .addOption(
      new Option('--health-host <host>', 'address of the health server')
        .env('HEALTH_HOST')
        .default('127.0.0.1'),
    )
}
