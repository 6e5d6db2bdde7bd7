/**
 * The keystore chain put together: its genesis (OP predeploys + L1Blocks + the keystore chain's
 * L2Keystore), and a `KeystoreNode` configured as its sequencer (L1 origin from the L1 RPC,
 * deposits from the OptimismPortal, L1SLOAD proven against L1Blocks) or as a replaying verifier.
 */
import { type Client, type Hex, pad } from 'viem'
import { getBlock } from 'viem/actions'
import type { BatchSource } from '../batcher/types.js'
import { ConfigError } from '../config/load.js'
import type { Config } from '../config/schema.js'
import type { KeystoreAddresses } from '../deploy/addresses.js'
import { buildKeystoreGenesis } from '../genesis/buildKeystoreGenesis.js'
import { type GenesisConfig, genesisParametersFromConfig, loadGenesisConfig } from '../genesis/config.js'
import { KeystoreNode, type KeystoreNodeParameters } from '../node/KeystoreNode.js'
import { L1OriginSelector } from '../node/l1Origin.js'
import { createSequencerPlanner, encodeBlockOrigin, toBatchBlock } from '../node/sequencer.js'
import type { Logger } from '../shared/logger.js'
import { keystoreL1SloadReads } from './l1sloadReads.js'

/**
 * The keystore chain's own predeploys, as `node-config/keystore-genesis.json` places them (outside
 * OP's 0x4200… namespace).
 */
export const KEYSTORE_PREDEPLOYS = {
  L1Blocks: '0x4b00000000000000000000000000000000000001',
  L2Keystore: '0x4b00000000000000000000000000000000000002',
} as const satisfies Record<string, Hex>

export type KeystoreChainInputs = {
  /** The keystore section of the addresses file (L1 contracts, genesis parameters). */
  keystore: KeystoreAddresses
  /** L1Keystore on L1 (the L2Keystore's write target and L1SLOAD read target). */
  l1Keystore: Hex
  /** SystemConfig scalars (configuration `keystore.systemConfig`). */
  scalars: { baseFeeScalar: number; blobBaseFeeScalar: number }
  /** Funded accounts at genesis (devnet). */
  balances?: Record<Hex, bigint> | undefined
  /** Default: node-config/keystore-genesis.json. */
  genesisConfig?: GenesisConfig | undefined
}

/** The inputs of the keystore chain from a configuration and its addresses file. */
export function keystoreChainInputs(
  config: Config,
  addresses: { keystore?: KeystoreAddresses; contracts: { l1: Record<string, string> } },
): KeystoreChainInputs {
  if (!addresses.keystore || !config.keystore)
    throw new Error('the configuration has no keystore chain (no `keystore` section or no deployment)')
  const l1Keystore = addresses.contracts.l1.L1Keystore
  if (!l1Keystore) throw new Error('the addresses file has no L1Keystore on l1')
  return {
    keystore: addresses.keystore,
    l1Keystore: l1Keystore as Hex,
    scalars: {
      baseFeeScalar: config.keystore.systemConfig.basefeeScalar,
      blobBaseFeeScalar: config.keystore.systemConfig.blobbasefeeScalar,
    },
  }
}

/**
 * The keystore chain's genesis state from `node-config/keystore-genesis.json` (or `genesisConfig`),
 * with the deployment's L1CrossDomainMessenger, L1Keystore, chain id and genesis timestamp.
 * Deterministic in its inputs.
 * @throws {ConfigError} when a predeploy is missing (not built) or misplaced.
 */
export async function keystoreChainGenesis(inputs: KeystoreChainInputs) {
  const config = inputs.genesisConfig ?? loadGenesisConfig()
  const { parameters, skipped } = genesisParametersFromConfig(config, {
    l1CrossDomainMessenger: inputs.keystore.l1.L1CrossDomainMessenger as Hex,
    params: { l1Keystore: inputs.l1Keystore },
  })
  if (skipped.length)
    throw new ConfigError('The keystore chain genesis lacks predeploys.', {
      details: skipped.map((s) => `${s.name}: ${s.reason}`).join('; '),
    })
  const genesis = await buildKeystoreGenesis({
    ...parameters,
    chainId: inputs.keystore.chainId,
    timestamp: BigInt(inputs.keystore.genesis.l2Timestamp),
    balances: { ...parameters.balances, ...inputs.balances },
  })
  for (const [name, address] of Object.entries(KEYSTORE_PREDEPLOYS))
    if (genesis.predeploys[name]?.toLowerCase() !== address.toLowerCase())
      throw new ConfigError(`The genesis configuration must place ${name} at ${address}.`)
  const ringSize = config.params.ringSize
  if (typeof ringSize !== 'number')
    throw new ConfigError('The genesis configuration needs params.ringSize (L1Blocks).')
  return { ...genesis, ringSize: BigInt(ringSize) }
}

