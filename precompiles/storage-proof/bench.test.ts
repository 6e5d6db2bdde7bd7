import { describe, expect, test } from 'vitest'
import { benchVerify } from './bench.js'

describe('benchVerify', () => {
  test('times both implementations on the same mainnet-shaped pair', async () => {
    const result = await benchVerify({ iterations: 300 })
    expect(result.shape).toEqual({ accountNodes: 9, storageNodes: 6 })
    expect(result.oursUs).toBeGreaterThan(0)
    // The target is ≥ 4× (see the README); a loose bound keeps this test stable on a busy machine.
    expect(result.baselineUs / result.oursUs).toBeGreaterThan(2)
  })
})
