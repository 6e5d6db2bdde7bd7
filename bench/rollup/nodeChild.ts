/**
 * The keystore node under benchmark, in a process of its own (so its memory is its own and the
 * load generator runs beside it, not on its thread). Started by `nodeProcess.ts` over IPC:
 * receives its parameters, runs `createKeystoreChainNode` (sequencer, LevelDB, JSON-RPC, blocks
 * on the slot schedule), then reports every committed block ({ number, time, tx hashes }) and
 * answers memory samples.
 */
import { readFileSync } from 'node:fs'
import { createClient, http } from 'viem'
import { createKeystoreChainNode, type KeystoreChainInputs } from '../../rollup/keystore/keystoreChain.js'
import type { KeystoreNode } from '../../rollup/node/KeystoreNode.js'
import { createLogger, type Logger, silentLogger } from '../../rollup/shared/logger.js'

export type NodeChildParameters = {
  inputs: KeystoreChainInputs
  l1RpcUrl: string
  confirmations: number
  dataDir: string
  blockGasLimit: bigint
  maxTxsPerBlock?: number | undefined
  /** Log the node's warnings to stderr. */
  verbose?: boolean | undefined
}

export type NodeChildMessage =
  | { type: 'ready'; rpcUrl: string; head: bigint }
  | { type: 'block'; number: bigint; time: number; hashes: string[]; pending: number }
  | {
      type: 'memory'
      id: number
      rss: number
      heapUsed: number
      heapTotal: number
      external: number
      arrayBuffers: number
      /** Linux: RSS split into private anonymous memory and file-backed pages (LevelDB mmaps its tables). */
      rssAnon: number | undefined
      rssFile: number | undefined
      head: bigint
      pending: number
    }
  | { type: 'error'; message: string }

let node: KeystoreNode | undefined

/** Calls `onBlock` after each committed block (the node logs 'block produced' right after commit). */
function blockLogger(base: Logger, onBlock: () => void): Logger {
  const wrap = (l: Logger): Logger => ({
    debug: (m, f) => l.debug(m, f),
    info: (m, f) => {
      if (m === 'block produced') onBlock()
      l.info(m, f)
    },
    warn: (m, f) => l.warn(m, f),
    error: (m, f) => l.error(m, f),
    child: (fields) => wrap(l.child(fields)),
  })
  return wrap(base)
}

const send = (m: NodeChildMessage) => process.send?.(m)

process.on('message', async (raw: unknown) => {
  const message = raw as
    | { type: 'start'; parameters: NodeChildParameters }
    | { type: 'memory'; id: number }
    | { type: 'stop' }
  try {
    if (message.type === 'start') {
      const p = message.parameters
      const base = p.verbose ? createLogger({ level: 'warn' }) : silentLogger
      node = await createKeystoreChainNode({
        ...p.inputs,
        l1: createClient({ transport: http(p.l1RpcUrl) }),
        confirmations: p.confirmations,
        dataDir: p.dataDir,
        produceBlocks: true,
        rpc: { port: 0 },
        blockGasLimit: p.blockGasLimit,
        ...(p.maxTxsPerBlock ? { maxTxsPerBlock: p.maxTxsPerBlock } : {}),
        logger: blockLogger(base, () => {
          const head = node?.head
          if (!head) return
          send({
            type: 'block',
            number: head.number,
            time: performance.timeOrigin + performance.now(),
            hashes: head.txs.filter((t) => t.kind === 'signed').map((t) => t.hash),
            pending: node?.mempool.size ?? 0,
          })
        }),
      })
      await node.start()
      send({ type: 'ready', rpcUrl: node.rpcUrl as string, head: node.head.number })
    } else if (message.type === 'memory') {
      // With --expose-gc: sample after a full collection, so heapUsed is the live set.
      const gc = (globalThis as { gc?: () => void }).gc
      if (gc) gc()
      const m = process.memoryUsage()
      send({
        type: 'memory',
        id: message.id,
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        ...rssSplit(),
        head: node?.head.number ?? 0n,
        pending: node?.mempool.size ?? 0,
      })
    } else if (message.type === 'stop') {
      await node?.stop()
      process.exit(0)
    }
  } catch (error) {
    send({ type: 'error', message: (error as Error).stack ?? String(error) })
  }
})
process.on('disconnect', () => process.exit(0))

/**
 * RssAnon and RssFile from /proc/self/status (Linux; undefined elsewhere). LevelDB reads its table
 * files through mmap, so their pages count in RSS as file-backed memory: clean page cache the
 * kernel reclaims under pressure, growing with the database, unlike the process's own memory.
 */
function rssSplit(): { rssAnon: number | undefined; rssFile: number | undefined } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8')
    const kb = (field: string) => {
      const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))
      return m ? Number(m[1]) * 1024 : undefined
    }
    return { rssAnon: kb('RssAnon'), rssFile: kb('RssFile') }
  } catch {
    return { rssAnon: undefined, rssFile: undefined }
  }
}
