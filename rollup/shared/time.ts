/** Timers that honour an AbortSignal, and exponential backoff with jitter. */

/**
 * Resolves after `ms`, or early (without throwing) when `signal` aborts.
 *
 * @example
 * await sleep(500, controller.signal)
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

export type BackoffParameters = {
  /** Delay before the first retry. */
  baseMs: number
  /** Upper bound of any delay. */
  maxMs: number
  /** Source of randomness in [0, 1) (tests pass a constant). */
  random?: (() => number) | undefined
}

/**
 * The delay before retry number `attempt` (0-based): `min(maxMs, baseMs · 2^attempt)` scaled by a
 * random factor in [0.5, 1) ("equal jitter"), so that many clients failing together spread out.
 *
 * @example
 * backoffDelay(3, { baseMs: 200, maxMs: 10_000 }) // 800..1600 ms
 */
export function backoffDelay(attempt: number, parameters: BackoffParameters): number {
  const random = parameters.random ?? Math.random
  const ceiling = Math.min(parameters.maxMs, parameters.baseMs * 2 ** Math.min(attempt, 30))
  return Math.round(ceiling * (0.5 + random() / 2))
}
