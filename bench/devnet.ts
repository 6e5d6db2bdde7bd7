/**
 * Devnet figures with the devnet's default settings (node-config/devnet.json): time from start
 * to ready, and time from an L1 key write to the value being proven readable on both l2a and l2b
 * (the demo's flow: each sample is one L1 write — an update or a clear — until both L2s hold the
 * proven value).
 */

import { getFreePort, startDevnet } from '../rollup/devnet/index.js'
import { demoContextFromAddresses, runDemo } from '../scripts/demo.js'

export async function benchDevnet(log: (line: string) => void) {
  const ports = { l1: await getFreePort(), l2a: await getFreePort(), l2b: await getFreePort() }
  const started = performance.now()
  const devnet = await startDevnet({ ports, addressesFile: false })
  const readyS = (performance.now() - started) / 1000
  log(`devnet ready in ${readyS.toFixed(1)} s`)
  try {
    const samples: number[] = []
    for (let i = 0; i < 3; i++) {
      const r = await runDemo({ ...demoContextFromAddresses(devnet.addresses), log: () => {} })
      samples.push(...r.latencies)
    }
    samples.sort((a, b) => a - b)
    const median = samples[Math.floor(samples.length / 2)]!
    log(
      `l1 → l2a+l2b: median ${median.toFixed(2)} s over ${samples.length} writes (${samples.map((s) => s.toFixed(2)).join(', ')})`,
    )
    return {
      'devnet.ready.s': Math.round(readyS * 100) / 100,
      'sync.l1_to_l2.s': Math.round(median * 100) / 100,
      'sync.l1_to_l2.max.s': Math.round(samples.at(-1)! * 100) / 100,
    }
  } finally {
    await devnet.stop()
  }
}
