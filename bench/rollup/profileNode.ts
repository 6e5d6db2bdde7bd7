/**
 * Developer tool, not part of `npm run bench`: the keystore node's CPU per update, in-process.
 * `npx tsx bench/rollup/profileNode.ts [--updates 300] [--rounds 6] [--cpu-prof block.cpuprofile]
 * [--cpu-prof-admission admission.cpuprofile]`
 *
 * The bench L1 (fixture.ts) with `--updates` accounts; a keystore node (sequencer, LevelDB in a
 * temporary directory, no slot schedule: blocks on `produceBlock()`); per round, `--updates`
 * updateKey transactions are admitted (`sendRawTransaction`, in-process) and one block is built
 * with all of them. Prints process CPU time per update for admission and for the block (all
 * threads: LevelDB's and GC's too) and the block's wall time; the minimum over the rounds after
 * the first is the least disturbed by other load. Optionally writes a V8 CPU profile of the last
 * round (open in Chrome DevTools or speedscope).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { parseGwei } from 'viem'
import { createKeystoreChainNode } from '../../rollup/keystore/keystoreChain.js'
import type { StoredBlock } from '../../rollup/node/KeystoreNode.js'
import { blockOrigin } from '../../rollup/node/sequencer.js'
import { startKeystoreBenchL1 } from './fixture.js'
import { signUpdates } from './signer.js'

const opts = new Command()
  .option('--updates <n>', 'updates per block (= accounts)', '300')
  .option('--rounds <n>', 'blocks', '6')
  .option('--cpu-prof <file>', 'CPU profile of the last block')
  .option('--cpu-prof-admission <file>', 'CPU profile of the last admission round')
  .parse()
  .opts<{ updates: string; rounds: string; cpuProf?: string; cpuProfAdmission?: string }>()
const n = Number(opts.updates)
const rounds = Number(opts.rounds)

const cpuMs = () => {
  const c = process.cpuUsage()
  return (c.user + c.system) / 1000
}
const session = new Session()
session.connect()
await session.post('Profiler.enable')
const profiled = async <T>(file: string | undefined, f: () => Promise<T>): Promise<T> => {
  if (file) await session.post('Profiler.start')
  const out = await f()
  if (file) {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(file, JSON.stringify(profile))
  }
  return out
}

const l1 = await startKeystoreBenchL1({ accounts: n, log: (line) => console.log(line) })
const dataDir = mkdtempSync(join(tmpdir(), 'keystore-profile-'))
try {
  const node = await createKeystoreChainNode({
    ...l1.inputs,
    l1: l1.devnet.clients.l1!,
    confirmations: l1.config.keystore!.originLag,
    dataDir,
    blockGasLimit: 1_000_000_000n,
  })
  await node.start()
  while (blockOrigin(node.head).number < l1.setupBlock) {
    await new Promise((r) => setTimeout(r, 1000))
    await node.produceBlock()
  }
  const txs = signUpdates({
    accounts: l1.accounts,
    key: l1.key,
    oldValue: l1.value,
    count: n * rounds,
    gas: 200_000n,
    maxFeePerGas: parseGwei('100'),
    maxPriorityFeePerGas: 1n,
  })
  const rows: { admission: number; block: number; wall: number }[] = []
  for (let round = 0; round < rounds; round++) {
    const last = round === rounds - 1
    const batch = txs.slice(round * n, (round + 1) * n)
    let c = cpuMs()
    await profiled(last ? opts.cpuProfAdmission : undefined, () =>
      Promise.all(batch.map((t) => node.sendRawTransaction(t.raw))),
    )
    const admission = ((cpuMs() - c) * 1000) / n
    c = cpuMs()
    const t = performance.now()
    const block: StoredBlock = await profiled(last ? opts.cpuProf : undefined, () => node.produceBlock())
    const row = { admission, block: ((cpuMs() - c) * 1000) / n, wall: ((performance.now() - t) * 1000) / n }
    rows.push(row)
    const ok = block.receipts.filter((r) => r.type === 2 && r.status === 1).length
    console.log(
      `round ${round}: ${ok}/${n} updates succeeded; µs per update: admission ${row.admission.toFixed(0)} CPU, block ${row.block.toFixed(0)} CPU / ${row.wall.toFixed(0)} wall`,
    )
  }
  const min = (k: 'admission' | 'block' | 'wall') => Math.min(...rows.slice(1).map((r) => r[k])).toFixed(0)
  console.log(
    `min over rounds 1+: admission ${min('admission')} µs CPU, block ${min('block')} µs CPU / ${min('wall')} µs wall`,
  )
  await node.stop()
} finally {
  await l1.stop()
  rmSync(dataDir, { recursive: true, force: true })
  process.exit(0)
}
