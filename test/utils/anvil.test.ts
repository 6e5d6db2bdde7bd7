import { createClient, http } from 'viem'
import { getChainId } from 'viem/actions'
import { describe, expect, test } from 'vitest'
import { startAnvil } from './anvil.js'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('startAnvil', () => {
  test('starts chains on free ports and stops them without orphans', async () => {
    const [a, b] = await Promise.all([startAnvil({ chainId: 900 }), startAnvil({ chainId: 901 })])
    try {
      expect(a.port).not.toBe(b.port)
      expect(await getChainId(createClient({ transport: http(a.rpcUrl) }))).toBe(900)
      expect(await getChainId(createClient({ transport: http(b.rpcUrl) }))).toBe(901)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
    expect(alive(a.pid)).toBe(false)
    expect(alive(b.pid)).toBe(false)
    await a.stop() // idempotent
  })

  test('reports a failed start with anvil output', async () => {
    const error = await startAnvil({ args: ['--no-such-flag'] }).then(
      () => null,
      (e: Error) => e,
    )
    expect(error?.message).toMatch(/exited during startup/)
    expect(error?.message).toMatch(/no-such-flag/) // anvil's own complaint reaches the caller
  })
})
