/**
 * batcher — posts the keystore chain's blocks to the L1 batch inbox as compressed batches, reading
 * them from the keystore node's JSON-RPC (`keystore_getBatchBlock`, see rollup/batcher/README.md).
 * Resumes from L1 after a restart; no local state.
 *
 *   tsx scripts/batcher.ts --batcher-key 0x… --node-rpc http://127.0.0.1:8547 [--health-port 8082]
 */
import { Option } from 'commander'
import { getAddress, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { Batcher } from '../rollup/batcher/Batcher.js'
import { BATCH_INBOX_ADDRESS, type CompressionName } from '../rollup/batcher/constants.js'
import { createRpcBatchSource } from '../rollup/batcher/rpcBatchSource.js'
import { RollupError } from '../rollup/shared/errors.js'
import { serveHealth } from '../rollup/shared/healthServer.js'
import {
  type CommonOptions,
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
    batcherKey?: string
    nodeRpc?: string
    inbox: string
    l1StartBlock: number
    maxDelay: number
    maxFrameBytes: number
    maxBatchBytes?: number
    maxBlocks: number
    compression: CompressionName
    pollInterval: number
    confirmations: number
    txTimeout: number
  }

const program = withHealthOptions(
  createCommand('batcher', "Posts the keystore chain's blocks to the L1 batch inbox."),
)
  .addOption(
    new Option('--batcher-key <hex>', 'private key of the batcher (required)').env('BATCHER_PRIVATE_KEY'),
  )
  .addOption(
    new Option(
      '--node-rpc <url>',
      "the keystore node's JSON-RPC, serving keystore_getBatchBlock (required)",
    ).env('KEYSTORE_NODE_RPC'),
  )
  .addOption(
    new Option('--inbox <address>', 'batch inbox on L1').env('BATCH_INBOX').default(BATCH_INBOX_ADDRESS),
  )
  .addOption(
    new Option('--l1-start-block <n>', 'scan the inbox from this L1 block (the rollup L1 start)')
      .env('BATCHER_L1_START_BLOCK')
      .argParser(parseInteger)
      .default(0),
  )
  .addOption(
    new Option('--max-delay <ms>', 'post at the latest this long after a block appears')
      .env('BATCHER_MAX_DELAY_MS')
      .argParser(parseInteger)
      .default(10_000),
  )
  .addOption(
    new Option('--max-frame-bytes <n>', 'calldata per L1 transaction at most')
      .env('BATCHER_MAX_FRAME_BYTES')
      .argParser(parseInteger)
      .default(120_000),
  )
  .addOption(
    new Option('--max-batch-bytes <n>', 'target batch size on L1 (default: one frame)')
      .env('BATCHER_MAX_BATCH_BYTES')
      .argParser(parseInteger),
  )
  .addOption(
    new Option('--max-blocks <n>', 'L2 blocks per batch at most')
      .env('BATCHER_MAX_BLOCKS')
      .argParser(parseInteger)
      .default(2000),
  )
  .addOption(
    new Option('--compression <name>', 'batch compression')
      .env('BATCHER_COMPRESSION')
      .choices(['brotli', 'deflate', 'none'])
      .default('brotli'),
  )
  .addOption(
    new Option('--poll-interval <ms>', 'how often to look for new blocks')
      .env('BATCHER_POLL_INTERVAL_MS')
      .argParser(parseInteger)
      .default(1000),
  )
  .addOption(
    new Option('--confirmations <n>', 'L1 blocks on top of a batch transaction before the next')
      .env('BATCHER_CONFIRMATIONS')
      .argParser(parseInteger)
      .default(0),
  )
  .addOption(
    new Option('--tx-timeout <ms>', 're-send a batch transaction not included within this')
      .env('BATCHER_TX_TIMEOUT_MS')
      .argParser(parseInteger)
      .default(30_000),
  )

runMain(async () => {
  const options = program.parse().opts<Options>()
  const logger = loggerFor(options)
  const config = loadCliConfig(options)
  if (!options.batcherKey)
    throw new RollupError('No batcher key.', { details: 'pass --batcher-key or set BATCHER_PRIVATE_KEY' })
  if (!options.nodeRpc)
    throw new RollupError('No keystore node RPC.', { details: 'pass --node-rpc or set KEYSTORE_NODE_RPC' })
  const account = privateKeyToAccount(options.batcherKey as Hex)
  const l1 = clientsFor(config).l1!
  const chainId = await l1.getChainId()
  if (chainId !== config.l1.chainId)
    throw new RollupError(`l1 answers chain id ${chainId}, expected ${config.l1.chainId}.`)
  const batcher = new Batcher({
    l1,
    account,
    source: createRpcBatchSource({ url: options.nodeRpc }),
    inbox: getAddress(options.inbox),
    l1StartBlock: BigInt(options.l1StartBlock),
    maxDelayMs: options.maxDelay,
    maxFrameBytes: options.maxFrameBytes,
    maxBatchBytes: options.maxBatchBytes,
    maxBlocksPerBatch: options.maxBlocks,
    compression: options.compression,
    pollIntervalMs: options.pollInterval,
    confirmations: options.confirmations,
    txTimeoutMs: options.txTimeout,
    logger,
  })
  await batcher.start()
  const server = options.healthPort
    ? await serveHealth({
        port: options.healthPort,
        host: options.healthHost,
        health: () => batcher.health(),
      })
    : undefined
  if (server) logger.info('health', { url: server.url })
  stopOnSignals(async () => {
    await batcher.stop()
    await server?.close()
  }, logger)
})
