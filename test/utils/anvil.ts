/**
 * Starts a throw-away anvil chain for tests: the real binary (not the npm wrapper, so stopping it
 * by PID leaves no orphan), on a free loopback port chosen by the OS (`--port 0`).
 *
 * @example
 * const anvil = await startAnvil({ chainId: 900 })
 * const client = createPublicClient({ transport: http(anvil.rpcUrl) })
 * // ...
 * await anvil.stop()
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export type StartAnvilOptions = {
  /** Chain id (anvil's default is 31337). */
  chainId?: number | undefined
  /** EVM hardfork, e.g. `'cancun'`, `'prague'` (anvil's default: latest). */
  hardfork?: string | undefined
  /** Interval mining in seconds (default: mine on every transaction). */
  blockTime?: number | undefined
  /** Loopback address to listen on. Default `127.0.0.1`. */
  host?: string | undefined
  /** Port; `0` (the default) lets the OS pick a free one. */
  port?: number | undefined
  /** More command-line arguments, passed verbatim. */
  args?: readonly string[] | undefined
  /** Path of the anvil binary. Default: `$ANVIL_BIN`, else the @foundry-rs/anvil platform package. */
  binary?: string | undefined
  /** How long to wait for anvil to listen. Default 30 s. */
  timeoutMs?: number | undefined
}

export type Anvil = {
  /** `http://host:port`. */
  rpcUrl: string
  port: number
  pid: number
  /** Stops this anvil (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. */
  stop: () => Promise<void>
}

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
}

/** Locates the anvil binary shipped by the npm package for this platform. */
export function anvilBinary(): string {
  if (process.env.ANVIL_BIN) return process.env.ANVIL_BIN
  const pkg = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`]
  if (!pkg)
    throw new Error(
      `startAnvil: no @foundry-rs/anvil package for ${process.platform}-${process.arch}; set ANVIL_BIN`,
    )
  const require = createRequire(import.meta.url)
  const binary = join(
    dirname(require.resolve(`${pkg}/package.json`)),
    'bin',
    process.platform === 'win32' ? 'anvil.exe' : 'anvil',
  )
  if (!existsSync(binary))
    throw new Error(`startAnvil: ${binary} not found; reinstall @foundry-rs/anvil or set ANVIL_BIN`)
  return binary
}

/**
 * Starts anvil and resolves once it accepts connections.
 *
 * @param options - {@link StartAnvilOptions}
 * @returns The RPC URL, port, PID and a `stop()` function.
 */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const host = options.host ?? '127.0.0.1'
  const args = ['--host', host, '--port', String(options.port ?? 0)]
  if (options.chainId !== undefined) args.push('--chain-id', String(options.chainId))
  if (options.hardfork !== undefined) args.push('--hardfork', options.hardfork)
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime))
  args.push(...(options.args ?? []))

  const child = spawn(options.binary ?? anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  // Never leave a chain running when the test process exits abruptly.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)

  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`did not start within ${options.timeoutMs ?? 30_000} ms`),
      options.timeoutMs ?? 30_000,
    )
    const fail = (reason: string) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      process.removeListener('exit', killOnExit)
      reject(new Error(`startAnvil: anvil ${reason}.\n${args.join(' ')}\n${output.slice(-2000)}`))
    }
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Listening on [^\s]*:(\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        child.removeListener('exit', onExit)
        resolve(Number(match[1]))
      }
    }
    const onExit = (code: number | null, signal: string | null) =>
      fail(`exited early (code ${code}, signal ${signal})`)
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('error', (error) => fail(`could not be spawned: ${error.message}`))
    child.once('exit', onExit)
  })
  // Keep draining anvil's request log so a full pipe never blocks it.
  child.stdout!.removeAllListeners('data')
  child.stdout!.resume()
  child.stderr!.resume()

  return {
    rpcUrl: `http://${host}:${port}`,
    port,
    pid: child.pid!,
    stop: () => stopChild(child).finally(() => process.removeListener('exit', killOnExit)),
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
