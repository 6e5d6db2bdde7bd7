/**
 * `npm run bench:soak [-- --updates N --accounts A --in-flight K --sample-seconds S]`: the keystore
 * node's memory over a long run of key updates (bench/rollup/soak.ts). Merges its figures into
 * bench/results.json (other figures kept) and re-renders BENCHMARKS.md. Takes long: it prints an
 * estimate of the total once the rate is known.
 */
import { Command } from 'commander'
import { isSoakFigure, writeResults } from './results.js'
import { benchSoak, DEFAULT_SOAK } from './rollup/soak.js'

const program = new Command()
  .name('bench:soak')
  .option('--updates <n>', 'key updates to send', String(DEFAULT_SOAK.updates))
  .option('--accounts <n>', 'bound EOAs sending them', String(DEFAULT_SOAK.accounts))
  .option('--in-flight <n>', 'sent and not yet in a block, at most', String(DEFAULT_SOAK.inFlight))
  .option(
    '--max-minutes <n>',
    'stop sending after this many minutes (0: none); figures cover what was done',
    '0',
  )
  .option('--sample-seconds <n>', 'seconds between memory samples', String(DEFAULT_SOAK.sampleSeconds))
  .option(
    '--node-flags <flags>',
    'V8/Node flags for the node process, space-separated',
    (DEFAULT_SOAK.nodeFlags ?? []).join(' '),
  )
  .parse()
const opts = program.opts<{
  updates: string
  accounts: string
  inFlight: string
  sampleSeconds: string
  maxMinutes: string
  nodeFlags: string
}>()
const log = (line: string) => console.log(`bench: ${line}`)
const { figures, samples } = await benchSoak(log, {
  updates: Number(opts.updates),
  accounts: Number(opts.accounts),
  inFlight: Number(opts.inFlight),
  sampleSeconds: Number(opts.sampleSeconds),
  maxMinutes: Number(opts.maxMinutes),
  nodeFlags: opts.nodeFlags ? opts.nodeFlags.split(' ') : [],
})
log('samples (after a full GC when the node runs with --expose-gc):')
for (const s of samples)
  log(
    `  ${s.seconds.toFixed(0)} s, ${s.updates} updates, head ${s.head}: rss ${mb(s.rss)} MB, heap ${mb(s.heapUsed)}/${mb(s.heapTotal)} MB, external ${mb(s.external)} MB (array buffers ${mb(s.arrayBuffers)} MB)${s.rssAnon !== undefined ? `, rss anon ${mb(s.rssAnon)} / file ${mb(s.rssFile ?? 0)} MB` : ''}, pool ${s.pending}`,
  )
// The soak's figures replace the previous soak's; every other figure is kept.
writeResults(figures, { keep: (key) => !isSoakFigure(key) })
process.exit(0)

function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20)
}
