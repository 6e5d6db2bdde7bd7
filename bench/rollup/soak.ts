/**
 * `npm run bench:soak`: memory of the keystore node under a long stream of key updates.
 * `updates` real `updateKey` transactions (signed in chunks as needed) go over JSON-RPC to the
 * node in its own process (LevelDB, blocks on the 1 s slot schedule, L1SLOAD proven against the
 * anvil L1) as fast as it includes them, with at most `inFlight` sent and not yet in a block (the
 * pool stays bounded, so what grows, if anything, is the node). The node's RSS is sampled every
 * `sampleSeconds` and at each tenth of the run, with the block count.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseGwei } from 'viem'
import { startKeystoreBenchL1, waitForBindings } from './fixture.js'
import { createSender } from './load.js'
import { type MemorySample, startNodeProcess } from './nodeProcess.js'
import { signUpdates } from './signer.js'

export type SoakOptions = {
  updates: number
  accounts: number
  /** Sent and not yet included, at most. */
  inFlight: number
  sampleSeconds: number
  gasLimit: number
  /** Stop sending after this many minutes (0: no limit); the figures then cover the updates done. */
  maxMinutes: number
  /** V8/Node flags for the node process (e.g. --max-semi-space-size=64). */
  nodeFlags?: string[] | undefined
}

export const DEFAULT_SOAK: SoakOptions = {
  updates: 1_000_000,
  accounts: 2000,
  inFlight: 400,
  sampleSeconds: 30,
  gasLimit: 200_000_000,
  maxMinutes: 0,
  // Samples after a full collection: heapUsed is then the live set.
  nodeFlags: ['--expose-gc'],
}

export type SoakSample = MemorySample & { updates: number; seconds: number }

