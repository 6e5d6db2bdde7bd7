/**
 * Error base class in viem's `BaseError` shape: a short message saying what went wrong, details
 * saying why, and the input that caused it, so a reader knows what to fix.
 */
export type RollupErrorParameters = {
  details?: string | undefined
  /** Extra lines shown under the short message (e.g. one line per validation issue). */
  metaMessages?: string[] | undefined
  input?: unknown
  cause?: unknown
}

export class RollupError extends Error {
  override name = 'RollupError'
  readonly shortMessage: string
  readonly details: string | undefined
  readonly metaMessages: string[] | undefined
  readonly input: unknown

  constructor(shortMessage: string, parameters: RollupErrorParameters = {}) {
    const causeMessage =
      parameters.cause instanceof Error
        ? ((parameters.cause as { shortMessage?: string }).shortMessage ?? parameters.cause.message)
        : undefined
    const details = parameters.details ?? causeMessage
    const message = [
      shortMessage,
      ...(parameters.metaMessages?.length ? ['', ...parameters.metaMessages] : []),
      ...(details ? ['', `Details: ${details}`] : []),
    ].join('\n')
    super(message, parameters.cause === undefined ? undefined : { cause: parameters.cause })
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = parameters.metaMessages
    this.input = parameters.input
  }
}

/** The first line of any error's message (viem errors: their `shortMessage`). */
export function shortMessageOf(error: unknown): string {
  if (error instanceof Error) {
    const short = (error as { shortMessage?: unknown }).shortMessage
    if (typeof short === 'string') return short
    return error.message.split('\n')[0] ?? error.name
  }
  return String(error)
}
