/**
 * `npm run bench`: measures what the issues ask, side by side with the named baselines in the
 * same run, and writes bench/results.json (flat: name → number) and BENCHMARKS.md.
 *
 * Sections: gas of proof reads on an L2 (ours vs OP SecureMerkleTrie), TypeScript proof
 * verification (ours vs @ethereumjs/mpt), devnet start-up and L1 → L2 key-change latency.
 * `npm run bench -- --only gas,verify` runs a subset (other figures keep their previous values).
 */
import { execSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchVerify } from '../precompiles/storage-proof/bench.js'
import { benchDevnet } from './devnet.js'
import { benchGas } from './gas.js'
import { renderBenchmarks } from './report.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const resultsPath = join(root, 'bench/results.json')
const log = (line: string) => console.log(`bench: ${line}`)

const onlyArg = process.argv.find((a) => a.startsWith('--only'))
const only = onlyArg
  ? (onlyArg.split('=')[1] ?? process.argv[process.argv.indexOf(onlyArg) + 1] ?? '').split(',')
  : null
const run = (section: string) => !only || only.includes(section)

const results: Record<string, number> =
  existsSync(resultsPath) && only ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {}

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

const sorted = Object.fromEntries(Object.entries(results).sort(([a], [b]) => a.localeCompare(b)))
writeFileSync(resultsPath, `${JSON.stringify(sorted, null, 2)}\n`)
const machine = {
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
  node: process.version,
  date: new Date().toISOString().slice(0, 10),
  commit: safe(() => execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim()),
}
writeFileSync(join(root, 'BENCHMARKS.md'), renderBenchmarks(sorted, machine))
log(`wrote bench/results.json and BENCHMARKS.md (${Object.keys(sorted).length} figures)`)

function round(n: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

function safe(f: () => string): string {
  try {
    return f()
  } catch {
    return 'unknown'
  }
}
