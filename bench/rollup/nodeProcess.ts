/**
 * Parent side of `nodeChild.ts`: forks the keystore node into its own process (tsx loader,
 * advanced IPC serialization for bigints), waits until it serves JSON-RPC, and exposes its block
 * reports and memory samples. The child is registered with the devnet's process registry, so it
 * never outlives the bench.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { registerChild } from '../../rollup/devnet/processes.js'
import type { NodeChildMessage, NodeChildParameters } from './nodeChild.js'

export type BlockReport = Extract<NodeChildMessage, { type: 'block' }>
export type MemorySample = Omit<Extract<NodeChildMessage, { type: 'memory' }>, 'type' | 'id'>

export type NodeProcess = {
  rpcUrl: string
  pid: number
  /** Called for every committed block. */
  onBlock(listener: (block: BlockReport) => void): void
  memory(): Promise<MemorySample>
  stop(): Promise<void>
}

const here = dirname(fileURLToPath(import.meta.url))

export async function startNodeProcess(
  parameters: NodeChildParameters & { execArgv?: string[] | undefined },
): Promise<NodeProcess> {
  const { execArgv = [], ...p } = parameters
  const child: ChildProcess = fork(join(here, 'nodeChild.ts'), [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  registerChild(child)
  const listeners: ((b: BlockReport) => void)[] = []
  const waiting = new Map<number, (m: MemorySample) => void>()
  let nextId = 0
  let failed: ((e: Error) => void) | undefined
  const ready = new Promise<{ rpcUrl: string }>((resolve, reject) => {
    failed = reject
    child.on('message', (raw) => {
      const m = raw as NodeChildMessage
      if (m.type === 'ready') resolve({ rpcUrl: m.rpcUrl })
      else if (m.type === 'block') for (const l of listeners) l(m)
      else if (m.type === 'memory') {
        const { type: _t, id, ...sample } = m
        waiting.get(id)?.(sample)
        waiting.delete(id)
      } else if (m.type === 'error') {
        console.error(`bench: keystore node process: ${m.message}`)
        failed?.(new Error(m.message))
      }
    })
    child.once('exit', (code) => reject(new Error(`the keystore node process exited (${code})`)))
  })
  child.send({ type: 'start', parameters: p })
  const { rpcUrl } = await ready
  return {
    rpcUrl,
    pid: child.pid as number,
    onBlock: (l) => void listeners.push(l),
    memory: () =>
      new Promise((resolve) => {
        const id = nextId++
        waiting.set(id, resolve)
        child.send({ type: 'memory', id })
      }),
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.send({ type: 'stop' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      await exited
      clearTimeout(timer)
    },
  }
}
