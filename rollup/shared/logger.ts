/**
 * Structured logging shared by every service: one record per event, `{ time, level, msg, ...fields }`.
 * Two formats: `json` (one JSON object per line, for machines and containers) and `pretty`
 * (human-readable, for the terminal). Records go to stderr so a CLI's stdout stays clean for
 * results (endpoints, the ready line).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
export type LogFormat = 'json' | 'pretty'
export type LogFields = Record<string, unknown>

export type Logger = {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** A logger whose records all carry `fields` (e.g. `{ service: 'feeder', chain: 'l2a' }`). */
  child(fields: LogFields): Logger
}

export type CreateLoggerParameters = {
  level?: LogLevel | undefined
  format?: LogFormat | undefined
  /** Where formatted lines go. Default: process.stderr. */
  write?: ((line: string) => void) | undefined
  fields?: LogFields | undefined
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Error) return { name: value.name, message: value.message }
  return value
}

function prettyValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Error) return JSON.stringify(value.message.split('\n')[0])
  return JSON.stringify(value, jsonReplacer)
}

/**
 * Creates a structured logger.
 *
 * @param parameters level (default `LOG_LEVEL` or `info`), format (default `LOG_FORMAT` or `pretty`).
 * @returns A {@link Logger}.
 * @example
 * const log = createLogger({ level: 'debug' }).child({ service: 'feeder' })
 * log.info('submitted header', { chain: 'l2a', number: 12n })
 */
export function createLogger(parameters: CreateLoggerParameters = {}): Logger {
  const level = parameters.level ?? (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info'
  const format = parameters.format ?? (process.env.LOG_FORMAT as LogFormat | undefined) ?? 'pretty'
  const write = parameters.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  const threshold = RANK[level] ?? RANK.info
  const make = (base: LogFields): Logger => {
    const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
      if (RANK[lvl] < threshold) return
      const record = { ...base, ...fields }
      if (format === 'json') {
        write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...record }, jsonReplacer))
        return
      }
      const time = new Date().toISOString().slice(11, 23)
      const { service, chain, ...rest } = record
      const tag = [service, chain].filter((x) => x !== undefined).join('/')
      const kv = Object.entries(rest)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${prettyValue(v)}`)
        .join(' ')
      write(`${time} ${lvl.toUpperCase().padEnd(5)} ${tag ? `[${tag}] ` : ''}${msg}${kv ? ` ${kv}` : ''}`)
    }
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    }
  }
  return make(parameters.fields ?? {})
}

/** A logger that drops everything (tests, libraries used quietly). */
export const silentLogger: Logger = createLogger({ level: 'silent' })
