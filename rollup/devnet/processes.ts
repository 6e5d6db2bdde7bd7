/**
 * Every child process the devnet starts is registered here, so that none outlives us:
 * on `exit` each is SIGKILLed synchronously, and on SIGINT/SIGTERM each gets SIGTERM (and, when
 * nobody else handles the signal, the process exits as it would have by default). Handlers are
 * installed while at least one child is alive and removed afterwards.
 */
import type { ChildProcess } from 'node:child_process'

const children = new Set<ChildProcess>()
let installed = false

function killAll(signal: NodeJS.Signals): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal)
      } catch {
        // already gone
      }
    }
  }
}

function onExit(): void {
  killAll('SIGKILL')
}

/** Grace period for an application's own signal handler to stop its children cleanly. */
const GRACE_MS = 5000

function onSignal(signal: NodeJS.Signals): void {
  // We are the only listener: keep the default behaviour of the signal (terminate; the exit
  // hook kills the children).
  if (process.listenerCount(signal) <= 1) {
    killAll('SIGTERM')
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }
  // The application handles the signal (graceful stop): give it a moment, then make sure.
  setTimeout(() => killAll('SIGKILL'), GRACE_MS).unref()
}

function install(): void {
  if (installed) return
  installed = true
  process.on('exit', onExit)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

function uninstall(): void {
  if (!installed) return
  installed = false
  process.off('exit', onExit)
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
}

/** Tracks `child` until it exits. */
export function registerChild(child: ChildProcess): void {
  children.add(child)
  install()
  child.once('exit', () => {
    children.delete(child)
    if (children.size === 0) uninstall()
  })
}

/** PIDs of the children still alive (for tests and diagnostics). */
export function liveChildPids(): number[] {
  return [...children].map((c) => c.pid).filter((pid): pid is number => pid !== undefined)
}
