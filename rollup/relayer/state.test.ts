import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { type RelayerState, RelayerStateError, readRelayerState, writeRelayerState } from './state.js'

const portal = '0x600726eF41487686d19aB32926d0F907B98b219D'
const state: RelayerState = { version: 1, l2ChainId: 901, portal, scannedTo: '42', open: [] }

describe('relayer state file', () => {
  test('round-trips, and a missing file is no state', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'relayer-state-')), 'sub/state.json')
    expect(readRelayerState(path, { l2ChainId: 901, portal })).toBeUndefined()
    writeRelayerState(path, state)
    expect(readRelayerState(path, { l2ChainId: 901, portal: portal.toLowerCase() as `0x${string}` })).toEqual(
      state,
    )
    expect(JSON.parse(readFileSync(path, 'utf8')).scannedTo).toBe('42')
  })

  test("refuses another chain's file and garbage, saying what to do", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'relayer-state-')), 'state.json')
    writeRelayerState(path, state)
    expect(() => readRelayerState(path, { l2ChainId: 902, portal })).toThrow(RelayerStateError)
    expect(() =>
      readRelayerState(path, { l2ChainId: 901, portal: '0x0000000000000000000000000000000000000001' }),
    ).toThrow(/belongs to another chain/)
    writeFileSync(path, '{ not json')
    expect(() => readRelayerState(path, { l2ChainId: 901, portal })).toThrow(/not JSON/)
  })
})
