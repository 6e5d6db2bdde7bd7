/**
 * status — the state of a keystore-chain deployment in one command: L1 head, the keystore node's
 * head/safe/finalized and L1 origin, the last batch in the L1 inbox, the latest output in
 * L2OutputOracle (checked against the node), recent withdrawals, and the services' /health.
 * A table for people, `--json` for machines. Exit code 0 when everything answers and agrees,
 * 2 when something is down or wrong, 1 on a usage error.
 *
 *   tsx scripts/status.ts [--addresses node-config/devnet.addresses.json] [--health batcher=http://127.0.0.1:8082/health,…] [--json]
 */
import { Option } from 'commander'
import { createPublicClient, http } from 'viem'
import { chainRpcUrl } from '../rollup/config/load.js'
import { defaultAddressesPath, readAddresses } from '../rollup/deploy/addresses.js'
import { type CheckState, getKeystoreStatus, type KeystoreStatus } from '../rollup/keystore/status.js'
import { RollupError } from '../rollup/shared/errors.js'
import {
  type CommonOptions,
  createCommand,
  keystoreRpcUrl,
  loadCliConfig,
  parseInteger,
  parseKeyValues,
  runMain,
} from './lib/cli.js'

type Options = CommonOptions & {
  addresses?: string
  health?: Record<string, string>
  json?: boolean
  batchScanBlocks: number
  withdrawalScanBlocks: number
  timeout: number
}

const program = createCommand('status', 'Prints the state of a keystore-chain deployment.')
  .addOption(
    new Option(
      '--addresses <path>',
      'addresses file of the deployment (default node-config/<name>.addresses.json)',
    ).env('KEYSTORE_ADDRESSES'),
  )
  .addOption(
    new Option(
      '--health <name=url,...>',
      "services' health endpoints, e.g. batcher=http://127.0.0.1:8082/health",
    )
      .env('STATUS_HEALTH')
      .argParser((v, prev: Record<string, string> | undefined) => parseKeyValues(v, prev)),
  )
  .addOption(new Option('--json', 'print JSON instead of a table').env('STATUS_JSON'))
  .addOption(
    new Option('--batch-scan-blocks <n>', 'L1 blocks read back for the last batch')
      .env('STATUS_BATCH_SCAN_BLOCKS')
      .argParser(parseInteger)
      .default(256),
  )
  .addOption(
    new Option('--withdrawal-scan-blocks <n>', 'L2 blocks read back for withdrawals (0: skip, at most 10000)')
      .env('STATUS_WITHDRAWAL_SCAN_BLOCKS')
      .argParser(parseInteger)
      .default(1000),
  )
  .addOption(
    new Option('--timeout <ms>', 'per request')
      .env('STATUS_TIMEOUT_MS')
      .argParser(parseInteger)
      .default(5000),
  )

const MARK: Record<CheckState, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' }

/** The table: one line per part, `state  part  facts`, and the problem when there is one. */
function formatStatus(s: KeystoreStatus, title: string): string {
  const lines = [title]
  const row = (name: string, c: { state: CheckState; error?: string; note?: string }, facts: string) => {
    const problem = c.error ?? c.note
    lines.push(
      `  ${MARK[c.state]}  ${name.padEnd(12)} ${facts}${problem ? `${facts ? '  — ' : ''}${problem}` : ''}`,
    )
  }
  const ago = (seconds: number) => `${seconds}s ago`
  row(
    'l1',
    s.l1,
    s.l1.head
      ? `${s.l1.rpcUrl}  chain ${s.l1.chainId}  head ${s.l1.head.number} (${ago(s.l1.head.ageSeconds)})`
      : s.l1.rpcUrl,
  )
  const k = s.keystore
  row(
    'keystore',
    k,
    k.head
      ? `${k.rpcUrl}  chain ${k.chainId}  head ${k.head.number} (${ago(k.head.ageSeconds)})  safe ${k.safe}  finalized ${k.finalized}`
      : k.rpcUrl,
  )
  row(
    'l1 origin',
    s.l1Origin,
    s.l1Origin.number !== undefined
      ? `L1 block ${s.l1Origin.number}${s.l1Origin.behindL1Head !== undefined ? ` (${s.l1Origin.behindL1Head} behind the L1 head)` : ''}`
      : '',
  )
  const b = s.lastBatch.batch
  row(
    'last batch',
    s.lastBatch,
    b
      ? `L2 blocks ${b.first}–${b.last} in L1 block ${b.l1BlockNumber} (${b.l1BlocksAgo} ago)  tx ${b.txHash}`
      : '',
  )
  const o = s.outputs.latest
  row(
    'outputs',
    s.outputs,
    o
      ? `${s.outputs.count} proposed; latest #${o.index} for L2 block ${o.l2BlockNumber}  root ${o.outputRoot}${o.matchesNode === true ? '  (matches the node)' : ''}`
      : s.outputs.count !== undefined
        ? `${s.outputs.count} proposed`
        : '',
  )
  const w = s.withdrawals
  row(
    'withdrawals',
    w,
    w.initiated !== undefined && w.scanned
      ? `${w.initiated} in L2 blocks ${w.scanned.from}–${w.scanned.to}: ${w.waitingForOutput} waiting for an output, ${w.readyToProve} ready to prove, ${w.proven} proven, ${w.finalized} finalized`
      : '',
  )
  for (const [name, c] of Object.entries(s.services))
    row(name, c, `${c.url}${c.status ? `  ${c.status}` : ''}`)
  lines.push(s.ok ? 'all ok' : 'something is down or wrong (exit 2)')
  return lines.join('\n')
}

runMain(async () => {
  const options = program.parse().opts<Options>()
  const config = loadCliConfig(options)
  const addressesPath = options.addresses ?? defaultAddressesPath(config)
  const deployment = readAddresses(addressesPath).keystore
  if (!deployment)
    throw new RollupError(`The addresses file ${addressesPath} has no keystore deployment.`, {
      details: 'deploy the keystore chain first (npm run deploy with a `keystore` section)',
    })
  if (options.withdrawalScanBlocks > 10_000)
    throw new RollupError('--withdrawal-scan-blocks is at most 10000 (one eth_getLogs range).')
  const keystoreUrl = options.rpc?.keystore ?? (deployment.rpcUrl || keystoreRpcUrl(config))
  if (!keystoreUrl)
    throw new RollupError('No keystore node RPC.', {
      details: 'pass --rpc keystore=<url> or set KEYSTORE_RPC',
    })
  const l1Url = chainRpcUrl(config, 'l1')
  const status = await getKeystoreStatus({
    l1: createPublicClient({
      transport: http(l1Url, { timeout: options.timeout, retryCount: 0 }),
      cacheTime: 0,
    }),
    l1RpcUrl: l1Url,
    keystoreRpcUrl: keystoreUrl,
    deployment,
    health: options.health,
    batchScanBlocks: options.batchScanBlocks,
    withdrawalScanBlocks: options.withdrawalScanBlocks,
    timeoutMs: options.timeout,
  })
  if (options.json)
    process.stdout.write(
      `${JSON.stringify(status, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
    )
  else
    process.stdout.write(
      `${formatStatus(status, `keystore chain ${deployment.chainId} — ${addressesPath}`)}\n`,
    )
  process.exit(status.ok ? 0 : 2)
})
