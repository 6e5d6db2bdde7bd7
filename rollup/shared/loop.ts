import { type BackoffParameters, backoffDelay, sleep } from './time.js'

/** What a step asks the loop to do next: run again at once, or wait one poll interval. */
export type StepResult = 'again' | 'idle'

export type RunLoopParameters = {
  signal: AbortSignal
  step: () => Promise<StepResult>
  pollIntervalMs: number
  backoff: BackoffParameters
  /** Called for every failed step with the delay before the next try. */
  onError?: ((error: unknown, attempt: number, delayMs: number) => void) | undefined
  /** Called after every successful step. */
  onSuccess?: ((result: StepResult) => void) | undefined
}

/**
 * Runs `step` until `signal` aborts. A step that throws is retried after an exponential backoff
 * with jitter (the attempt counter resets on the next success); the loop itself never throws.
 *
 * @example
 * const controller = new AbortController()
 * const done = runLoop({ signal: controller.signal, step, pollIntervalMs: 500, backoff: { baseMs: 250, maxMs: 10_000 } })
 * controller.abort(); await done
 */
export async function runLoop(parameters: RunLoopParameters): Promise<void> {
  const { signal } = parameters
  let attempt = 0
  while (!signal.aborted) {
    try {
      const result = await parameters.step()
      attempt = 0
      parameters.onSuccess?.(result)
      if (result === 'idle') await sleep(parameters.pollIntervalMs, signal)
    } catch (error) {
      if (signal.aborted) break
      const delay = backoffDelay(attempt, parameters.backoff)
      parameters.onError?.(error, attempt, delay)
      attempt++
      await sleep(delay, signal)
    }
  }
}
