/**
 * The shape of a network configuration (node-config/*.json), validated at load time.
 * One L1 and any number of "other L2s" (OP-Stack chains that get L1Blocks + L2Keystore).
 * A chain with `port` and no `rpcUrl` is a devnet chain: the devnet starts anvil for it.
 */
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'

export const hexKey = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte hex private key (0x + 64 hex digits)')
export const hexAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte hex address')

export const chainSchema = z
  .strictObject({
    chainId: z.number().int().positive(),
    /** Devnet: the port anvil listens on (127.0.0.1). */
    port: z.number().int().min(1).max(65535).optional(),
    /** An existing node (presets for real networks): nothing is started for this chain. */
    rpcUrl: z.url().optional(),
    /** Seconds between blocks for the devnet's anvil (fractions allowed); 0 = a block per transaction. */
    blockTime: z.number().min(0).default(0),
    /** How often clients poll this chain (receipts, heads). */
    pollingIntervalMs: z.number().int().positive().default(250),
  })
  .refine((c) => c.port !== undefined || c.rpcUrl !== undefined, {
    message: 'a chain needs `port` (devnet, anvil is started) or `rpcUrl` (existing node)',
  })

export const l2ChainSchema = chainSchema.safeExtend({
  /** Start anvil in OP mode (`--optimism`). */
  optimism: z.boolean().default(true),
  /**
   * Devnet only: install the genuine L1Block predeploy and run an L1OriginUpdater that plays the
   * OP sequencer's role. False for real L2s, whose sequencer does this.
   */
  emulateL1Origin: z.boolean().default(true),
  /** The L1 origin trails the L1 head by this many L1 blocks (with emulateL1Origin). */
  originLag: z.number().int().min(0).default(2),
})

/** The keystore chain's L1 contracts (rollup/opstack): proxies under their plain names, and the ProxyAdmin. */
export const OPSTACK_L1_CONTRACTS = [
  'ProxyAdmin',
  'SuperchainConfig',
  'L2OutputOracle',
  'SystemConfig',
  'OptimismPortal',
  'L1CrossDomainMessenger',
] as const
export type OpStackL1ContractName = (typeof OPSTACK_L1_CONTRACTS)[number]

/** OP's convention for a chain's batch inbox: 0xff00…00 followed by the chain id's decimal digits. */
export function defaultBatchInbox(chainId: number): `0x${string}` {
  const digits = String(chainId)
  if (digits.length > 38) throw new Error(`chain id ${chainId} is too long for a batch inbox address`)
  return `0xff${digits.padStart(38, '0')}`
}

/** OP's default resource config (contracts-bedrock `Constants.DEFAULT_RESOURCE_CONFIG`). */
export const DEFAULT_RESOURCE_CONFIG = {
  maxResourceLimit: 20_000_000,
  elasticityMultiplier: 10,
  baseFeeMaxChangeDenominator: 8,
  minimumBaseFee: 1_000_000_000,
  systemTxMaxGas: 1_000_000,
  maximumBaseFee: '340282366920938463463374607431768211455',
} as const

const uint32 = z.number().int().min(0).max(0xffffffff)
const uint8 = z.number().int().min(0).max(255)

/**
 * The keystore chain (DESIGN §2/§4): an OP-Stack L2 run by our own node. Its L1 side
 * (OptimismPortal, L2OutputOracle, L1CrossDomainMessenger, SystemConfig, SuperchainConfig behind
 * proxies of one ProxyAdmin) is deployed on `l1` by rollup/opstack from these values.
 */
