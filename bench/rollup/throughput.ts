/**
 * `rollup.updates_per_s` and `rollup.p99_inclusion_ms`: real `KeystoreChainL2Keystore.updateKey`
 * transactions from bound EOAs (each account registered on L1 with l2Rollup = the keystore
 * chain's L2Keystore, its EOA bound for chain 901 through L1Keystore.bindAddress), pre-signed,
 * sent over JSON-RPC at a steady offered rate to the keystore node running in its own process
 * (LevelDB data directory, blocks on its 1 s slot schedule, L1SLOAD of 3 slots per update proven
 * through eth_getProof against the anvil L1).
 *
 * Two runs on the same L1, each on a new chain (fresh node and data directory):
 * - capacity: offered at the target rate (default 1,000/s) for the window (default 60 s); figure:
 *   signed transactions in blocks committed during the window, per second (what the node
 *   sequenced and persisted, whatever it was offered), and the pool left at the end;
 * - latency: offered at 80% of the measured capacity for 30 s; figure: from the client's
 *   acknowledgement of `eth_sendRawTransaction` (the transaction is in the synced pool journal)
 *   to the commit of the block holding it, p50/p99 over the window's transactions. (At an offered
 *   rate above capacity the pool, and so the latency, grows for as long as the run lasts.)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseGwei } from 'viem'
import { type KeystoreBenchL1, startKeystoreBenchL1, waitForBindings } from './fixture.js'
import { runLoad } from './load.js'
import { startNodeProcess } from './nodeProcess.js'
import { signUpdates } from './signer.js'

export type ThroughputOptions = {
  /** Offered updates per second in the capacity run. Default 1000 (the issue's target). */
  rate: number
  /** Measured window of the capacity run, seconds. Default 60. */
  seconds: number
  /** Window of the latency run, seconds. Default 30. */
  latencySeconds: number
  /** Load before each window (JIT, caches), seconds. Default 5. */
  warmupSeconds: number
  /** Accounts (= EOAs) sending. Default 2000. */
  accounts: number
  /** Keystore-chain block gas limit (SystemConfig.gasLimit). Default 200,000,000 (its maximum). */
  gasLimit: number
  /** Extra node flags for the node process (e.g. --cpu-prof). */
  nodeExecArgv?: string[] | undefined
}

export const DEFAULT_THROUGHPUT: ThroughputOptions = {
  rate: 1000,
  seconds: 60,
  latencySeconds: 30,
  warmupSeconds: 5,
  accounts: 2000,
  gasLimit: 200_000_000,
}

type RunResult = {
  sequencedPerS: number
  acceptedPerS: number
  p50: number
  p99: number
  /** Accepted in the window, not included when the run ended. */
  missing: number
  backlog: number
  blocks: number
  maxTxs: number
}

export async function benchThroughput(log: (line: string) => void, options: Partial<ThroughputOptions> = {}) {
  const o = { ...DEFAULT_THROUGHPUT, ...options }
  const say = (line: string) => log(`rollup: ${line}`)
  const l1 = await startKeystoreBenchL1({
    accounts: o.accounts,
    configure: (config) => {
      config.keystore!.systemConfig.gasLimit = o.gasLimit
    },
    log: say,
  })
  try {
    const capacity = await run(
      l1,
      o,
      { rate: o.rate, seconds: o.seconds, drain: false, tag: 'capacity' },
      say,
    )
    say(
      `capacity: ${capacity.sequencedPerS.toFixed(0)} updates/s sequenced and persisted at ${o.rate}/s offered ` +
        `(${capacity.blocks} blocks in ${o.seconds} s, up to ${capacity.maxTxs} txs; accepted ${capacity.acceptedPerS.toFixed(0)}/s; ${capacity.backlog} pooled at the end)`,
    )
    const sustainable = Math.max(10, Math.floor((capacity.sequencedPerS * 0.8) / 10) * 10)
    const latency = await run(
      l1,
      o,
      { rate: sustainable, seconds: o.latencySeconds, drain: true, tag: 'latency' },
      say,
    )
    say(
      `latency at ${sustainable}/s offered: ${latency.sequencedPerS.toFixed(0)}/s sequenced; inclusion p50 ${latency.p50.toFixed(0)} ms, p99 ${latency.p99.toFixed(0)} ms` +
        `${latency.missing ? ` (${latency.missing} accepted never included)` : ''}`,
    )
    return {
      'rollup.updates_per_s': Math.round(capacity.sequencedPerS),
      'rollup.offered_per_s': o.rate,
      'rollup.seconds': o.seconds,
      'rollup.accepted_per_s': Math.round(capacity.acceptedPerS),
      'rollup.backlog_at_end': capacity.backlog,
      'rollup.latency.offered_per_s': sustainable,
      'rollup.p50_inclusion_ms': Math.round(latency.p50),
      'rollup.p99_inclusion_ms': Math.round(latency.p99),
      'rollup.block_gas_limit': o.gasLimit,
      'rollup.accounts': o.accounts,
    }
  } finally {
    await l1.stop()
  }
}

