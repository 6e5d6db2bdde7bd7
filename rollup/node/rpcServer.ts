import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { JsonRpcError, KeystoreTxRejectedError } from './errors.js'
import type { KeystoreNode } from './KeystoreNode.js'
import { handleRpc } from './rpcMethods.js'

type JsonRpcRequest = { jsonrpc: '2.0'; id: string | number | null; method: string; params?: unknown[] }

const response = (id: unknown, body: object) => ({ jsonrpc: '2.0', id: id ?? null, ...body })

function toErrorBody(error: unknown): { code: number; message: string; data?: unknown } {
  if (error instanceof JsonRpcError)
    return {
      code: error.code,
      message: error.shortMessage,
      ...(error.data !== undefined ? { data: error.data } : {}),
    }
  if (error instanceof KeystoreTxRejectedError)
    return {
      code: -32003,
      message: `${error.shortMessage}: ${error.details}`,
      data: { reason: error.reason },
    }
  return {
    code: -32603,
    message: `internal error: ${(error as Error).message?.split('\n')[0] ?? String(error)}`,
  }
}

/** One JSON-RPC request object → its response (never throws). */
async function handleOne(node: KeystoreNode, request: unknown): Promise<object> {
  const r = request as Partial<JsonRpcRequest> | null
  if (
    typeof r !== 'object' ||
    r === null ||
    Array.isArray(r) ||
    r.jsonrpc !== '2.0' ||
    typeof r.method !== 'string'
  )
    return response((r as { id?: unknown } | null)?.id, {
      error: { code: -32600, message: 'invalid request' },
    })
  if (r.params !== undefined && !Array.isArray(r.params))
    return response(r.id, { error: { code: -32602, message: 'params must be an array' } })
  try {
    const result = await handleRpc(node, r.method, r.params ?? [])
    return response(r.id, { result })
  } catch (error) {
    return response(r.id, { error: toErrorBody(error) })
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > max) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Starts the JSON-RPC 2.0 server (POST, single or batch). Errors: -32700 unparsable body,
 * -32600 invalid request / oversized body (HTTP 413), -32601 unknown method, -32602 bad params.
 */
export async function startRpcServer(
  node: KeystoreNode,
  options: { host?: string | undefined; port: number; maxBodyBytes?: number | undefined },
): Promise<{ server: Server; url: string }> {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' })
      res.end(JSON.stringify(body))
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' })
      res.end()
      return
    }
    if (req.method === 'GET' && req.url === '/health') return send(200, node.health())
    if (req.method !== 'POST')
      return send(405, response(null, { error: { code: -32600, message: 'use POST' } }))
    ;(async () => {
      const text = await readBody(req, maxBody)
      if (text === undefined)
        return send(
          413,
          response(null, { error: { code: -32600, message: `body exceeds ${maxBody} bytes` } }),
        )
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        return send(200, response(null, { error: { code: -32700, message: 'parse error' } }))
      }
      if (Array.isArray(parsed)) {
        if (parsed.length === 0)
          return send(200, response(null, { error: { code: -32600, message: 'empty batch' } }))
        if (parsed.length > 1000)
          return send(200, response(null, { error: { code: -32600, message: 'batch too large' } }))
        const out: object[] = []
        for (const item of parsed) out.push(await handleOne(node, item))
        return send(200, out)
      }
      return send(200, await handleOne(node, parsed))
    })().catch((error: Error) => {
      node.log.error('rpc handler failed', { error })
      if (!res.headersSent) send(500, response(null, { error: { code: -32603, message: 'internal error' } }))
    })
  })
  server.on('clientError', (_error, socket) => socket.destroy())
  // Clients pool connections (viem, ethers, proxies and load balancers keep idle ones for ~60 s).
  // Node's default keep-alive of 5 s closes idle sockets under them: a request sent on a socket
  // just closed fails with "socket hang up"/ECONNRESET and the client cannot tell whether it
  // arrived (seen in the soak benchmark while blocks took longer than 5 s). Keep them for 65 s.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  return { server, url: `http://${options.host ?? '127.0.0.1'}:${address.port}` }
}
