/**
 * The lifecycle every long-running service shares (feeder, origin updater, later the relayer,
 * batcher, proposer): `start()` returns once the service runs, `stop()` once it has stopped, and
 * `health()` is a cheap synchronous snapshot for CLIs, healthchecks and tests.
 */
export type ServiceHealth = {
  /** `starting` before the first successful step, `ok`, `degraded` while errors repeat, `stopped`. */
  status: 'starting' | 'ok' | 'degraded' | 'stopped'
  [key: string]: unknown
}

export type Service<health extends ServiceHealth = ServiceHealth> = {
  start(): Promise<void>
  stop(): Promise<void>
  health(): health
}
