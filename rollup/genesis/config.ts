/**
 * The keystore chain's genesis as data (node-config/keystore-genesis.json): which of our
 * contracts are predeployed where, with which constructor arguments, and which accounts are
 * funded. Turned into {@link BuildKeystoreGenesisParameters} with the contracts' generated
 * artifacts (contracts/generated, `npm run build:contracts`).
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Abi, encodeDeployData, type Hex } from 'viem'
import { z } from 'zod'
import { ConfigError, interpolateEnv, NODE_CONFIG_DIR } from '../config/load.js'
import { hexAddress } from '../config/schema.js'
import { type Artifact, findArtifact } from '../deploy/artifacts.js'
import type { BuildKeystoreGenesisParameters } from './buildKeystoreGenesis.js'

/** node-config/keystore-genesis.json. */
export const DEFAULT_GENESIS_CONFIG_PATH = join(NODE_CONFIG_DIR, 'keystore-genesis.json')

const genesisArgSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  /** The address of another predeploy of this genesis (OP ones included). */
  z.strictObject({ predeploy: z.string() }),
  /** A value from `params` (or given at build time). */
  z.strictObject({ param: z.string() }),
])

export const genesisConfigSchema = z.strictObject({
  chainId: z.number().int().positive().default(901),
  /** Genesis timestamp (seconds); constructors see it as `block.timestamp`. */
  timestamp: z.number().int().nonnegative().default(0),
  /**
   * The L1CrossDomainMessenger proxy on L1. Usually known only after the L1 deployment: leave it
   * out and pass it to {@link genesisParametersFromConfig}, or use `${ENV_VAR}`.
   */
  l1CrossDomainMessenger: hexAddress.optional(),
  /** Funded accounts: address → wei (decimal string). */
  balances: z.record(hexAddress, z.string().regex(/^\d+$/, 'expected wei as a decimal string')).default({}),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  predeploys: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        address: hexAddress,
        /** Contract name in contracts/generated. Default: `name`. */
        artifact: z.string().optional(),
        args: z.array(genesisArgSchema).default([]),
        keepConstructorStorage: z.boolean().optional(),
      }),
    )
    .default([]),
})

export type GenesisConfig = z.output<typeof genesisConfigSchema>

/**
 * Reads and validates a genesis configuration (`${VAR}` from the environment).
 *
 * @throws {ConfigError} listing every problem with its path.
 * @example
 * const config = loadGenesisConfig() // node-config/keystore-genesis.json
 */
export function loadGenesisConfig(
  path: string = DEFAULT_GENESIS_CONFIG_PATH,
  env: NodeJS.ProcessEnv = process.env,
): GenesisConfig {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(resolve(path), 'utf8'))
  } catch (cause) {
    throw new ConfigError(`Cannot read genesis configuration ${path}.`, { cause, input: path })
  }
  const result = genesisConfigSchema.safeParse(interpolateEnv(json, env))
  if (!result.success)
    throw new ConfigError(`Invalid genesis configuration (${path}).`, {
      metaMessages: result.error.issues.map((i) => `- ${i.path.join('.') || '(root)'}: ${i.message}`),
      input: path,
    })
  return result.data
}

export type GenesisParametersFromConfigReturnType = {
  parameters: BuildKeystoreGenesisParameters
  /** Predeploys left out because their contract has no artifact yet (or depends on one that has none). */
  skipped: { name: string; reason: string }[]
}

/**
 * Resolves a genesis configuration into {@link buildKeystoreGenesis} parameters: each predeploy's
 * creation code from contracts/generated with its constructor arguments encoded
 * (`{ "predeploy": "L1Blocks" }` → that predeploy's address, `{ "param": "x" }` → `params.x`).
 * A predeploy whose contract is not built yet is skipped with a reason, like the deploy plan.
 *
 * @throws {ConfigError} for an unknown param or predeploy reference, a missing
 *   `l1CrossDomainMessenger`, or arguments that do not fit the constructor.
 * @example
 * const { parameters } = genesisParametersFromConfig(loadGenesisConfig(), { l1CrossDomainMessenger })
 * const { alloc } = await buildKeystoreGenesis(parameters)
 */
