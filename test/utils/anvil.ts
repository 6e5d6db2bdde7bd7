/**
 * A throw-away anvil chain for library tests: `rollup/devnet/anvil.ts` (the real binary, stopped
 * by PID with no orphan left) with test defaults — a free loopback port, chain id 31337, a block
 * per transaction.
 *
 * @example
 * const anvil = await startAnvil({ chainId: 900 })
 * const client = createPublicClient({ transport: http(anvil.rpcUrl) })
 * // ...
 * await anvil.stop()
 */
import {
  type Anvil,
  type AnvilParameters,
  getFreePort,
  startAnvil as start,
} from '../../rollup/devnet/anvil.js'

export type { Anvil }

export type StartAnvilOptions = Partial<Omit<AnvilParameters, 'args'>> & {
  args?: readonly string[] | undefined
}

export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  return start({
    ...options,
    name: options.name ?? 'test',
    chainId: options.chainId ?? 31337,
    port: options.port ?? (await getFreePort()),
    args: options.args ? [...options.args] : undefined,
  })
}
