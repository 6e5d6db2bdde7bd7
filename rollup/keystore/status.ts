/**
 * The state of a keystore-chain deployment in one read, for operators (`npm run status`) and
 * monitoring: L1 head, the keystore node's heads and L1 origin, the last batch in the L1 inbox,
 * the latest output in L2OutputOracle (checked against the node), recent withdrawals and the
 * services' `/health`. Every part is read independently: one unreachable RPC marks its own parts
 * `fail` and the rest still reports. Scans are bounded (`batchScanBlocks`, `withdrawalScanBlocks`)
 * so the command stays fast on a long chain.
 *
 * Nothing here is trusted for safety: it is a report. The output-root check recomputes the root
 * from the node's proven state (fetchOutputRoot), so a mismatch means the node and the oracle
 * disagree — either a bad proposal or a node on another chain; the verifier decides which.
 */
import {
  type Address,
  type Client,
  createPublicClient,
  type Hex,
  http,
  type PublicClient,
  parseAbi,
} from 'viem'
import { getBlock, getChainId, readContract } from 'viem/actions'
import {
  opL2OutputOracleAbi,
  opL2ToL1MessagePasserAbi,
  opOptimismPortalAbi,
} from '../../contracts/generated/index.js'
import { readBatches } from '../batcher/readBatches.js'
import type { KeystoreAddresses } from '../deploy/addresses.js'
import { fetchOutputRoot } from '../proposer/fetchOutputRoot.js'
import { shortMessageOf } from '../shared/errors.js'

/** `ok`; `warn`: works but needs a look; `fail`: down or wrong (the status command exits non-zero). */
export type CheckState = 'ok' | 'warn' | 'fail'
type Check = { state: CheckState; error?: string | undefined; note?: string | undefined }

export type KeystoreStatus = {
  /** False when any part is `fail`. */
  ok: boolean
  /** Unix seconds the report was taken at. */
  time: number
  l1: Check & {
    rpcUrl: string
    chainId?: number
    head?: { number: bigint; timestamp: bigint; ageSeconds: number }
  }
  keystore: Check & {
    rpcUrl: string
    chainId?: number
    clientVersion?: string
    head?: { number: bigint; hash: Hex; timestamp: bigint; ageSeconds: number }
    safe?: bigint
    finalized?: bigint
  }
  /** The L1 block the node's head is built on (L1Block predeploy `number()`). */
  l1Origin: Check & { number?: bigint; behindL1Head?: bigint }
  lastBatch: Check & {
    scanned?: { from: bigint; to: bigint }
    batch?: { first: bigint; last: bigint; l1BlockNumber: bigint; txHash: Hex; l1BlocksAgo: bigint }
  }
  outputs: Check & {
    count?: bigint
    latest?: {
      index: bigint
      l2BlockNumber: bigint
      outputRoot: Hex
      timestamp: bigint
      matchesNode?: boolean
    }
  }
  withdrawals: Check & {
    scanned?: { from: bigint; to: bigint }
    /** Initiated in the scanned L2 blocks (at most `maxWithdrawals` of the newest are classified). */
    initiated?: number
    waitingForOutput?: number
    readyToProve?: number
    proven?: number
    finalized?: number
  }
  services: Record<string, Check & { url: string; httpStatus?: number; status?: string }>
}

export type GetKeystoreStatusParameters = {
  /** L1 client (any viem client). */
  l1: Client
  l1RpcUrl: string
  /** The keystore node's JSON-RPC. */
  keystoreRpcUrl: string
  /** The deployment (addresses file `keystore`). */
  deployment: KeystoreAddresses
  /** `/health` URLs by service name. */
  health?: Record<string, string> | undefined
  /** L1 blocks read back for the last batch. Default 256. */
  batchScanBlocks?: number | undefined
  /** L2 blocks read back for withdrawals (one eth_getLogs). Default 1000; 0 = skip. */
  withdrawalScanBlocks?: number | undefined
  /** Withdrawals classified on L1 at most (2 calls each). Default 50. */
  maxWithdrawals?: number | undefined
  /** A node head older than this is `warn` (not producing). Default 60 s. */
  maxHeadAgeSeconds?: number | undefined
  /** An L1 origin further behind the L1 head than this is `warn`. Default 32 blocks. */
  maxOriginLag?: number | undefined
  /** Per request. Default 5000 ms. */
  timeoutMs?: number | undefined
}