export function genesisParametersFromConfig(
  config: GenesisConfig,
  options: {
    l1CrossDomainMessenger?: Hex | undefined
    params?: Record<string, string | number | boolean> | undefined
    /** Artifact lookup; default contracts/generated. */
    findArtifact?: ((name: string) => Pick<Artifact, 'abi' | 'bytecode'> | undefined) | undefined
  } = {},
): GenesisParametersFromConfigReturnType {
  const l1CrossDomainMessenger =
    options.l1CrossDomainMessenger ?? (config.l1CrossDomainMessenger as Hex | undefined)
  if (!l1CrossDomainMessenger)
    throw new ConfigError('The genesis needs the L1CrossDomainMessenger address.', {
      details: 'set l1CrossDomainMessenger in the genesis configuration or pass it in',
    })
  const lookup = options.findArtifact ?? findArtifact
  const params = { ...config.params, ...options.params }
  const addresses = new Map<string, Hex>([
    ['L1Block', '0x4200000000000000000000000000000000000015'],
    ['L2ToL1MessagePasser', '0x4200000000000000000000000000000000000016'],
    ['L2CrossDomainMessenger', '0x4200000000000000000000000000000000000007'],
  ])
  for (const p of config.predeploys) addresses.set(p.name, p.address as Hex)
  for (const p of config.predeploys)
    for (const [i, arg] of p.args.entries()) {
      if (typeof arg !== 'object') continue
      if ('param' in arg && !(arg.param in params))
        throw new ConfigError(`predeploys.${p.name}.args.${i}: unknown param "${arg.param}".`)
      if ('predeploy' in arg && !addresses.has(arg.predeploy))
        throw new ConfigError(`predeploys.${p.name}.args.${i}: unknown predeploy "${arg.predeploy}".`)
    }
  // Skip predeploys without an artifact, then (to a fixed point) those referring to a skipped one.
  const skipped = new Map<string, string>()
  for (const p of config.predeploys)
    if (!lookup(p.artifact ?? p.name))
      skipped.set(p.name, `no artifact ${p.artifact ?? p.name} (run npm run build:contracts?)`)
  for (let changed = true; changed; ) {
    changed = false
    for (const p of config.predeploys) {
      if (skipped.has(p.name)) continue
      const ref = p.args.find((a) => typeof a === 'object' && 'predeploy' in a && skipped.has(a.predeploy))
      if (ref) {
        skipped.set(p.name, `depends on ${(ref as { predeploy: string }).predeploy}, which is skipped`)
        changed = true
      }
    }
  }
  const predeploys: NonNullable<BuildKeystoreGenesisParameters['predeploys']>[number][] = []
  for (const p of config.predeploys) {
    const artifact = lookup(p.artifact ?? p.name)
    if (!artifact || skipped.has(p.name)) continue
    const args = p.args.map((arg, i) => {
      if (typeof arg !== 'object') return arg
      if ('param' in arg) {
        if (!(arg.param in params))
          throw new ConfigError(`predeploys.${p.name}.args.${i}: unknown param "${arg.param}".`)
        return params[arg.param]
      }
      const address = addresses.get(arg.predeploy)
      if (!address)
        throw new ConfigError(`predeploys.${p.name}.args.${i}: unknown predeploy "${arg.predeploy}".`)
      return address
    })
    let initCode: Hex
    try {
      initCode = encodeDeployData({ abi: artifact.abi as Abi, bytecode: artifact.bytecode, args })
    } catch (cause) {
      throw new ConfigError(`predeploys.${p.name}: the arguments do not fit the constructor.`, { cause })
    }
    predeploys.push({
      name: p.name,
      address: p.address as Hex,
      initCode,
      abi: artifact.abi as Abi,
      ...(p.keepConstructorStorage !== undefined ? { keepConstructorStorage: p.keepConstructorStorage } : {}),
    })
  }
  return {
    parameters: {
      l1CrossDomainMessenger,
      chainId: config.chainId,
      timestamp: BigInt(config.timestamp),
      predeploys,
      balances: Object.fromEntries(Object.entries(config.balances).map(([a, wei]) => [a, BigInt(wei)])),
    },
    skipped: [...skipped].map(([name, reason]) => ({ name, reason })),
  }
}
