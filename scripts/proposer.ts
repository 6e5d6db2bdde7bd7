/**
 * proposer — posts the keystore chain's output roots (version 0) to L2OutputOracle on L1, every
 * `submissionInterval` L2 blocks once they are safe. Checks the L2 node's headers and proofs.
 *
 *   tsx scripts/proposer.ts --l2-rpc http://127.0.0.1:9545 --l2-output-oracle 0x… --proposer-key 0x… [--health-port 8082]
 */
import { existsSync } from 'node:fs'
import { Option } from 'commander'
import { type BlockTag, createPublicClient, getAddress, http, isAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Config } from '../rollup/config/schema.js'
import { defaultAddressesPath, readAddresses } from '../rollup/deploy/addresses.js'
import { planOpStackL1 } from '../rollup/opstack/plan.js'
import { Proposer } from '../rollup/proposer/Proposer.js'
import { RollupError } from '../rollup/shared/errors.js'
import { serveHealth } from '../rollup/shared/healthServer.js'
import {
  type CommonOptions,
  clientsFor,
  createCommand,
  type HealthOptions,
  keystoreRpcUrl,
  loadCliConfig,
  loggerFor,
  parseInteger,
  runMain,
  stopOnSignals,
  withHealthOptions,
} from './lib/cli.js'

type Options = CommonOptions &
  HealthOptions & {
    l2Rpc?: string
    l2ChainId: number
    l2OutputOracle?: string
    addresses?: string
    proposerKey?: string
    safeTag: BlockTag
    pollInterval: number
    confirmations: number
    txTimeout: number
  }

const program = withHealthOptions(
  createCommand('proposer', "Proposes the keystore chain's output roots to L2OutputOracle."),
)
  .addOption(
    new Option(
      '--l2-rpc <url>',
      "the keystore chain's node (needs eth_getProof and the safe tag; default keystore.rpcUrl / keystore.port)",
    ).env('PROPOSER_L2_RPC'),
  )
  .addOption(
    new Option('--l2-chain-id <id>', 'chain id the L2 node must answer')
      .env('PROPOSER_L2_CHAIN_ID')
      .argParser(parseInteger)
      .default(901),
  )
  .addOption(
    new Option(
      '--l2-output-oracle <address>',
      'L2OutputOracle (proxy) on L1 (default: the addresses file, else the planned address)',
    ).env('L2_OUTPUT_ORACLE_ADDRESS'),
  )
  .addOption(
    new Option(
      '--addresses <path>',
      'addresses file to read the oracle from (default node-config/<name>.addresses.json)',
    ).env('KEYSTORE_ADDRESSES'),
  )
  .addOption(
    new Option(
      '--proposer-key <hex>',
      "private key of the oracle's proposer (default accounts.proposer)",
    ).env('PROPOSER_PRIVATE_KEY'),
  )
  .addOption(
    new Option('--safe-tag <tag>', 'propose only L2 blocks at this tag (latest: devnets and tests only)')
      .env('PROPOSER_SAFE_TAG')
      .choices(['safe', 'finalized', 'latest'])
      .default('safe'),
  )
  .addOption(
    new Option('--poll-interval <ms>', 'time between checks when idle')
      .env('PROPOSER_POLL_INTERVAL_MS')
      .argParser(parseInteger)
      .default(1000),
  )
  .addOption(
    new Option('--confirmations <n>', 'L1 blocks on top of a proposal before it counts as done')
      .env('PROPOSER_CONFIRMATIONS')
      .argParser(parseInteger)
      .default(0),
  )
  .addOption(
    new Option('--tx-timeout <ms>', 'wait this long for a receipt before re-sending')
      .env('PROPOSER_TX_TIMEOUT_MS')
      .argParser(parseInteger)
      .default(15_000),
  )

/** The oracle from the addresses file, else the deterministic plan (only with a `keystore` section). */
function resolveOracle(addressesPath: string | undefined, config: Config): string | undefined {
  if (!config.keystore) return undefined
  const path = addressesPath ?? defaultAddressesPath(config)
  if (existsSync(path)) {
    const oracle = readAddresses(path).keystore?.l1.L2OutputOracle
    if (oracle) return oracle
  }
  return planOpStackL1(config).addresses.L2OutputOracle
}

runMain(async () => {
  const options = program.parse().opts<Options>()
  const logger = loggerFor(options)
  const config = loadCliConfig(options)
  const missing = (flag: string, env: string) =>
    new RollupError(`No ${flag.slice(2).replaceAll('-', ' ')}.`, { details: `pass ${flag} or set ${env}` })
  options.l2Rpc ??= keystoreRpcUrl(config)
  options.l2OutputOracle ??= resolveOracle(options.addresses, config)
  options.proposerKey ??= config.accounts.proposer
  if (!options.l2Rpc) throw missing('--l2-rpc', 'PROPOSER_L2_RPC')
  if (!options.l2OutputOracle) throw missing('--l2-output-oracle', 'L2_OUTPUT_ORACLE_ADDRESS')
  if (!options.proposerKey) throw missing('--proposer-key', 'PROPOSER_PRIVATE_KEY')
  if (!isAddress(options.l2OutputOracle, { strict: false }))
    throw new RollupError(`--l2-output-oracle is not an address: "${options.l2OutputOracle}".`)
  if (!/^0x[0-9a-fA-F]{64}$/.test(options.proposerKey))
    throw new RollupError('--proposer-key must be 32 bytes of hex (0x + 64 hex digits).')
  const l1 = clientsFor(config).l1!
  const l1ChainId = await l1.getChainId()
  if (l1ChainId !== config.l1.chainId)
    throw new RollupError(`l1 answers chain id ${l1ChainId}, expected ${config.l1.chainId}.`)
  const l2 = createPublicClient({ transport: http(options.l2Rpc), cacheTime: 0 })
  const l2ChainId = await l2.getChainId()
  if (l2ChainId !== options.l2ChainId)
    throw new RollupError(`The L2 node answers chain id ${l2ChainId}, expected ${options.l2ChainId}.`, {
      details: `${options.l2Rpc}; pass --l2-chain-id if this is intended`,
    })
  const proposer = new Proposer({
    l1,
    l2,
    l2OutputOracle: getAddress(options.l2OutputOracle),
    account: privateKeyToAccount(options.proposerKey as `0x${string}`),
    safeTag: options.safeTag,
    pollIntervalMs: options.pollInterval,
    confirmations: options.confirmations,
    txTimeoutMs: options.txTimeout,
    logger,
  })
  await proposer.start()
  const server = options.healthPort
    ? await serveHealth({
        port: options.healthPort,
        host: options.healthHost,
        health: () => proposer.health(),
      })
    : undefined
  if (server) logger.info('health', { url: server.url })
  stopOnSignals(async () => {
    await proposer.stop()
    await server?.close()
  }, logger)
})