const l1BlockAbi = parseAbi(['function number() view returns (uint64)'])

/**
 * Reads the status of a keystore deployment.
 *
 * @param parameters - {@link GetKeystoreStatusParameters}
 * @returns {@link KeystoreStatus}; never throws for an unreachable RPC (that part is `fail`).
 * @example
 * const status = await getKeystoreStatus({ l1, l1RpcUrl, keystoreRpcUrl: ks.rpcUrl, deployment: ks, health: { batcher: 'http://127.0.0.1:8082/health' } })
 * if (!status.ok) process.exitCode = 2
 */
export async function getKeystoreStatus(parameters: GetKeystoreStatusParameters): Promise<KeystoreStatus> {
  const timeout = parameters.timeoutMs ?? 5000
  const now = Math.floor(Date.now() / 1000)
  const ks = parameters.deployment
  const l1 = parameters.l1
  const l2 = createPublicClient({
    transport: http(parameters.keystoreRpcUrl, { timeout, retryCount: 0 }),
    cacheTime: 0,
  })
  const fail = (error: unknown): Check => ({ state: 'fail', error: shortMessageOf(error) })

  const [l1Part, nodePart, services] = await Promise.all([
    readL1(l1, parameters.l1RpcUrl, now).catch((e): KeystoreStatus['l1'] => ({
      ...fail(e),
      rpcUrl: parameters.l1RpcUrl,
    })),
    readNode(l2, parameters.keystoreRpcUrl, now, ks.chainId, parameters.maxHeadAgeSeconds ?? 60).catch(
      (e): KeystoreStatus['keystore'] => ({ ...fail(e), rpcUrl: parameters.keystoreRpcUrl }),
    ),
    readServices(parameters.health ?? {}, timeout),
  ])
  const l1Head = l1Part.head?.number
  const nodeUp = nodePart.state !== 'fail'
  const l1Up = l1Head !== undefined
  const unavailable = (what: string): Check => ({ state: 'fail', error: `${what} unreachable` })

  const [l1Origin, lastBatch, outputs]: [
    KeystoreStatus['l1Origin'],
    KeystoreStatus['lastBatch'],
    KeystoreStatus['outputs'],
  ] = await Promise.all([
    nodeUp
      ? readOrigin(l2, ks, l1Head, parameters.maxOriginLag ?? 32).catch(fail)
      : unavailable('keystore node'),
    l1Up ? readLastBatch(l1, ks, l1Head, parameters.batchScanBlocks ?? 256).catch(fail) : unavailable('L1'),
    l1Up ? readOutputs(l1, l2, ks, nodeUp).catch(fail) : unavailable('L1'),
  ])
  const withdrawalBlocks = parameters.withdrawalScanBlocks ?? 1000
  const withdrawals: KeystoreStatus['withdrawals'] =
    withdrawalBlocks === 0
      ? { state: 'ok', note: 'not scanned' }
      : nodeUp && l1Up && nodePart.head
        ? await readWithdrawals(l1, l2, ks, {
            head: nodePart.head.number,
            blocks: withdrawalBlocks,
            max: parameters.maxWithdrawals ?? 50,
            latestOutputBlock: outputs.latest?.l2BlockNumber,
          }).catch(fail)
        : unavailable(nodeUp ? 'L1' : 'keystore node')

  const status: Omit<KeystoreStatus, 'ok'> = {
    time: now,
    l1: l1Part,
    keystore: nodePart,
    l1Origin,
    lastBatch,
    outputs,
    withdrawals,
    services,
  }
  const states = [
    l1Part,
    nodePart,
    l1Origin,
    lastBatch,
    outputs,
    withdrawals,
    ...Object.values(services),
  ].map((c) => c.state)
  return { ok: !states.includes('fail'), ...status }
}

async function readL1(l1: Client, rpcUrl: string, now: number): Promise<KeystoreStatus['l1']> {
  const [chainId, block] = await Promise.all([getChainId(l1), getBlock(l1, { blockTag: 'latest' })])
  return {
    state: 'ok',
    rpcUrl,
    chainId,
    head: { number: block.number, timestamp: block.timestamp, ageSeconds: now - Number(block.timestamp) },
  }
}