export const keystoreChainSchema = z
  .strictObject({
    chainId: z.number().int().positive(),
    /** Devnet: the port the keystore node's JSON-RPC listens on (127.0.0.1). */
    port: z.number().int().min(1).max(65535).optional(),
    /** An existing keystore node's JSON-RPC (any OP-compatible L2 RPC). */
    rpcUrl: z.url().optional(),
    pollingIntervalMs: z.number().int().positive().default(250),
    /** L1 blocks the keystore chain's L1 origin stays behind the L1 head (reorg safety). */
    originLag: z.number().int().min(0).default(2),
    /**
     * How the batcher publishes batches on L1: `calldata` (default; no KZG setup) or `blobs`
     * (EIP-4844: ~1/300 of the L1 gas per key update; loading the KZG setup takes ~20 s of CPU).
     */
    dataAvailability: z.enum(['calldata', 'blobs']).default('calldata'),
    /** Where the devnet's keystore node keeps its LevelDB; default: a temporary directory per run. */
    dataDir: z.string().optional(),
    /** Seconds between L2 blocks: block n has timestamp genesis.timestamp + n * l2BlockTime. */
    l2BlockTime: z.number().int().positive(),
    genesis: z
      .strictObject({
        /** L2OutputOracle.startingBlockNumber: the L2 block outputs count from. */
        l2BlockNumber: z.number().int().min(0).default(0),
        /**
         * L2OutputOracle.startingTimestamp = the L2 genesis block's timestamp (Unix seconds, at most
         * the L1 time of deployment). Omitted: the L1 head's timestamp when the L1 contracts are
         * deployed (devnet); the deployment records the value it used.
         */
        timestamp: z.number().int().min(0).optional(),
      })
      .prefault({}),
    /** L2 blocks between two output proposals (L2OutputOracle.submissionInterval). */
    submissionInterval: z.number().int().positive(),
    /** Seconds a proposed output (and a proven withdrawal) waits before finalization: 604800 (7 days) on real networks. */
    finalizationPeriodSeconds: z.number().int().min(0),
    /** Where the batcher posts; default OP's convention 0xff00…<chainId>. */
    batchInbox: hexAddress.optional(),
    roles: z.strictObject({
      /** Owns the ProxyAdmin (upgrades) and SystemConfig. */
      owner: hexAddress,
      /** SuperchainConfig guardian: may pause withdrawals. */
      guardian: hexAddress,
      /** The only address L2OutputOracle accepts outputs from. */
      proposer: hexAddress,
      /** May delete unfinalized outputs. */
      challenger: hexAddress,
      /** SystemConfig.batcherHash = bytes32(uint256(uint160(batcher))). */
      batcher: hexAddress,
      /** SystemConfig.unsafeBlockSigner (p2p block gossip; unused by our node). */
      unsafeBlockSigner: hexAddress.default('0x0000000000000000000000000000000000000000'),
    }),
    systemConfig: z
      .strictObject({
        /** L2 block gas limit (SystemConfig.gasLimit; at least maxResourceLimit + systemTxMaxGas). */
        gasLimit: z.number().int().positive().default(30_000_000),
        basefeeScalar: z.number().int().min(0).max(0xffffffff).default(1368),
        blobbasefeeScalar: z.number().int().min(0).max(0xffffffff).default(810949),
        /** Deposit gas metering (ResourceMetering.ResourceConfig); default OP's. Fees in wei. */
        resourceConfig: z
          .strictObject({
            maxResourceLimit: uint32.min(1),
            elasticityMultiplier: uint8.min(1),
            baseFeeMaxChangeDenominator: uint8.min(2),
            minimumBaseFee: uint32,
            systemTxMaxGas: uint32,
            /** uint128, a decimal string (it does not fit a JSON number). */
            maximumBaseFee: z.string().regex(/^\d+$/, 'expected a decimal integer string'),
          })
          .default({ ...DEFAULT_RESOURCE_CONFIG }),
      })
      .prefault({}),
    /** SuperchainConfig starts paused (no deposits relayed through the messenger, no withdrawals). */
    paused: z.boolean().default(false),
  })
  .transform((k) => ({ ...k, batchInbox: k.batchInbox ?? defaultBatchInbox(k.chainId) }))

/** Relays keystore-chain withdrawals to L1 (rollup/relayer). */
export const relayerSchema = z.strictObject({
  pollIntervalMs: z.number().int().positive().default(1000),
  /** First L2 block to scan for withdrawals (default: L2OutputOracle.startingBlockNumber). */
  fromBlock: z.number().int().min(0).optional(),
  /** L2 blocks on top of a block before its withdrawals are picked up. */
  confirmations: z.number().int().min(0).default(0),
  /** L2 blocks per eth_getLogs request. */
  maxBlockRange: z.number().int().positive().default(1000),
  /** Reverting prove/finalize simulations or transactions of one withdrawal before it is given up (logged). */
  maxAttempts: z.number().int().positive().default(5),
  /** Remember the scan position here (JSON); without it a restart rescans from fromBlock. */
  stateFile: z.string().optional(),
  txTimeoutMs: z.number().int().positive().default(30_000),
  backoffBaseMs: z.number().int().positive().default(500),
  backoffMaxMs: z.number().int().positive().default(30_000),
})