export async function benchSoak(log: (line: string) => void, options: Partial<SoakOptions> = {}) {
  const o = { ...DEFAULT_SOAK, ...options }
  const say = (line: string) => log(`soak: ${line}`)
  const l1 = await startKeystoreBenchL1({
    accounts: o.accounts,
    configure: (config) => {
      config.keystore!.systemConfig.gasLimit = o.gasLimit
    },
    log: say,
  })
  const dataDir = mkdtempSync(join(tmpdir(), 'keystore-soak-'))
  try {
    const node = await startNodeProcess({
      inputs: l1.inputs,
      l1RpcUrl: l1.devnet.rpcUrls.l1!,
      confirmations: l1.config.keystore!.originLag,
      dataDir,
      blockGasLimit: BigInt(o.gasLimit),
      execArgv: o.nodeFlags,
    })
    try {
      let included = 0
      let blocks = 0
      let wake: (() => void) | undefined
      node.onBlock((b) => {
        included += b.hashes.length
        blocks++
        wake?.()
      })
      await waitForBindings(node.rpcUrl, l1.accounts[0]!)
      const startBlocks = blocks
      const samples: SoakSample[] = []
      const t0 = performance.now()
      const seconds = () => (performance.now() - t0) / 1000
      const sample = async () => {
        const m = await node.memory()
        const s = { ...m, updates: included, seconds: seconds() }
        samples.push(s)
        return s
      }
      const first = await sample()
      say(`node rss ${mb(first.rss)} MB at start (head ${first.head})`)
      const timer = setInterval(() => void sample(), o.sampleSeconds * 1000)
      const tenth = Math.max(1, Math.floor(o.updates / 10))
      let nextMark = tenth
      let estimated = false
      const chunk = 10_000
      const sender = createSender({ rpcUrl: node.rpcUrl, connections: 16 })
      // In flight = handed to the sender (queued behind its account's previous one, or sent) and
      // neither rejected nor in a block yet.
      let submitted = 0
      const inFlight = () => submitted - included - rejectedCount()
      const rejectedCount = () => Object.values(sender.stats.rejected).reduce((n, v) => n + v, 0)
      let reported = 0
      const deadline = o.maxMinutes > 0 ? o.maxMinutes * 60 : Number.POSITIVE_INFINITY
      let stopped = false
      try {
        for (let first = 0; first < o.updates && !stopped; first += chunk) {
          const txs = signUpdates({
            accounts: l1.accounts,
            key: l1.key,
            oldValue: l1.value,
            count: Math.min(chunk, o.updates - first),
            first,
            gas: 200_000n,
            maxFeePerGas: parseGwei('1000'),
            maxPriorityFeePerGas: 1n,
            tag: 'soak',
          })
          for (const tx of txs) {
            if (seconds() > deadline) {
              stopped = true
              say(`--max-minutes ${o.maxMinutes} reached: stopping at ${submitted} updates sent`)
              break
            }
            while (inFlight() >= o.inFlight)
              await new Promise<void>((r) => {
                wake = r
              })
            submitted++
            void sender.send(tx)
            while (included >= nextMark && nextMark <= o.updates) {
              const s = await sample()
              say(
                `${included} updates in ${blocks - startBlocks} blocks, ${s.seconds.toFixed(0)} s: rss ${mb(s.rss)} MB, heap ${mb(s.heapUsed)} MB`,
              )
              nextMark += tenth
            }
            if (!estimated && included >= Math.min(20_000, o.updates / 10)) {
              estimated = true
              const rate = included / seconds()
              say(
                `${rate.toFixed(0)} updates/s: ${o.updates} updates take about ${(o.updates / rate / 60).toFixed(0)} min in all`,
              )
            }
            if (rejectedCount() > reported) {
              reported = rejectedCount()
              say(`rejected so far: ${JSON.stringify(sender.stats.rejected)}`)
            }
          }
        }
        while (included + rejectedCount() < submitted)
          await new Promise<void>((r) => {
            wake = r
          })
      } finally {
        clearInterval(timer)
        sender.close()
      }
      const last = await sample()
      const total = seconds()
      say(
        `${included} updates in ${blocks - startBlocks} blocks over ${(total / 60).toFixed(1)} min (${(included / total).toFixed(0)}/s): rss ${mb(last.rss)} MB`,
      )
      // Tenths of the updates actually done (fewer than asked if --max-minutes stopped the run).
      const at = (fraction: number) =>
        samples.find((s) => s.updates >= fraction * included) ?? (last as SoakSample)
      const figures: Record<string, number> = {
        'rollup.rss_mb': mb(last.rss),
        'rollup.soak.updates': included,
        'rollup.soak.updates_asked': o.updates,
        'rollup.soak.max_minutes': o.maxMinutes,
        'rollup.soak.blocks': blocks - startBlocks,
        'rollup.soak.minutes': Math.round((total / 60) * 10) / 10,
        'rollup.soak.updates_per_s': Math.round(included / total),
        'rollup.soak.rss_mb.start': mb(first.rss),
        'rollup.soak.rss_mb.max': mb(Math.max(...samples.map((s) => s.rss))),
        ...(last.rssAnon !== undefined && last.rssFile !== undefined
          ? { 'rollup.soak.rss_anon_mb': mb(last.rssAnon), 'rollup.soak.rss_file_mb': mb(last.rssFile) }
          : {}),
        'rollup.soak.heap_total_mb': mb(last.heapTotal),
        'rollup.soak.heap_mb': mb(last.heapUsed),
        'rollup.soak.heap_mb.max': mb(Math.max(...samples.map((s) => s.heapUsed))),
      }
      // The sample at (or just after) each tenth of the updates: RSS, live heap, chain height.
      for (let k = 1; k <= 10; k++) {
        const s = at(k / 10)
        figures[`rollup.soak.rss_mb.at_${k * 10}pct`] = mb(s.rss)
        figures[`rollup.soak.heap_mb.at_${k * 10}pct`] = mb(s.heapUsed)
        if (s.rssAnon !== undefined) figures[`rollup.soak.rss_anon_mb.at_${k * 10}pct`] = mb(s.rssAnon)
        figures[`rollup.soak.head.at_${k * 10}pct`] = Number(s.head)
      }
      return {
        figures,
        samples,
      }
    } finally {
      await node.stop()
    }
  } finally {
    await l1.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20)
}