async function readNode(
  l2: PublicClient,
  rpcUrl: string,
  now: number,
  expectedChainId: number,
  maxHeadAgeSeconds: number,
): Promise<KeystoreStatus['keystore']> {
  const [chainId, clientVersion, head, safe, finalized] = await Promise.all([
    l2.getChainId(),
    l2.request({ method: 'web3_clientVersion' }).catch(() => undefined),
    l2.getBlock({ blockTag: 'latest' }),
    l2.getBlock({ blockTag: 'safe' }),
    l2.getBlock({ blockTag: 'finalized' }),
  ])
  const ageSeconds = now - Number(head.timestamp)
  const wrongChain = chainId !== expectedChainId
  return {
    state: wrongChain ? 'fail' : ageSeconds > maxHeadAgeSeconds ? 'warn' : 'ok',
    ...(wrongChain ? { error: `answers chain id ${chainId}, the deployment is ${expectedChainId}` } : {}),
    ...(!wrongChain && ageSeconds > maxHeadAgeSeconds
      ? { note: `head is ${ageSeconds}s old: not producing blocks?` }
      : {}),
    rpcUrl,
    chainId,
    ...(typeof clientVersion === 'string' ? { clientVersion } : {}),
    head: { number: head.number, hash: head.hash, timestamp: head.timestamp, ageSeconds },
    safe: safe.number,
    finalized: finalized.number,
  }
}

async function readOrigin(
  l2: PublicClient,
  ks: KeystoreAddresses,
  l1Head: bigint | undefined,
  maxLag: number,
): Promise<KeystoreStatus['l1Origin']> {
  const number = await l2.readContract({
    address: ks.predeploys.L1Block,
    abi: l1BlockAbi,
    functionName: 'number',
    blockTag: 'latest',
  })
  const behind = l1Head === undefined ? undefined : l1Head - number
  const lagging = behind !== undefined && behind > BigInt(maxLag)
  return {
    state: lagging ? 'warn' : 'ok',
    ...(lagging ? { note: `${behind} L1 blocks behind the L1 head` } : {}),
    number,
    ...(behind !== undefined ? { behindL1Head: behind } : {}),
  }
}

/**
 * The newest batch: L1 is read backwards in windows of 32 blocks (newest first) until one holds a
 * batch or `scanBlocks` are read, so a healthy deployment costs one window. A multi-frame batch
 * whose frames straddle a window boundary is seen only if a later batch is not found first.
 */
async function readLastBatch(
  l1: Client,
  ks: KeystoreAddresses,
  l1Head: bigint,
  scanBlocks: number,
): Promise<KeystoreStatus['lastBatch']> {
  const start = BigInt(ks.genesis.l1StartBlock)
  const limit = l1Head - BigInt(Math.max(1, scanBlocks)) + 1n
  const floor = limit > start ? limit : start
  const WINDOW = 32n
  let to = l1Head
  let from = l1Head
  while (to >= floor) {
    from = to - WINDOW + 1n > floor ? to - WINDOW + 1n : floor
    // Without `start`, the first decodable batch in the window sets the chain; later ones must continue it.
    const batches = await readBatches(l1, {
      inbox: ks.batchInbox,
      batcher: ks.roles.batcher,
      fromBlock: from,
      toBlock: to,
    })
    const last = batches[batches.length - 1]
    if (last) {
      const inc = last.inclusion
      return {
        state: 'ok',
        scanned: { from, to: l1Head },
        batch: {
          first: last.blocks[0]!.number,
          last: last.blocks[last.blocks.length - 1]!.number,
          l1BlockNumber: inc.l1BlockNumber,
          txHash: inc.txHashes[inc.txHashes.length - 1]!,
          l1BlocksAgo: l1Head - inc.l1BlockNumber,
        },
      }
    }
    to = from - 1n
  }
  return {
    state: 'warn',
    note: `no batch in L1 blocks ${floor}–${l1Head}`,
    scanned: { from: floor, to: l1Head },
  }
}