export const deployArgSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  /** The (deterministic) address of another deployment. */
  z.strictObject({ ref: z.string() }),
  /** A value from `deploy.params`. */
  z.strictObject({ param: z.string() }),
  /** The address of one of the keystore chain's L1 contracts (needs the `keystore` section). */
  z.strictObject({ opstack: z.enum(OPSTACK_L1_CONTRACTS) }),
])

export const deploymentSchema = z.strictObject({
  /** Deployment name; also the contract name unless `artifact` says otherwise. */
  name: z.string().min(1),
  /** Contract name in contracts/generated (e.g. `L1Blocks` -> l1BlocksBytecode). */
  artifact: z.string().optional(),
  /** `l1`, `l2s` (every L2) or a list of chain names. */
  chains: z.union([z.literal('l1'), z.literal('l2s'), z.array(z.string()).min(1)]),
  /** CREATE2 salt label, hashed with keccak256. Default `<deploy.saltPrefix>/<name>`. */
  salt: z.string().optional(),
  args: z.array(deployArgSchema).default([]),
})

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().default('devnet'),
    l1: chainSchema,
    l2s: z
      .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'L2 names are lowercase identifiers'), l2ChainSchema)
      .refine((r) => Object.keys(r).length > 0, 'at least one L2'),
    accounts: z
      .strictObject({
        /** Deploys contracts (CREATE2 through the deterministic deployer). */
        deployer: hexKey.optional(),
        /** Submits L1 headers to L1Blocks. Give it its own key: one transaction at a time per key. */
        feeder: hexKey.optional(),
        /** Proposes keystore-chain output roots to L2OutputOracle (its address is keystore.roles.proposer). */
        proposer: hexKey.optional(),
        /** Posts keystore-chain batches to the batch inbox (its address is keystore.roles.batcher). */
        batcher: hexKey.optional(),
        /** Proves and finalizes keystore-chain withdrawals on L1 (any funded key). */
        relayer: hexKey.optional(),
      })
      .prefault({}),
    /** The keystore chain and its L1 contracts; absent = none deployed. */
    keystore: keystoreChainSchema.optional(),
    relayer: relayerSchema.prefault({}),
    originUpdater: z
      .strictObject({
        pollIntervalMs: z.number().int().positive().default(500),
        baseFeeScalar: z.number().int().min(0).max(0xffffffff).default(1368),
        blobBaseFeeScalar: z.number().int().min(0).max(0xffffffff).default(810949),
        /** The batcher address; L1Block.batcherHash = bytes32(uint256(uint160(batcher))). */
        batcher: hexAddress.default('0x0000000000000000000000000000000000000000'),
      })
      .prefault({}),
    feeder: z
      .strictObject({
        pollIntervalMs: z.number().int().positive().default(500),
        /** L2 blocks on top of a submission before it counts as done (0 = included). */
        confirmations: z.number().int().min(0).default(0),
        /** Keep this many parents of the latest header stored (filled through parentHash). */
        backfill: z.number().int().min(0).default(0),
        txTimeoutMs: z.number().int().positive().default(15_000),
        backoffBaseMs: z.number().int().positive().default(250),
        backoffMaxMs: z.number().int().positive().default(15_000),
      })
      .prefault({}),
    deploy: z.strictObject({
      saltPrefix: z.string().min(1),
      params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
      contracts: z.array(deploymentSchema),
    }),
  })
  .superRefine((config, ctx) => {
    const chains = new Set(['l1', ...Object.keys(config.l2s)])
    const names = new Set<string>()
    config.deploy.contracts.forEach((d, i) => {
      if (names.has(d.name))
        ctx.addIssue({
          code: 'custom',
          path: ['deploy', 'contracts', i, 'name'],
          message: `duplicate ${d.name}`,
        })
      names.add(d.name)
      if (Array.isArray(d.chains))
        d.chains.forEach((c, j) => {
          if (!chains.has(c))
            ctx.addIssue({
              code: 'custom',
              path: ['deploy', 'contracts', i, 'chains', j],
              message: `unknown chain "${c}" (known: ${[...chains].join(', ')})`,
            })
        })
    })
    config.deploy.contracts.forEach((d, i) => {
      d.args.forEach((a, j) => {
        if (typeof a !== 'object') return
        if ('ref' in a && !names.has(a.ref))
          ctx.addIssue({
            code: 'custom',
            path: ['deploy', 'contracts', i, 'args', j],
            message: `unknown deployment "${a.ref}"`,
          })
        if ('opstack' in a && !config.keystore)
          ctx.addIssue({
            code: 'custom',
            path: ['deploy', 'contracts', i, 'args', j],
            message: `refers to the keystore chain's ${a.opstack}, but the configuration has no \`keystore\` section`,
          })
        if ('param' in a && !(a.param in config.deploy.params))
          ctx.addIssue({
            code: 'custom',
            path: ['deploy', 'contracts', i, 'args', j],
            message: `unknown param "${a.param}" (deploy.params)`,
          })
      })
    })
    if (config.keystore) {
      const names = new Set(['l1', ...Object.keys(config.l2s)])
      if (names.has('keystore'))
        ctx.addIssue({
          code: 'custom',
          path: ['l2s', 'keystore'],
          message: '"keystore" is the keystore chain',
        })
      const ids = new Map<number, string>([
        [config.l1.chainId, 'l1'],
        ...Object.entries(config.l2s).map(([n, c]) => [c.chainId, n] as [number, string]),
      ])
      const other = ids.get(config.keystore.chainId)
      if (other)
        ctx.addIssue({
          code: 'custom',
          path: ['keystore', 'chainId'],
          message: `chain id ${config.keystore.chainId} is also ${other}'s`,
        })
      // A key given for a role must be the key of the address the L1 contracts accept for it.
      for (const role of ['proposer', 'batcher'] as const) {
        const key = config.accounts[role]
        if (!key) continue
        const address = privateKeyToAccount(key as `0x${string}`).address
        if (address.toLowerCase() !== config.keystore.roles[role].toLowerCase())
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', role],
            message: `is the key of ${address}, but keystore.roles.${role} is ${config.keystore.roles[role]}`,
          })
      }
      const { gasLimit, resourceConfig } = config.keystore.systemConfig
      if (gasLimit < resourceConfig.maxResourceLimit + resourceConfig.systemTxMaxGas)
        ctx.addIssue({
          code: 'custom',
          path: ['keystore', 'systemConfig', 'gasLimit'],
          message: `must be at least resourceConfig.maxResourceLimit + systemTxMaxGas (${resourceConfig.maxResourceLimit + resourceConfig.systemTxMaxGas}); SystemConfig.initialize reverts otherwise`,
        })
      if (gasLimit > 200_000_000)
        ctx.addIssue({
          code: 'custom',
          path: ['keystore', 'systemConfig', 'gasLimit'],
          message: 'SystemConfig accepts at most 200,000,000',
        })
      if (resourceConfig.maxResourceLimit % resourceConfig.elasticityMultiplier !== 0)
        ctx.addIssue({
          code: 'custom',
          path: ['keystore', 'systemConfig', 'resourceConfig', 'maxResourceLimit'],
          message: 'must be a multiple of elasticityMultiplier (SystemConfig rejects precision loss)',
        })
      if (BigInt(resourceConfig.maximumBaseFee) >= 2n ** 128n)
        ctx.addIssue({
          code: 'custom',
          path: ['keystore', 'systemConfig', 'resourceConfig', 'maximumBaseFee'],
          message: 'must fit a uint128',
        })
      if (BigInt(resourceConfig.minimumBaseFee) > BigInt(resourceConfig.maximumBaseFee))
        ctx.addIssue({
          code: 'custom',
          path: ['keystore', 'systemConfig', 'resourceConfig', 'minimumBaseFee'],
          message: 'must not exceed maximumBaseFee',
        })
    }
    const ports = new Map<number, string>()
    const portOwners: [string, { port?: number | undefined; rpcUrl?: string | undefined }][] = [
      ['l1', config.l1],
      ...Object.entries(config.l2s),
      ...(config.keystore ? [['keystore', config.keystore] as [string, typeof config.keystore]] : []),
    ]
    for (const [name, chain] of portOwners) {
      if (chain.port === undefined || chain.rpcUrl !== undefined) continue
      const other = ports.get(chain.port)
      if (other)
        ctx.addIssue({
          code: 'custom',
          path: name === 'l1' || name === 'keystore' ? [name, 'port'] : ['l2s', name, 'port'],
          message: `port ${chain.port} is also used by ${other}`,
        })
      ports.set(chain.port, name)
    }
  })

export type ConfigInput = z.input<typeof configSchema>
export type Config = z.output<typeof configSchema>
export type ChainConfig = z.output<typeof chainSchema>
export type L2ChainConfig = z.output<typeof l2ChainSchema>
export type Deployment = z.output<typeof deploymentSchema>
export type KeystoreChainConfig = z.output<typeof keystoreChainSchema>
export type RelayerConfig = z.output<typeof relayerSchema>
export type DeployArg = z.output<typeof deployArgSchema>
