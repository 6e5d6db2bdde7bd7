import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'
import { type Anvil, AnvilStartError, getFreePort, startAnvil } from './anvil.js'
import { liveChildPids } from './processes.js'

/** Whether `pid` is a running process (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (predicate()) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return predicate()
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return ((await res.json()) as { result: unknown }).result
}

const started: Anvil[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.stop()))
})

describe('startAnvil', () => {
  test('starts the binary on loopback with the chain id, and stop() kills it', async () => {
    const anvil = await startAnvil({ name: 'l2x', chainId: 902, port: await getFreePort(), optimism: true })
    started.push(anvil)
    expect(anvil.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await rpc(anvil.rpcUrl, 'eth_chainId')).toBe('0x386')
    expect(alive(anvil.pid)).toBe(true)
    expect(liveChildPids()).toContain(anvil.pid)
    // the process is the anvil binary itself, not the npm wrapper
    expect(readFileSync(`/proc/${anvil.pid}/cmdline`, 'utf8')).toMatch(/anvil-[a-z0-9-]+\/bin\/anvil\0/)
    await anvil.stop()
    expect(alive(anvil.pid)).toBe(false)
    expect(anvil.running()).toBe(false)
    expect(liveChildPids()).not.toContain(anvil.pid)
    await anvil.stop() // idempotent
  })

  test('mines on an interval with --block-time', async () => {
    const anvil = await startAnvil({ chainId: 900, port: await getFreePort(), blockTime: 0.2 })
    started.push(anvil)
    await new Promise((r) => setTimeout(r, 700))
    expect(Number(await rpc(anvil.rpcUrl, 'eth_blockNumber'))).toBeGreaterThanOrEqual(2)
  })

  test('a port in use fails fast with the reason, leaving no process', async () => {
    const port = await getFreePort()
    const first = await startAnvil({ chainId: 900, port })
    started.push(first)
    const before = liveChildPids().length
    const error = await startAnvil({ chainId: 901, port }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AnvilStartError)
    expect((error as Error).message).toMatch(/exited during startup[\s\S]*Address already in use/)
    expect(liveChildPids().length).toBe(before)
  })

  test('a missing binary is a clear error', async () => {
    await expect(startAnvil({ chainId: 900, port: 1, binary: '/nonexistent/anvil' })).rejects.toThrow(
      /Could not start anvil/,
    )
  })
})

describe('no orphans', () => {
  const fixture = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/anvilChild.ts')

  async function runChild(mode: string): Promise<{ anvilPid: number; child: ReturnType<typeof spawn> }> {
    const port = await getFreePort()
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, String(port), mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const anvilPid = await new Promise<number>((resolve, reject) => {
      let out = ''
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
        const line = out.split('\n')[0]
        if (out.includes('\n') && line) resolve(Number(line))
      })
      child.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)))
    })
    return { anvilPid, child }
  }

  for (const mode of ['exit', 'crash'] as const)
    test(`anvil dies when its parent process ${mode === 'exit' ? 'exits' : 'crashes'}`, async () => {
      const { anvilPid, child } = await runChild(mode)
      await new Promise((r) => child.once('exit', r))
      expect(await until(() => !alive(anvilPid))).toBe(true)
    })

  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    test(`anvil dies when its parent gets ${signal}`, async () => {
      const { anvilPid, child } = await runChild('wait')
      expect(alive(anvilPid)).toBe(true)
      child.kill(signal)
      await new Promise((r) => child.once('exit', r))
      expect(await until(() => !alive(anvilPid))).toBe(true)
    })
})
