/**
 * batcher — posts the keystore chain's blocks to the L1 batch inbox as compressed batches, reading
 * them from the keystore node's JSON-RPC (`keystore_getBatchBlock`, see rollup/batcher/README.md).
 * Resumes from L1 after a restart; no local state.
 *
 *   tsx scripts/batcher.ts --batcher-key 0x… --node-rpc http://127.0.0.1:8547 [--health-port 8082]
 *
 * The inbox and the L1 block to scan from default to the addresses file's keystore section (what
 * `npm run deploy` or the devnet wrote), the node RPC to the config's keystore chain, the key to the
 * config's batcher account (devnet only).
 *   … --data-availability blobs [--beacon-url http://127.0.0.1:5052]   (blob batches; anvil serves its own blobs)
 */
import { existsSync } from 'node:fs'
import { Option } from 'commander'
import { getAddress, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { Batcher, type DataAvailability } from '../rollup/batcher/Batcher.js'
import { createBeaconBlobSource } from '../rollup/batcher/blobSource.js'
import { BATCH_INBOX_ADDRESS, type CompressionName } from '../rollup/batcher/constants.js'
import { createRpcBatchSource } from '../rollup/batcher/rpcBatchSource.js'
import type { Config } from '../rollup/config/schema.js'
import { defaultAddressesPath, readAddresses } from '../rollup/deploy/addresses.js'
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
    batcherKey?: string
    nodeRpc?: string
    inbox?: string
    l1StartBlock?: number
    addresses?: string
    maxDelay: number
    dataAvailability: DataAvailability | undefined
    maxBlobsPerTx: number
    blobSidecarVersion: string
    maxFeePerBlobGas?: string
    beaconUrl?: string
    maxFrameBytes?: number
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
    new Option(
      '--inbox <address>',
      `batch inbox on L1 (default: the addresses file, else ${BATCH_INBOX_ADDRESS})`,
    ).env('BATCH_INBOX'),
  )
  .addOption(
    new Option(
      '--l1-start-block <n>',
      'scan the inbox from this L1 block, the rollup L1 start (default: the addresses file, else 0)',
    )
      .env('BATCHER_L1_START_BLOCK')
      .argParser(parseInteger),
  )
  .addOption(
    new Option(
      '--addresses <path>',
      'addresses file with the keystore chain deployment (default node-config/<name>.addresses.json)',
    ).env('KEYSTORE_ADDRESSES'),
  )
  .addOption(
    new Option('--max-delay <ms>', 'post at the latest this long after a block appears')
      .env('BATCHER_MAX_DELAY_MS')
      .argParser(parseInteger)
      .default(10_000),
  )
  .addOption(
    new Option(
      '--data-availability <where>',
      "post batches as calldata or in blobs (type-3 transactions); default: the config's keystore.dataAvailability",
    )
      .env('BATCHER_DATA_AVAILABILITY')
      .choices(['calldata', 'blobs']),
  )
  .addOption(
    new Option('--max-blobs-per-tx <n>', 'blobs per L1 transaction at most (1..6)')
      .env('BATCHER_MAX_BLOBS_PER_TX')
      .argParser(parseInteger)
      .default(6),
  )
  .addOption(
    new Option('--blob-sidecar-version <v>', 'blob wrapper: 1 = cell proofs (Osaka on), 0 = blob proofs')
      .env('BATCHER_BLOB_SIDECAR_VERSION')
      .choices(['0', '1'])
      .default('1'),
  )
  .addOption(
    new Option('--max-fee-per-blob-gas <wei>', 'most to bid per blob gas (default: 2 × blob base fee)').env(
      'BATCHER_MAX_FEE_PER_BLOB_GAS',
    ),
  )
  .addOption(
    new Option(
      '--beacon-url <url>',
      "beacon node API to read blobs back (default: the L1 RPC's anvil_getBlobsByTransactionHash)",
    ).env('BATCHER_BEACON_URL'),
  )
  .addOption(
    new Option(
      '--max-frame-bytes <n>',
      'frame bytes per L1 transaction at most (default 120,000 as calldata, 761,851 in 6 blobs)',
    )
      .env('BATCHER_MAX_FRAME_BYTES')
      .argParser(parseInteger),
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

function parseWei(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new RollupError(`Expected an amount of wei, got "${value}".`)
  return BigInt(value)
}

runMain(async () => {
  const options = program.parse().opts<Options>()
  const logger = loggerFor(options)
  const config = loadCliConfig(options)
  const deployed = deployedKeystore(options.addresses, config)
  options.inbox ??= deployed?.batchInbox ?? BATCH_INBOX_ADDRESS
  options.l1StartBlock ??= deployed?.l1StartBlock ?? 0
  options.nodeRpc ??= keystoreRpcUrl(config)
  options.batcherKey ??= config.accounts.batcher
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
    dataAvailability: options.dataAvailability ?? config.keystore?.dataAvailability ?? 'calldata',
    maxBlobsPerTx: options.maxBlobsPerTx,
    blobSidecarVersion: options.blobSidecarVersion === '0' ? 0 : 1,
    maxFeePerBlobGas: parseWei(options.maxFeePerBlobGas),
    blobSource: options.beaconUrl ? createBeaconBlobSource({ url: options.beaconUrl }) : undefined,
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

/** The inbox and rollup L1 start from the addresses file, if there is one with a keystore section. */
function deployedKeystore(
  path: string | undefined,
  config: Config,
): { batchInbox: string; l1StartBlock: number } | undefined {
  const file = path ?? defaultAddressesPath(config)
  if (!existsSync(file)) {
    if (path) throw new RollupError(`No addresses file at ${path}.`)
    return undefined
  }
  const ks = readAddresses(file).keystore
  return ks ? { batchInbox: ks.batchInbox, l1StartBlock: Number(ks.genesis.l1StartBlock) } : undefined
}
