/**
 * The shape of a network configuration (node-config/*.json), validated at load time.
 * One L1 and any number of "other L2s" (OP-Stack chains that get L1Blocks + L2Keystore).
 * A chain with `port` and no `rpcUrl` is a devnet chain: the devnet starts anvil for it.
 */
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

export const deployArgSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  /** The (deterministic) address of another deployment. */
  z.strictObject({ ref: z.string() }),
  /** A value from `deploy.params`. */
  z.strictObject({ param: z.string() }),
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
      })
      .prefault({}),
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
        if ('param' in a && !(a.param in config.deploy.params))
          ctx.addIssue({
            code: 'custom',
            path: ['deploy', 'contracts', i, 'args', j],
            message: `unknown param "${a.param}" (deploy.params)`,
          })
      })
    })
    const ports = new Map<number, string>()
    for (const [name, chain] of [['l1', config.l1] as const, ...Object.entries(config.l2s)]) {
      if (chain.port === undefined || chain.rpcUrl !== undefined) continue
      const other = ports.get(chain.port)
      if (other)
        ctx.addIssue({
          code: 'custom',
          path: name === 'l1' ? ['l1', 'port'] : ['l2s', name, 'port'],
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
export type DeployArg = z.output<typeof deployArgSchema>
