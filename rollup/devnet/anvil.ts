import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { RollupError } from '../shared/errors.js'
import { type Logger, silentLogger } from '../shared/logger.js'
import { registerChild } from './processes.js'

export type AnvilParameters = {
  /** Name used in logs (e.g. `l2a`). */
  name?: string | undefined
  chainId: number
  port: number
  /** Default 127.0.0.1. Use 0.0.0.0 only inside containers. */
  host?: string | undefined
  /** Seconds between blocks (fractions allowed); 0 or undefined = a block per transaction. */
  blockTime?: number | undefined
  /** Start in OP network mode (`--optimism`): deposit transactions, OP receipts. */
  optimism?: boolean | undefined
  hardfork?: string | undefined
  /** More anvil arguments, appended as given. */
  args?: string[] | undefined
  /** The anvil binary. Default: the platform package of @foundry-rs/anvil. */
  binary?: string | undefined
  /** Append anvil's own output here. Default: kept in memory (last 200 lines) only. */
  logFile?: string | undefined
  startTimeoutMs?: number | undefined
  logger?: Logger | undefined
}

export type Anvil = {
  readonly name: string
  readonly chainId: number
  readonly host: string
  readonly port: number
  readonly rpcUrl: string
  readonly pid: number
  /** The last lines anvil printed. */
  output(): string[]
  /** Whether the process is still running. */
  running(): boolean
  /** SIGTERM, then SIGKILL after `graceMs` (default 3000); resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>
}

export class AnvilStartError extends RollupError {
  override name = 'AnvilStartError'
}

const PLATFORMS: Record<string, string> = {
  'linux-x64': 'linux-amd64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-amd64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-amd64',
}

/**
 * The anvil binary shipped by the platform package of `@foundry-rs/anvil` (not the npm `anvil`
 * wrapper, which is a Node process of its own: killing it would leave the real anvil running).
 * `ANVIL_BIN` overrides it.
 */
export function anvilBinary(): string {
  if (process.env.ANVIL_BIN) return process.env.ANVIL_BIN
  const platform = PLATFORMS[`${process.platform}-${process.arch}`]
  if (!platform) throw new AnvilStartError(`No anvil binary for ${process.platform}-${process.arch}.`)
  const require = createRequire(import.meta.url)
  try {
    const pkg = require.resolve(`@foundry-rs/anvil-${platform}/package.json`)
    const binary = join(dirname(pkg), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil')
    if (existsSync(binary)) return binary
  } catch {
    // fall through
  }
  throw new AnvilStartError('The anvil binary is not installed.', {
    details: `install @foundry-rs/anvil (npm ci) or set ANVIL_BIN; looked for @foundry-rs/anvil-${platform}`,
  })
}

/** A TCP port that was free a moment ago on `host`. */
export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** The anvil command line for `parameters` (exported for docker-compose and tests). */
export function anvilArgs(parameters: AnvilParameters): string[] {
  const args = [
    '--host',
    parameters.host ?? '127.0.0.1',
    '--port',
    String(parameters.port),
    '--chain-id',
    String(parameters.chainId),
  ]
  if (parameters.blockTime) args.push('--block-time', String(parameters.blockTime))
  if (parameters.optimism) args.push('--optimism')
  if (parameters.hardfork) args.push('--hardfork', parameters.hardfork)
  args.push(...(parameters.args ?? []))
  return args
}

/**
 * Starts the anvil binary and resolves once it listens and answers JSON-RPC. The process is
 * registered for cleanup: it is killed when this process exits or receives SIGINT/SIGTERM.
 *
 * @param parameters chain id, port, block time, OP mode…
 * @returns A handle with `rpcUrl`, `pid` and `stop()`.
 * @example
 * const l1 = await startAnvil({ name: 'l1', chainId: 900, port: 8545, blockTime: 2 })
 * // …
 * await l1.stop()
 */
export async function startAnvil(parameters: AnvilParameters): Promise<Anvil> {
  const name = parameters.name ?? `anvil-${parameters.chainId}`
  const host = parameters.host ?? '127.0.0.1'
  const logger = (parameters.logger ?? silentLogger).child({ service: 'anvil', chain: name })
  const binary = parameters.binary ?? anvilBinary()
  const args = anvilArgs(parameters)
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid === undefined) {
    // spawn failures (ENOENT, EACCES) surface as an 'error' event with no pid
    const error = await new Promise<Error>((resolve) => child.once('error', resolve))
    throw new AnvilStartError(`Could not start anvil for ${name}.`, { cause: error, input: { binary, args } })
  }
  registerChild(child)
  const pid = child.pid
  const tail: string[] = []
  const file = parameters.logFile ? createWriteStream(parameters.logFile, { flags: 'a' }) : undefined
  let listening = false
  let onListening: (() => void) | undefined
  const collect = (chunk: Buffer) => {
    file?.write(chunk)
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue
      tail.push(line)
      if (tail.length > 200) tail.shift()
      if (!listening && line.includes('Listening on')) {
        listening = true
        onListening?.()
      }
    }
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  exited.then(() => file?.end())

  const rpcUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${parameters.port}`
  const stop = async (graceMs = 3000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    }
    await exited
  }

  const timeoutMs = parameters.startTimeoutMs ?? 15_000
  const started = Date.now()
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AnvilStartError(`anvil for ${name} did not start within ${timeoutMs} ms.`)),
        timeoutMs,
      )
      const fail = () => {
        clearTimeout(timer)
        reject(
          new AnvilStartError(`anvil for ${name} exited during startup.`, {
            details: tail.slice(-20).join(' | ') || `exit code ${child.exitCode}`,
            input: { binary, args },
          }),
        )
      }
      // 'close', not 'exit': it comes after stdout/stderr are drained, so anvil's complaint is in `tail`
      child.once('close', fail)
      onListening = () => {
        clearTimeout(timer)
        child.off('close', fail)
        resolve()
      }
      if (listening) onListening()
    })
    await waitForRpc(rpcUrl, parameters.chainId, Math.max(1000, timeoutMs - (Date.now() - started)))
  } catch (error) {
    await stop(500)
    throw error instanceof AnvilStartError
      ? error
      : new AnvilStartError(`anvil for ${name} does not answer JSON-RPC.`, { cause: error })
  }
  logger.debug('anvil started', { pid, rpcUrl, args: args.join(' '), ms: Date.now() - started })
  return {
    name,
    chainId: parameters.chainId,
    host,
    port: parameters.port,
    rpcUrl,
    pid,
    output: () => [...tail],
    running: () => child.exitCode === null && child.signalCode === null,
    stop,
  }
}

/**
 * Polls `eth_chainId` at `rpcUrl` until it answers `chainId`.
 *
 * @throws AnvilStartError when it does not within `timeoutMs`, or answers another chain id.
 */
export async function waitForRpc(rpcUrl: string, chainId: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(1000),
      })
      const body = (await res.json()) as { result?: string }
      if (body.result !== undefined) {
        if (Number(body.result) !== chainId)
          throw new AnvilStartError(
            `${rpcUrl} answers chain id ${Number(body.result)}, expected ${chainId}.`,
            {
              details: 'another node already listens on this port',
            },
          )
        return
      }
    } catch (error) {
      if (error instanceof AnvilStartError) throw error
      last = error
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new AnvilStartError(`${rpcUrl} did not answer within ${timeoutMs} ms.`, { cause: last })
}