async function readOutputs(
  l1: Client,
  l2: PublicClient,
  ks: KeystoreAddresses,
  nodeUp: boolean,
): Promise<KeystoreStatus['outputs']> {
  const oracle = ks.l1.L2OutputOracle
  const count = await readContract(l1, {
    address: oracle,
    abi: opL2OutputOracleAbi,
    functionName: 'nextOutputIndex',
  })
  if (count === 0n) return { state: 'ok', count, note: 'no output proposed yet' }
  const index = count - 1n
  const output = await readContract(l1, {
    address: oracle,
    abi: opL2OutputOracleAbi,
    functionName: 'getL2Output',
    args: [index],
  })
  const latest = {
    index,
    l2BlockNumber: output.l2BlockNumber,
    outputRoot: output.outputRoot,
    timestamp: output.timestamp,
  }
  if (!nodeUp) return { state: 'ok', count, latest, note: 'not checked against the node (unreachable)' }
  try {
    const mine = await fetchOutputRoot(l2 as never, { blockNumber: output.l2BlockNumber })
    const matchesNode = mine.outputRoot === output.outputRoot
    return {
      state: matchesNode ? 'ok' : 'fail',
      ...(matchesNode
        ? {}
        : { error: `the node computes ${mine.outputRoot} for L2 block ${output.l2BlockNumber}` }),
      count,
      latest: { ...latest, matchesNode },
    }
  } catch (error) {
    return { state: 'warn', note: `not checked: ${shortMessageOf(error)}`, count, latest }
  }
}

async function readWithdrawals(
  l1: Client,
  l2: PublicClient,
  ks: KeystoreAddresses,
  p: { head: bigint; blocks: number; max: number; latestOutputBlock: bigint | undefined },
): Promise<KeystoreStatus['withdrawals']> {
  const from = p.head - BigInt(p.blocks) + 1n > 0n ? p.head - BigInt(p.blocks) + 1n : 0n
  const logs = await l2.getContractEvents({
    address: ks.predeploys.L2ToL1MessagePasser,
    abi: opL2ToL1MessagePasserAbi,
    eventName: 'MessagePassed',
    fromBlock: from,
    toBlock: p.head,
  })
  const newest = logs.slice(-p.max)
  const portal = ks.l1.OptimismPortal as Address
  const classes = await Promise.all(
    newest.map(async (log) => {
      const hash = log.args.withdrawalHash as Hex
      const [finalized, proven] = await Promise.all([
        readContract(l1, {
          address: portal,
          abi: opOptimismPortalAbi,
          functionName: 'finalizedWithdrawals',
          args: [hash],
        }),
        readContract(l1, {
          address: portal,
          abi: opOptimismPortalAbi,
          functionName: 'provenWithdrawals',
          args: [hash],
        }),
      ])
      if (finalized) return 'finalized'
      if ((proven as readonly [Hex, bigint, bigint])[1] !== 0n) return 'proven'
      return p.latestOutputBlock !== undefined && (log.blockNumber as bigint) <= p.latestOutputBlock
        ? 'readyToProve'
        : 'waitingForOutput'
    }),
  )
  const count = (c: string) => classes.filter((x) => x === c).length
  return {
    state: 'ok',
    scanned: { from, to: p.head },
    initiated: logs.length,
    waitingForOutput: count('waitingForOutput'),
    readyToProve: count('readyToProve'),
    proven: count('proven'),
    finalized: count('finalized'),
    ...(logs.length > newest.length ? { note: `the newest ${newest.length} classified` } : {}),
  }
}

async function readServices(
  health: Record<string, string>,
  timeoutMs: number,
): Promise<KeystoreStatus['services']> {
  const entries = await Promise.all(
    Object.entries(health).map(async ([name, url]) => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
        const body = (await res.json().catch(() => undefined)) as { status?: unknown } | undefined
        const status = typeof body?.status === 'string' ? body.status : undefined
        return [
          name,
          {
            state: res.ok ? 'ok' : 'fail',
            url,
            httpStatus: res.status,
            ...(status ? { status } : {}),
            ...(res.ok ? {} : { error: `HTTP ${res.status}${status ? ` (${status})` : ''}` }),
          },
        ] as const
      } catch (error) {
        return [name, { state: 'fail', url, error: shortMessageOf(error) }] as const
      }
    }),
  )
  return Object.fromEntries(entries) as KeystoreStatus['services']
}
