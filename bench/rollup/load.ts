/**
 * Load generation over JSON-RPC: pre-signed raw transactions sent with `eth_sendRawTransaction`
 * (one request each, keep-alive connections), recording when each was acknowledged. A sender's
 * next transaction is sent only after its previous one was acknowledged (nonce order; with
 * enough senders this delays nothing, and the delays are counted).
 */
import { Agent, request } from 'node:http'
import { bytesToHex } from '@ethereumjs/util'
import type { SignedUpdate } from './signer.js'

export type LoadStats = {
  sent: number
  accepted: number
  /** Rejections by reason (JSON-RPC error data.reason, or the message). */
  rejected: Record<string, number>
  /** Sends that waited for the sender's previous acknowledgement past their slot. */
  delayed: number
  /** hash → acknowledgement time (performance.timeOrigin + performance.now(), ms). */
  acceptedAt: Map<string, number>
}

export type LoadResult = LoadStats & { offered: number; seconds: number }

/** A JSON-RPC transaction sender keeping each account's transactions in nonce order. */
export function createSender(parameters: { rpcUrl: string; connections?: number | undefined }) {
  const url = new URL(parameters.rpcUrl)
  const agent = new Agent({ keepAlive: true, maxSockets: parameters.connections ?? 32 })
  const stats: LoadStats = { sent: 0, accepted: 0, rejected: {}, delayed: 0, acceptedAt: new Map() }
  const lastOf = new Map<number, Promise<boolean>>()
  const post = (body: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve(Buffer.concat(chunks).toString()))
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  const reject = (reason: string) => {
    stats.rejected[reason] = (stats.rejected[reason] ?? 0) + 1
    return false
  }
  const sendOne = async (tx: SignedUpdate): Promise<boolean> => {
    stats.sent++
    const body = `{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["${bytesToHex(tx.raw)}"]}`
    // A pooled connection the server closed at the moment it was reused fails with ECONNRESET /
    // "socket hang up": the request may or may not have arrived. Sending a raw transaction again is
    // safe (the node answers `already-known` if it has it), so that is retried, twice at most.
    for (let attempt = 0; ; attempt++) {
      try {
        const json = JSON.parse(await post(body)) as {
          result?: string
          error?: { message: string; data?: { reason?: string } }
        }
        const reason = json.error?.data?.reason ?? json.error?.message ?? 'unknown'
        if (!json.result && !(attempt > 0 && reason === 'already-known')) return reject(reason)
        stats.accepted++
        stats.acceptedAt.set(json.result ?? tx.hash, performance.timeOrigin + performance.now())
        return true
      } catch (error) {
        const message = (error as Error).message
        if (attempt < 2 && /ECONNRESET|socket hang up/.test(message)) continue
        return reject(`transport: ${message}`)
      }
    }
  }
  return {
    stats,
    /** Sends `tx` after its sender's previous one was answered; resolves with acceptance. */
    send(tx: SignedUpdate): Promise<boolean> {
      const previous = lastOf.get(tx.sender)
      let p: Promise<boolean>
      if (previous) {
        let settled = false
        void previous.then(() => {
          settled = true
        })
        p = Promise.resolve().then(() => {
          if (!settled) stats.delayed++
          return previous.then(() => sendOne(tx))
        })
      } else p = sendOne(tx)
      lastOf.set(tx.sender, p)
      return p
    },
    close: () => agent.destroy(),
  }
}

/** Sends `txs` at a steady offered rate (open loop: the schedule does not wait for answers). */
export async function runLoad(parameters: {
  rpcUrl: string
  txs: SignedUpdate[]
  ratePerSecond: number
  connections?: number | undefined
  /** Called once per second with progress. */
  onSecond?: ((s: { second: number; sent: number; accepted: number }) => void) | undefined
}): Promise<LoadResult> {
  const sender = createSender(parameters)
  const now = () => performance.timeOrigin + performance.now()
  const start = now()
  const interval = 1000 / parameters.ratePerSecond
  const inFlight: Promise<boolean>[] = []
  let second = 0
  for (let i = 0; i < parameters.txs.length; i++) {
    const wait = start + i * interval - now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    inFlight.push(sender.send(parameters.txs[i] as SignedUpdate))
    const s = Math.floor((now() - start) / 1000)
    if (s > second) {
      second = s
      parameters.onSecond?.({ second, sent: i + 1, accepted: sender.stats.accepted })
    }
  }
  await Promise.all(inFlight)
  sender.close()
  return { ...sender.stats, offered: parameters.txs.length, seconds: (now() - start) / 1000 }
}
