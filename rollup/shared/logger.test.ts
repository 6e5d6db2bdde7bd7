import { describe, expect, test } from 'vitest'
import { createLogger } from './logger.js'

describe('createLogger', () => {
  test('json: one object per record with child fields; below-level records dropped', () => {
    const lines: string[] = []
    const log = createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l) }).child({
      service: 'feeder',
      chain: 'l2a',
    })
    log.debug('hidden')
    log.info('stored', { number: 12n, error: new Error('x') })
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      msg: 'stored',
      service: 'feeder',
      chain: 'l2a',
      number: '12',
      error: { message: 'x' },
    })
  })

  test('pretty: tag and key=value pairs', () => {
    const lines: string[] = []
    createLogger({ format: 'pretty', write: (l) => lines.push(l) })
      .child({ service: 'origin', chain: 'l2b' })
      .warn('L1 origin set', { number: 3n, note: 'two words' })
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[origin\/l2b\] L1 origin set number=3 note="two words"$/,
    )
  })
})
