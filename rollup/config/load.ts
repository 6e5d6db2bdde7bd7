import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RollupError } from '../shared/errors.js'
import { type Config, configSchema } from './schema.js'

/** node-config/ at the repository root. */
export const NODE_CONFIG_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../node-config')
/** The devnet configuration used when none is given. */
export const DEFAULT_CONFIG_PATH = join(NODE_CONFIG_DIR, 'devnet.json')

export class ConfigError extends RollupError {
  override name = 'ConfigError'
}

/**
 * Replaces `${VAR}` in every string of `value` with the environment variable (presets keep RPC
 * URLs and keys out of the file this way).
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      const v = env[name]
      if (v === undefined || v === '')
        throw new ConfigError(`Environment variable ${name} is not set.`, {
          details: `needed by ${path.join('.') || 'the configuration'}`,
        })
      return v
    })
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, [...path, String(i)]))
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, [...path, k])]),
    )
  return value
}

/**
 * Validates a configuration object.
 *
 * @param input the parsed JSON.
 * @param source where it came from (for error messages).
 * @returns The configuration with defaults applied.
 * @throws ConfigError listing every problem with its path.
 * @example
 * const config = parseConfig(JSON.parse(text), 'node-config/devnet.json')
 */
export function parseConfig(
  input: unknown,
  source = 'configuration',
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const result = configSchema.safeParse(interpolateEnv(input, env))
  if (!result.success)
    throw new ConfigError(`Invalid configuration (${source}).`, {
      metaMessages: result.error.issues.map((i) => `- ${i.path.join('.') || '(root)'}: ${i.message}`),
      input: source,
    })
  return result.data
}

/**
 * Reads and validates a configuration file.
 *
 * @param path JSON file; default node-config/devnet.json.
 * @returns The validated configuration.
 * @throws ConfigError when the file is missing, not JSON, or invalid.
 * @example
 * const config = loadConfig('node-config/devnet.json')
 */
export function loadConfig(path: string = DEFAULT_CONFIG_PATH, env: NodeJS.ProcessEnv = process.env): Config {
  const file = resolve(path)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError(`Cannot read configuration ${path}.`, { cause: error, input: path })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ConfigError(`Configuration ${path} is not valid JSON.`, { cause: error, input: path })
  }
  return parseConfig(json, path, env)
}

/** The names of all chains, L1 first. */
export function chainNames(config: Config): string[] {
  return ['l1', ...Object.keys(config.l2s)]
}

/** The RPC URL of a chain: its `rpcUrl`, or the devnet's loopback address for its port. */
export function chainRpcUrl(config: Config, name: string): string {
  const chain = name === 'l1' ? config.l1 : config.l2s[name]
  if (!chain)
    throw new ConfigError(`Unknown chain "${name}".`, { details: `known: ${chainNames(config).join(', ')}` })
  return chain.rpcUrl ?? `http://127.0.0.1:${chain.port}`
}
