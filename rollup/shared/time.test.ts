import { describe, expect, test } from 'vitest'
import { runLoop } from './loop.js'
import { backoffDelay, sleep } from './time.js'

describe('backoffDelay', () => {
  test('doubles from the base, capped, with jitter in [0.5, 1)', () => {
    const p = { baseMs: 100, maxMs: 1000 }
    expect(backoffDelay(0, { ...p, random: () => 0 })).toBe(50)
    expect(backoffDelay(0, { ...p, random: () => 0.999 })).toBe(100)
    expect(backoffDelay(3, { ...p, random: () => 0 })).toBe(400)
    expect(backoffDelay(10, { ...p, random: () => 0.999 })).toBe(1000)
    expect(backoffDelay(10_000, { ...p, random: () => 0 })).toBe(500)
  })
})

describe('runLoop', () => {
  test('retries failures with backoff, resets after a success, stops on abort', async () => {
    const controller = new AbortController()
    const results = ['fail', 'fail', 'ok', 'fail', 'stop'] as const
    const attempts: number[] = []
    let i = 0
    await runLoop({
      signal: controller.signal,
      pollIntervalMs: 1,
      backoff: { baseMs: 1, maxMs: 10, random: () => 0 },
      step: async () => {
        const r = results[i++]
        if (r === 'stop') controller.abort()
        if (r === 'fail') throw new Error('boom')
        return 'idle'
      },
      onError: (_e, attempt) => attempts.push(attempt),
    })
    expect(attempts).toEqual([0, 1, 0])
  })

  test('sleep resolves early on abort', async () => {
    const controller = new AbortController()
    const t = Date.now()
    setTimeout(() => controller.abort(), 20)
    await sleep(10_000, controller.signal)
    expect(Date.now() - t).toBeLessThan(1000)
  })
})
