/**
 * keystore-node — runs the keystore chain's node (chain 901) from the configuration and the
 * addresses file of its deployment: the sequencer (blocks on the L1 origin, deposits from the
 * portal, L1SLOAD proven against L1Blocks), its JSON-RPC (what viem, ethers, cast and the batcher's
 * `keystore_getBatchBlock` use), a LevelDB store, and the safe/finalized heads followed from the L1
 * batch inbox. SIGINT/SIGTERM stop it cleanly (the store is closed; a restart resumes at the head).
 *
 *   tsx scripts/keystore-node.ts [--addresses node-config/devnet.addresses.json] [--data-dir .devnet/keystore-node] [--port 9547] [--health-port 8080]
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Option } from 'commander'
import { getAddress, type Hex } from 'viem'
import { getBlock } from 'viem/actions'
import { defaultAddressesPath, readAddresses } from '../rollup/deploy/addresses.js'
import { createKeystoreChainNode, keystoreChainInputs } from '../rollup/keystore/keystoreChain.js'
import { SafeHeadFollower } from '../rollup/keystore/SafeHeadFollower.js'
import type { KeystoreNode } from '../rollup/node/KeystoreNode.js'
import { blockOrigin } from '../rollup/node/sequencer.js'
import { RollupError } from '../rollup/shared/errors.js'
import { serveHealth } from '../rollup/shared/healthServer.js'
import type { ServiceHealth } from '../rollup/shared/service.js'
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
    host: string
    port?: number
    role: 'sequencer' | 'verifier'
    confirmations?: number
    safeHead: boolean
    safeHeadConfirmations: number
    safeHeadPollInterval: number
    maxTxsPerBlock?: number
  }

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const program = withHealthOptions(
  createCommand('keystore-node', "Runs the keystore chain's node (sequencer) with its JSON-RPC."),
)
  .addOption(
    new Option(
      '--addresses <path>',
      'addresses file of the deployment (default node-config/<name>.addresses.json)',
    ).env('KEYSTORE_ADDRESSES'),
  )
  .addOption(
    new Option(
      '--data-dir <path>',
      "the node's LevelDB directory (default keystore.dataDir, else .devnet/keystore-node)",
    ).env('KEYSTORE_DATA_DIR'),
  )
  .addOption(
    new Option('--host <address>', 'JSON-RPC listen address (0.0.0.0 in containers)')
      .env('KEYSTORE_NODE_HOST')
      .default('127.0.0.1'),
  )
  .addOption(
    new Option('--port <port>', 'JSON-RPC port (default keystore.port, else 9547)')
      .env('KEYSTORE_NODE_PORT')
      .argParser(parseInteger),
  )
  .addOption(
    new Option('--role <role>', 'sequencer, or verifier (re-derives from L1: npm run verifier)')
      .env('KEYSTORE_NODE_ROLE')
      .choices(['sequencer', 'verifier'])
      .default('sequencer'),
  )
  .addOption(
    new Option(
      '--confirmations <n>',
      'L1 blocks the L1 origin stays behind the L1 head (default keystore.originLag)',
    )
      .env('KEYSTORE_NODE_CONFIRMATIONS')
      .argParser(parseInteger),
  )
  .addOption(
    new Option('--no-safe-head', 'do not follow the L1 batch inbox (safe/finalized stay at genesis)').env(
      'KEYSTORE_NODE_NO_SAFE_HEAD',
    ),
  )
  .addOption(
    new Option('--safe-head-confirmations <n>', 'L1 blocks on top of a batch before its blocks are safe')
      .env('KEYSTORE_NODE_SAFE_HEAD_CONFIRMATIONS')
      .argParser(parseInteger)
      .default(0),
  )
  .addOption(
    new Option('--safe-head-poll-interval <ms>', 'how often to read the L1 batch inbox')
      .env('KEYSTORE_NODE_SAFE_HEAD_POLL_MS')
      .argParser(parseInteger)
      .default(1000),
  )
  .addOption(
    new Option('--max-txs-per-block <n>', 'transactions per block at most (default 5000)')
      .env('KEYSTORE_NODE_MAX_TXS_PER_BLOCK')
      .argParser(parseInteger),
  )

const RANK: Record<ServiceHealth['status'], number> = { ok: 0, starting: 1, degraded: 2, stopped: 3 }
const worst = (...statuses: ServiceHealth['status'][]) =>
  statuses.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok' as ServiceHealth['status'])

/**
 * The stored chain must be the deployment's: same genesis timestamp and L1 start block. (The node
 * itself only compares genesis state roots, and the state does not depend on either.)
 */
