/**
 * verifier — re-derives the keystore chain from L1 alone into its own node (batches from the
 * inbox, deposits and L1 origins from L1, L1SLOAD values from the batches' witnesses, proven on
 * L1) and checks every output root proposed to L2OutputOracle. Loud on any disagreement: error
 * logs, `/health` degraded, exit code 0 only on a clean stop.
 *
 *   tsx scripts/verifier.ts [--data-dir .devnet/verifier] [--port 9548] [--health-port 8084]
 */
import { existsSync } from 'node:fs'
import { Option } from 'commander'
import { defaultAddressesPath, readAddresses } from '../rollup/deploy/addresses.js'
import { keystoreChainInputs } from '../rollup/keystore/keystoreChain.js'
import { RollupError } from '../rollup/shared/errors.js'
import { serveHealth } from '../rollup/shared/healthServer.js'
import { Verifier } from '../rollup/verifier/Verifier.js'
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
    addresses?: string
    dataDir?: string
    port?: number
    host?: string
    confirmations?: number
    pollInterval?: number
    witness: boolean
    outputs: boolean
  }

const program = withHealthOptions(
  createCommand('verifier', 'Re-derives the keystore chain from L1 and checks every proposed output root.'),
)
  .addOption(
    new Option('--addresses <path>', 'addresses file (default node-config/<name>.addresses.json)').env(
      'KEYSTORE_ADDRESSES',
    ),
  )
  .addOption(
    new Option(
      '--data-dir <path>',
      "the verifier node's LevelDB (default: in memory, re-derived on start)",
    ).env('VERIFIER_DATA_DIR'),
  )
  .addOption(
    new Option('--port <n>', "JSON-RPC port of the verifier's node (default: an ephemeral port)")
      .env('VERIFIER_RPC_PORT')
      .argParser(parseInteger),
  )
  .addOption(new Option('--host <host>', 'JSON-RPC host').env('VERIFIER_RPC_HOST').default('127.0.0.1'))
  .addOption(
    new Option('--confirmations <n>', 'read L1 only this many blocks below its head (default 0)')
      .env('VERIFIER_CONFIRMATIONS')
      .argParser(parseInteger),
  )
  .addOption(
    new Option('--poll-interval <ms>', 'how often to read L1 (default 500)')
      .env('VERIFIER_POLL_INTERVAL_MS')
      .argParser(parseInteger),
  )
  .addOption(
    new Option('--no-witness', 'do not prove L1SLOAD witness values on L1 (an L1 without recent state)').env(
      'VERIFIER_NO_WITNESS',
    ),
  )
  .addOption(new Option('--no-outputs', 'do not check proposed output roots').env('VERIFIER_NO_OUTPUTS'))

runMain(async () => {
  const options = program.parse().opts<Options>()
  const logger = loggerFor(options)
  const config = loadCliConfig(options)
  const path = options.addresses ?? defaultAddressesPath(config)
  if (!existsSync(path))
    throw new RollupError(`No addresses file at ${path}.`, {
      details: 'deploy first (npm run deploy / npm run devnet) or pass --addresses',
    })
  const inputs = keystoreChainInputs(config, readAddresses(path))
  const clients = clientsFor(config)
  await checkChainIds(config, { l1: clients.l1! })
  const verifier = new Verifier({
    ...inputs,
    l1: clients.l1!,
    dataDir: options.dataDir,
    rpc: { host: options.host, port: options.port ?? 0 },
    confirmations: options.confirmations,
    pollIntervalMs: options.pollInterval,
    checkWitness: options.witness,
    checkOutputs: options.outputs,
    logger,
  })
  await verifier.start()
  logger.info('verifier node', { rpc: verifier.node.rpcUrl })
  const server = options.healthPort
    ? await serveHealth({
        port: options.healthPort,
        host: options.healthHost,
        health: () => verifier.health(),
      })
    : undefined
  if (server) logger.info('health', { url: server.url })
  stopOnSignals(async () => {
    await verifier.stop()
    await server?.close()
  }, logger)
})
