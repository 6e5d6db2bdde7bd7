/** bench/results.json (flat: name → number) and BENCHMARKS.md, written together. */
import { execSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderBenchmarks } from './report.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const resultsPath = join(root, 'bench/results.json')

/** Figures only `npm run bench:soak` measures: a full `npm run bench` keeps them. */
export const isSoakFigure = (key: string) => key === 'rollup.rss_mb' || key.startsWith('rollup.soak.')

export function readResults(): Record<string, number> {
  return existsSync(resultsPath)
    ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, number>)
    : {}
}

/**
 * Writes `figures` over the stored ones that `keep` accepts (default: all kept), then renders
 * BENCHMARKS.md from the merged set.
 */
export function writeResults(
  figures: Record<string, number>,
  options: { keep?: ((key: string) => boolean) | undefined } = {},
): Record<string, number> {
  const keep = options.keep ?? (() => true)
  const previous = Object.fromEntries(Object.entries(readResults()).filter(([k]) => keep(k)))
  const merged = { ...previous, ...figures }
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)))
  writeFileSync(resultsPath, `${JSON.stringify(sorted, null, 2)}\n`)
  const machine = {
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    commit: safe(() => execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim()),
  }
  writeFileSync(join(root, 'BENCHMARKS.md'), renderBenchmarks(sorted, machine))
  return sorted
}

function safe(f: () => string): string {
  try {
    return f()
  } catch {
    return 'unknown'
  }
}