async function checkSameDeployment(
  node: KeystoreNode,
  expected: { l2Timestamp: bigint; l1Start: { number: bigint; hash: Hex } },
  dataDir: string,
): Promise<void> {
  const genesis = await node.getBlockByNumber(0n)
  if (!genesis) throw new RollupError(`The data directory ${dataDir} has no genesis block.`)
  const origin = blockOrigin(genesis)
  if (
    genesis.header.timestamp !== expected.l2Timestamp ||
    origin.number !== expected.l1Start.number ||
    origin.hash.toLowerCase() !== expected.l1Start.hash.toLowerCase()
  )
    throw new RollupError(`The data directory ${dataDir} holds a keystore chain of another deployment.`, {
      details:
        `its genesis: timestamp ${genesis.header.timestamp}, L1 start ${origin.number} (${origin.hash}); ` +
        `the addresses file: timestamp ${expected.l2Timestamp}, L1 start ${expected.l1Start.number} (${expected.l1Start.hash}). ` +
        'Use another --data-dir, or remove this one to start the chain over',
    })
}

runMain(async () => {
  const options = program.parse().opts<Options>()
  const logger = loggerFor(options)
  const config = loadCliConfig(options)
  if (!config.keystore)
    throw new RollupError('The configuration has no keystore chain.', {
      details: `${options.config} has no \`keystore\` section`,
    })
  if (options.role === 'verifier')
    // The verifier re-derives the chain from L1 into its own node: scripts/verifier.ts.
    throw new RollupError('verifier: use npm run verifier', {
      details:
        'this command runs the sequencer; the verifier re-derives the chain from L1 in its own process',
    })
  const addressesPath = options.addresses ?? defaultAddressesPath(config)
  const addresses = readAddresses(addressesPath)
  const ks = addresses.keystore
  if (!ks)
    throw new RollupError(`The addresses file ${addressesPath} has no keystore deployment.`, {
      details: 'deploy the keystore chain first (npm run deploy with a `keystore` section)',
    })
  if (ks.chainId !== config.keystore.chainId)
    throw new RollupError(
      `The addresses file is for chain ${ks.chainId}, the configuration's keystore chain is ${config.keystore.chainId}.`,
    )
  let inputs: ReturnType<typeof keystoreChainInputs>
  try {
    inputs = keystoreChainInputs(config, addresses)
  } catch (error) {
    throw new RollupError(`Cannot build the keystore chain from ${addressesPath}.`, {
      details: (error as Error).message,
    })
  }
  const l1 = clientsFor(config).l1!
  await checkChainIds(config, { l1 })
  const l1Start = await getBlock(l1, { blockNumber: BigInt(ks.genesis.l1StartBlock) })
  const dataDir = options.dataDir ?? config.keystore.dataDir ?? join(root, '.devnet', 'keystore-node')
  const port = options.port ?? config.keystore.port ?? 9547

  const node = await createKeystoreChainNode({
    ...inputs,
    l1,
    role: 'sequencer',
    confirmations: options.confirmations ?? config.keystore.originLag,
    dataDir,
    produceBlocks: true,
    rpc: { host: options.host, port },
    maxTxsPerBlock: options.maxTxsPerBlock,
    logger,
  })
  try {
    await checkSameDeployment(
      node,
      {
        l2Timestamp: BigInt(ks.genesis.l2Timestamp),
        l1Start: { number: l1Start.number, hash: l1Start.hash },
      },
      dataDir,
    )
    await node.start()
  } catch (error) {
    await node.stop()
    throw error
  }
  const genesis = (await node.getBlockByNumber(0n))!
  const follower = options.safeHead
    ? new SafeHeadFollower({
        node,
        l1,
        inbox: getAddress(ks.batchInbox),
        batcher: getAddress(ks.roles.batcher),
        l1StartBlock: BigInt(ks.genesis.l1StartBlock),
        genesisHash: genesis.hash,
        confirmations: options.safeHeadConfirmations,
        pollIntervalMs: options.safeHeadPollInterval,
        logger,
      })
    : undefined
  await follower?.start()
  const health = () => {
    const n = node.health()
    const f = follower?.health()
    return {
      status: worst(n.status, f?.status ?? 'ok'),
      role: options.role,
      chainId: node.chainId,
      head: n.head,
      safe: node.safeHead,
      finalized: node.finalizedHead,
      pending: n.pending,
      rpcUrl: n.rpcUrl,
      ...(n.lastError ? { lastError: n.lastError } : {}),
      ...(f ? { safeHeadFollower: f } : {}),
    }
  }
  const server = options.healthPort
    ? await serveHealth({ port: options.healthPort, host: options.healthHost, health })
    : undefined
  logger.info('keystore node running', {
    rpc: node.rpcUrl,
    chainId: node.chainId,
    head: node.head.number,
    dataDir,
    health: server?.url,
  })
  stopOnSignals(async () => {
    await follower?.stop()
    await server?.close()
    await node.stop()
  }, logger)
})
