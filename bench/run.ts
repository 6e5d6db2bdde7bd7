/**
 * `npm run bench`: measures what the issues ask, side by side with the named baselines in the
 * same run, and writes bench/results.json (flat: name → number) and BENCHMARKS.md.
 *
 * Sections: `gas` (proof reads on an L2, ours vs OP SecureMerkleTrie), `verify` (TypeScript proof
 * verification, ours vs @ethereumjs/mpt), `devnet` (start-up, L1 → L2 key-change latency),
 * `rollup` (keystore-chain updates/s and inclusion latency), `l1gas` and `l1gas-blobs` (L1 gas
 * per keystore-chain update, calldata or blob batches, vs an L1Keystore.updateKey), `e2e` (keystore-chain write → verified on l2a and l2b, by
 * stage). `npm run bench -- --only gas,verify` runs a subset (other figures keep their values);
 * the soak (`npm run bench:soak`) is separate and its figures are always kept.
 * `--rollup-rate <n>` / `--rollup-seconds <n>` change the offered rate and window of `rollup`.
 */
import { benchVerify } from '../precompiles/storage-proof/bench.js'
import { benchDevnet } from './devnet.js'
import { benchGas } from './gas.js'
import { isSoakFigure, writeResults } from './results.js'
import { benchE2EKeystore } from './rollup/e2eKeystore.js'
import { benchL1Gas } from './rollup/l1Gas.js'
import { benchThroughput } from './rollup/throughput.js'

const log = (line: string) => console.log(`bench: ${line}`)

const arg = (name: string): string | undefined => {
  const i = process.argv.findIndex((a) => a === name || a.startsWith(`${name}=`))
  if (i < 0) return undefined
  const a = process.argv[i] as string
  return a.includes('=') ? a.split('=')[1] : process.argv[i + 1]
}
const onlyArg = arg('--only')
const only = onlyArg ? onlyArg.split(',') : null
const run = (section: string) => !only || only.includes(section)

const results: Record<string, number> = {}
const started = performance.now()
if (run('gas')) Object.assign(results, await benchGas(log))
if (run('verify')) {
  const v = await benchVerify({ iterations: 2000 })
  log(
    `verify: ours ${v.oursUs.toFixed(1)} µs vs @ethereumjs/mpt ${v.baselineUs.toFixed(1)} µs (keccak: ${v.keccak})`,
  )
  results['verify.ts.us'] = round(v.oursUs, 1)
  results['verify.baseline.us'] = round(v.baselineUs, 1)
}
if (run('devnet')) Object.assign(results, await benchDevnet(log))
if (run('rollup')) {
  const rate = arg('--rollup-rate')
  const seconds = arg('--rollup-seconds')
  Object.assign(
    results,
    await benchThroughput(log, {
      ...(rate ? { rate: Number(rate) } : {}),
      ...(seconds ? { seconds: Number(seconds) } : {}),
    }),
  )
}
if (run('l1gas')) Object.assign(results, await benchL1Gas(log))
if (run('l1gas-blobs'))
  Object.assign(
    results,
    await benchL1Gas(log, { mode: 'blobs', batcherOptions: { dataAvailability: 'blobs' } }),
  )
if (run('e2e')) Object.assign(results, await benchE2EKeystore(log))

// A subset keeps every other figure; a full run keeps only the soak's (its own command).
const written = writeResults(results, { keep: only ? () => true : isSoakFigure })
log(
  `wrote bench/results.json and BENCHMARKS.md (${Object.keys(written).length} figures) in ${((performance.now() - started) / 60_000).toFixed(1)} min`,
)
process.exit(0)

function round(n: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}
