/**
 * Foundry's `cast`, as shipped by the platform package of `@foundry-rs/cast` (the binary itself,
 * not the npm wrapper, like {@link anvilBinary}). Tests drive the keystore node's JSON-RPC through
 * it to prove that a standard Ethereum CLI works unmodified.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { RollupError } from '../shared/errors.js'

const PLATFORMS: Record<string, string> = {
  'linux-x64': 'linux-amd64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-amd64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-amd64',
}

export class CastError extends RollupError {
  override name = 'CastError'
  readonly exitCode: number | null
  readonly stderr: string
  constructor(message: string, parameters: { exitCode: number | null; stderr: string; args: string[] }) {
    super(message, {
      details: parameters.stderr.trim().split('\n').slice(-3).join(' | '),
      input: parameters.args,
    })
    this.exitCode = parameters.exitCode
    this.stderr = parameters.stderr
  }
}

/**
 * @returns The path of the cast binary (`CAST_BIN` overrides it).
 * @throws {RollupError} when the platform package is not installed.
 * @example
 * execFileSync(castBinary(), ['chain-id', '--rpc-url', url])
 */
export function castBinary(): string {
  if (process.env.CAST_BIN) return process.env.CAST_BIN
  const platform = PLATFORMS[`${process.platform}-${process.arch}`]
  if (!platform) throw new RollupError(`No cast binary for ${process.platform}-${process.arch}.`)
  const require = createRequire(import.meta.url)
  try {
    const pkg = require.resolve(`@foundry-rs/cast-${platform}/package.json`)
    const binary = join(dirname(pkg), 'bin', process.platform === 'win32' ? 'cast.exe' : 'cast')
    if (existsSync(binary)) return binary
  } catch {
    // fall through
  }
  throw new RollupError('The cast binary is not installed.', {
    details: `install @foundry-rs/cast (npm ci) or set CAST_BIN; looked for @foundry-rs/cast-${platform}`,
  })
}

/**
 * Runs cast with `args` and resolves with its trimmed stdout.
 *
 * @throws {CastError} when cast exits non-zero (stderr in `details`) or times out.
 * @example
 * const chainId = await runCast(['chain-id', '--rpc-url', node.rpcUrl])
 */
export function runCast(args: string[], options: { timeoutMs?: number | undefined } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      castBinary(),
      args,
      {
        timeout: options.timeoutMs ?? 15_000,
        env: { ...process.env, NO_COLOR: '1', FOUNDRY_DISABLE_NIGHTLY_WARNING: '1' },
      },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new CastError(`cast ${args[0]} failed.`, {
              exitCode: typeof error.code === 'number' ? error.code : null,
              stderr: String(stderr || error.message),
              args,
            }),
          )
        else resolve(String(stdout).trim())
      },
    )
  })
}
