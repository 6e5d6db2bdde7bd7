import { createServer, type Server } from 'node:http'
import type { ServiceHealth } from './service.js'

export type HealthServer = { url: string; close(): Promise<void> }

/**
 * Serves `GET /health` as JSON (HTTP 200 when status is `ok`, 503 otherwise) for container
 * healthchecks and monitoring.
 *
 * @param parameters port (0 = any free port), host (default 127.0.0.1), the health getter.
 * @returns The URL and a `close()`.
 * @example
 * const server = await serveHealth({ port: 8080, host: '0.0.0.0', health: () => feeder.health() })
 */
export async function serveHealth(parameters: {
  port: number
  host?: string | undefined
  health: () => ServiceHealth
}): Promise<HealthServer> {
  const host = parameters.host ?? '127.0.0.1'
  const server: Server = createServer((req, res) => {
    if (req.url !== '/health' && req.url !== '/') {
      res.writeHead(404).end()
      return
    }
    const health = parameters.health()
    const body = JSON.stringify(health, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
    res.writeHead(health.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(parameters.port, host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : parameters.port
  return {
    url: `http://${host}:${port}/health`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