export type CreateKeystoreChainNodeParameters = KeystoreChainInputs & {
  /** L1 RPC (untrusted: headers, deposits and L1SLOAD answers are verified). */
  l1: Client
  /** `sequencer` (default) plans blocks from L1; `verifier` only applies derived blocks. */
  role?: 'sequencer' | 'verifier' | undefined
  /** L1 blocks the origin stays behind the L1 head. */
  confirmations: number
  /** Max seconds an L2 block may run ahead of its L1 origin before a warning. Default 1800. */
  maxSequencerDrift?: number | undefined
} & Pick<
    KeystoreNodeParameters,
    'dataDir' | 'produceBlocks' | 'rpc' | 'logger' | 'maxTxsPerBlock' | 'cache' | 'blockGasLimit'
  >

/**
 * A KeystoreNode for the keystore chain: the genesis above, the block time and genesis time of
 * the L1 deployment, the mempool allow-list = the L2Keystore predeploy, L1SLOAD proven against the
 * chain's L1Blocks, and (sequencer) the planner that follows L1.
 *
 * @example
 * const node = await createKeystoreChainNode({ ...keystoreChainInputs(config, addresses), l1, confirmations: 2, dataDir, rpc: { port: 9547 }, produceBlocks: true })
 * await node.start()
 */
export async function createKeystoreChainNode(
  parameters: CreateKeystoreChainNodeParameters,
): Promise<KeystoreNode> {
  const { keystore } = parameters
  const genesis = await keystoreChainGenesis(parameters)
  const { ringSize } = genesis
  const start = await getBlock(parameters.l1, { blockNumber: BigInt(keystore.genesis.l1StartBlock) })
  const selector = new L1OriginSelector({
    l1: parameters.l1 as never,
    confirmations: parameters.confirmations,
    maxSequencerDrift: parameters.maxSequencerDrift ?? 1800,
  })
  const role = parameters.role ?? 'sequencer'
  return KeystoreNode.create({
    alloc: genesis.alloc,
    chainId: keystore.chainId,
    allowedRecipients: [KEYSTORE_PREDEPLOYS.L2Keystore],
    genesisTimestamp: BigInt(keystore.genesis.l2Timestamp),
    genesisExtra: encodeBlockOrigin({ number: start.number, hash: start.hash as Hex, sequenceNumber: 0n }),
    blockTime: keystore.l2BlockTime,
    l1sload:
      role === 'sequencer'
        ? {
            mode: 'live',
            l1Client: parameters.l1,
            l1Blocks: KEYSTORE_PREDEPLOYS.L1Blocks,
            ringSize,
            predictReads: keystoreL1SloadReads({
              l2Keystore: KEYSTORE_PREDEPLOYS.L2Keystore,
              l1Keystore: parameters.l1Keystore,
              chainId: BigInt(keystore.chainId),
            }),
          }
        : { mode: 'replay', l1Blocks: KEYSTORE_PREDEPLOYS.L1Blocks, ringSize },
    ...(role === 'sequencer'
      ? {
          planBlock: createSequencerPlanner({
            l1: parameters.l1,
            selector,
            portal: keystore.l1.OptimismPortal as Hex,
            l1Blocks: KEYSTORE_PREDEPLOYS.L1Blocks,
            systemConfig: { batcherHash: pad(keystore.roles.batcher), ...parameters.scalars },
            logger: parameters.logger,
          }),
        }
      : {}),
    dataDir: parameters.dataDir,
    produceBlocks: role === 'sequencer' ? parameters.produceBlocks : false,
    rpc: parameters.rpc,
    logger: parameters.logger,
    maxTxsPerBlock: parameters.maxTxsPerBlock,
    cache: parameters.cache,
    blockGasLimit: parameters.blockGasLimit,
  })
}

export type { Logger }

/** The batcher's source, in-process: the node's blocks as batches carry them. */
export function nodeBatchSource(node: KeystoreNode): BatchSource {
  return {
    head: async () => node.head.number,
    getBatchBlock: async (n) => {
      const block = await node.getBlockByNumber(n)
      return block ? toBatchBlock(block) : undefined
    },
  }
}