async function run(
  l1: KeystoreBenchL1,
  o: ThroughputOptions,
  r: { rate: number; seconds: number; drain: boolean; tag: string },
  say: (line: string) => void,
): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keystore-bench-'))
  const node = await startNodeProcess({
    inputs: l1.inputs,
    l1RpcUrl: l1.devnet.rpcUrls.l1!,
    confirmations: l1.config.keystore!.originLag,
    dataDir,
    blockGasLimit: BigInt(o.gasLimit),
    execArgv: o.nodeExecArgv,
  })
  try {
    const blocks: { number: bigint; time: number; txs: number; pending: number }[] = []
    const includedAt = new Map<string, number>()
    node.onBlock((b) => {
      blocks.push({ number: b.number, time: b.time, txs: b.hashes.length, pending: b.pending })
      for (const h of b.hashes) includedAt.set(h, b.time)
    })
    await waitForBindings(node.rpcUrl, l1.accounts[0]!)
    const total = Math.round(r.rate * (o.warmupSeconds + r.seconds))
    const signStart = performance.now()
    const txs = signUpdates({
      accounts: l1.accounts,
      key: l1.key,
      oldValue: l1.value,
      count: total,
      gas: 200_000n,
      maxFeePerGas: parseGwei('10000'),
      maxPriorityFeePerGas: 1n,
      tag: r.tag,
    })
    say(
      `${r.tag}: signed ${total} updateKey txs from ${o.accounts} bound EOAs in ${((performance.now() - signStart) / 1000).toFixed(1)} s; offering ${r.rate}/s for ${o.warmupSeconds} + ${r.seconds} s`,
    )
    const warm = Math.round(r.rate * o.warmupSeconds)
    const windowStart = performance.timeOrigin + performance.now() + o.warmupSeconds * 1000
    const windowEnd = windowStart + r.seconds * 1000
    const load = await runLoad({
      rpcUrl: node.rpcUrl,
      txs,
      ratePerSecond: r.rate,
      onSecond: ({ second, sent, accepted }) => {
        if (second % 10 !== 0) return
        const last = blocks.at(-1)
        say(
          `${r.tag}: t=${second}s sent ${sent} accepted ${accepted}; block ${last?.number ?? '-'} (${last?.txs ?? 0} txs), pool ${last?.pending ?? '-'}`,
        )
      },
    })
    const measured = txs.slice(warm).filter((t) => load.acceptedAt.has(t.hash))
    if (r.drain) {
      const deadline = Date.now() + 60_000
      while (measured.some((t) => !includedAt.has(t.hash)) && Date.now() < deadline)
        await new Promise((res) => setTimeout(res, 250))
    }
    const inWindow = blocks.filter((b) => b.time >= windowStart && b.time < windowEnd)
    const latencies = measured
      .filter((t) => includedAt.has(t.hash))
      .map((t) => Math.max(0, (includedAt.get(t.hash) as number) - (load.acceptedAt.get(t.hash) as number)))
      .sort((a, b) => a - b)
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0
    const rejected = Object.entries(load.rejected)
    if (rejected.length) say(`${r.tag}: rejected ${rejected.map(([k, v]) => `${k} ${v}`).join(', ')}`)
    if (load.delayed)
      say(`${r.tag}: ${load.delayed} sends waited for their sender's previous acknowledgement`)
    const lastInWindow = inWindow.at(-1)
    return {
      sequencedPerS: inWindow.reduce((n, b) => n + b.txs, 0) / r.seconds,
      acceptedPerS:
        [...load.acceptedAt.values()].filter((t) => t >= windowStart && t < windowEnd).length / r.seconds,
      p50: pct(0.5),
      p99: pct(0.99),
      missing: measured.length - latencies.length,
      backlog: lastInWindow?.pending ?? 0,
      blocks: inWindow.length,
      maxTxs: Math.max(0, ...inWindow.map((b) => b.txs)),
    }
  } finally {
    await node.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
