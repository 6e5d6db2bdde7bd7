/** Renders BENCHMARKS.md from bench/results.json figures. Every number comes from the run. */

type Row = {
  key: string
  what: string
  unit: string
  baseline?: string
  /** Returns whether the target is met, given all results. */
  target?: { text: string; met: (r: Record<string, number>) => boolean }
}

const ROWS: Row[] = [
  {
    key: 'read.cold.gas',
    what: 'Sync one key on an L2, cold: 9-node account proof + storage proof of a 1M-key trie, cache writes included',
    unit: 'gas',
    baseline: 'read.cold.baseline.gas',
    target: {
      text: '≤ 1/3 of OP SecureMerkleTrie',
      met: (r) => r['read.cold.gas']! * 3 <= r['read.cold.baseline.gas']!,
    },
  },
  {
    key: 'read.cold.baseline.gas',
    what: 'OP SecureMerkleTrie (contracts-bedrock) verifying the same two proofs, no caching',
    unit: 'gas',
  },
  {
    key: 'read.cold.calldata_bytes',
    what: 'Calldata of that cold sync (packed proofs)',
    unit: 'bytes',
    baseline: 'read.cold.baseline.calldata_bytes',
  },
  {
    key: 'read.cold.baseline.calldata_bytes',
    what: 'Calldata of the baseline call (bytes[] proofs)',
    unit: 'bytes',
  },
  {
    key: 'read.warm.gas',
    what: 'Read another key at the same L1 block: `loadKeyWithProof`, storage proof against the cached storage root, nothing written',
    unit: 'gas',
    target: { text: '≤ 15,000', met: (r) => r['read.warm.gas']! <= 15_000 },
  },
  {
    key: 'read.warm.sync.gas',
    what: 'Sync (cache) that other key: storage proof + two new storage words for a full-width value (2 × 22,100 of it is SSTORE)',
    unit: 'gas',
  },
  {
    key: 'verify.ts.us',
    what: 'TypeScript: verify the same 9-node account proof + storage proof',
    unit: 'µs',
    baseline: 'verify.baseline.us',
    target: {
      text: '≥ 4× faster than @ethereumjs/mpt',
      met: (r) => r['verify.baseline.us']! >= 4 * r['verify.ts.us']!,
    },
  },
  { key: 'verify.baseline.us', what: '@ethereumjs/mpt verifyMerkleProof, same proofs', unit: 'µs' },
  {
    key: 'devnet.ready.s',
    what: 'Devnet start (3 anvils, L1Block, deploys, feeder) to ready, contracts already built',
    unit: 's',
    target: { text: '≤ 15', met: (r) => r['devnet.ready.s']! <= 15 },
  },
  {
    key: 'sync.l1_to_l2.s',
    what: 'L1 key write sent → value proven readable on both l2a and l2b (median)',
    unit: 's',
  },
  { key: 'sync.l1_to_l2.max.s', what: 'Same, slowest sample', unit: 's' },
]

export function renderBenchmarks(results: Record<string, number>, machine: Record<string, string>): string {
  const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'))
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts) together with `bench/results.json`; do not edit by hand.',
    `Machine: ${machine.cpus}, ${machine.memory}, Node ${machine.node}; ${machine.date}, commit ${machine.commit}.`,
    '',
    '| figure | what | value | baseline (same run) | target | met |',
    '|---|---|---:|---:|---|:---:|',
  ]
  for (const row of ROWS) {
    const value = results[row.key]
    if (value === undefined) continue
    const baseline = row.baseline ? `${fmt(results[row.baseline])} ${row.unit}` : ''
    const met = row.target ? (safeMet(row.target.met, results) ? 'yes' : '**no**') : ''
    lines.push(
      `| \`${row.key}\` | ${row.what} | ${fmt(value)} ${row.unit} | ${baseline} | ${row.target?.text ?? ''} | ${met} |`,
    )
  }
  const known = new Set(ROWS.map((r) => r.key))
  const other = Object.keys(results).filter((k) => !known.has(k))
  if (other.length) {
    lines.push('', '| other figure | value |', '|---|---:|')
    for (const k of other) lines.push(`| \`${k}\` | ${fmt(results[k])} |`)
  }
  lines.push(
    '',
    '## How these are measured',
    '',
    '- **Gas** (`bench/gas.ts`): a fresh anvil L2 with the genuine OP `L1Block`, our `L1Blocks` and',
    '  `L2Keystore`. Mainnet-shaped proofs are synthesized (full 16-child branch nodes down to the leaf,',
    '  valid for the synthesized roots) for the real key slots; a header carrying the synthesized state',
    '  root is made the L1 origin (depositor → `L1Block`) and submitted to `L1Blocks`. Execution gas is',
    '  read through `GasMeter`: a CALL to the target minus the same CALL (same calldata) to an address',
    '  without code, i.e. the gas a transaction sent straight to the target spends beyond its intrinsic',
    '  gas, for ours and the baseline alike (calldata cost is reported separately, in bytes). Ours includes',
    "  writing the cache (storage root, value, block); the baseline (OP's `SecureMerkleTrie.get` on the",
    '  account proof, then on the storage proof, in `OpTrieBaseline`) only verifies.',
    "  DESIGN §8 quotes ~326k execution gas for OP's trie on a 9 + 2-node pair; on our deeper pair",
    '  (storage proof of a 1M-key trie) and with `bytes[]` decoding included it measures higher here.',
    '  `read.cold.gas` is under a third of either figure.',
    '- **TypeScript verification** (`precompiles/storage-proof/bench.ts`): the same proof shape; ours',
    '  starts from the hex proofs as `eth_getProof` returns them, `@ethereumjs/mpt` from decoded bytes',
    '  with the root passed explicitly. Mean over 2,000 iterations after warm-up.',
    '- **Devnet** (`bench/devnet.ts`): `startDevnet()` with `node-config/devnet.json` on free ports,',
    '  then the demo three times; each L1 write (update, clear) is one latency sample. Default settings:',
    '  L1 blocks every 2 s, L2 blocks every 1 s, L1 origin lagging the L1 head by 2 blocks, so most of',
    '  the time is waiting for L1 blocks, as on a real OP chain.',
    '',
  )
  return lines.join('\n')
}

function safeMet(f: (r: Record<string, number>) => boolean, r: Record<string, number>): boolean {
  try {
    return f(r)
  } catch {
    return false
  }
}
