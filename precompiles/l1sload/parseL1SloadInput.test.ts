import { bytesToHex, concatHex, type Hex, pad, toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import { L1SLOAD_ADDRESS } from './constants.js'
import { createReplayL1Sload } from './createReplayL1Sload.js'
import { L1SloadUnavailableError } from './errors.js'
import { L1SloadWitness } from './L1SloadWitness.js'
import { l1SloadGas, parseL1SloadInput } from './parseL1SloadInput.js'
import { callL1Sload, evmWith } from './testing.js'

const account: Hex = '0x1111111111111111111111111111111111111111'
const key = (i: number) => pad(toHex(i), { size: 32 })
const value = (i: number) => pad(toHex(0xabc0 + i), { size: 32 })
const origin = { number: 7n, stateRoot: pad('0x01', { size: 32 }) }

function witnessWithKeys(n: number) {
  const witness = new L1SloadWitness()
  for (let i = 0; i < n; i++)
    witness.record({ l1BlockNumber: 7n, address: account, key: key(i), value: value(i) })
  return witness
}

async function replayEvm() {
  return evmWith(createReplayL1Sload({ witness: witnessWithKeys(6), getL1Origin: () => origin }))
}

describe('parseL1SloadInput', () => {
  test('1 and 5 keys parse; address lowercase, keys in order', () => {
    expect(parseL1SloadInput(hexBytes(concatHex([account, key(0)])))).toEqual({
      address: account,
      keys: [key(0)],
    })
    const five = [0, 1, 2, 3, 4].map(key)
    expect(parseL1SloadInput(hexBytes(concatHex([account, ...five])))?.keys).toEqual(five)
  })

  test.each([
    ['0 keys', concatHex([account])],
    ['6 keys', concatHex([account, ...[0, 1, 2, 3, 4, 5].map(key)])],
    ['19-byte address', concatHex(['0x11111111111111111111111111111111111111', key(0)])],
    ['21-byte address', concatHex([`${account}11`, key(0)])],
    ['31-byte tail', concatHex([account, key(0)]).slice(0, -2) as Hex],
    ['33-byte tail', concatHex([account, key(0), '0x00'])],
    ['empty', '0x' as Hex],
  ])('%s is rejected', (_, data) => {
    expect(parseL1SloadInput(hexBytes(data))).toBeUndefined()
  })

  test('gas = 2000 + 2000 × keys', () => {
    expect([1, 2, 3, 4, 5].map(l1SloadGas)).toEqual([4000n, 6000n, 8000n, 10000n, 12000n])
  })
})

describe('precompile in @ethereumjs/evm (RIP-7728 vectors)', () => {
  test.each([1, 2, 5])('%i key(s): output = values concatenated, gas = 2000 + 2000k', async (k) => {
    const evm = await replayEvm()
    const keys = Array.from({ length: k }, (_, i) => key(i))
    const result = await callL1Sload(evm, concatHex([account, ...keys]), { gasLimit: 100_000n })
    expect(result.exceptionError).toBeUndefined()
    expect(result.executionGasUsed).toBe(2000n + 2000n * BigInt(k))
    expect(bytesToHex(result.returnValue)).toBe(concatHex(keys.map((_, i) => value(i))))
  })

  test.each([
    ['0 keys', concatHex([account])],
    ['6 keys', concatHex([account, ...[0, 1, 2, 3, 4, 5].map(key)])],
    ['19-byte address', concatHex(['0x11111111111111111111111111111111111111', key(0)])],
    ['21-byte address', concatHex([`${account}11`, key(0)])],
    ['non-multiple-of-32 tail', concatHex([account, key(0), '0x0000'])],
  ])('%s consumes all gas', async (_, data) => {
    const evm = await replayEvm()
    const result = await callL1Sload(evm, data, { gasLimit: 50_000n })
    expect(result.exceptionError?.error).toBe('invalid input length')
    expect(result.executionGasUsed).toBe(50_000n)
    expect(result.returnValue.length).toBe(0)
  })

  test('one gas short of 2000 + 2000k consumes all gas (out of gas); exact gas succeeds', async () => {
    const evm = await replayEvm()
    const data = concatHex([account, key(0), key(1)])
    const short = await callL1Sload(evm, data, { gasLimit: 5999n })
    expect(short.exceptionError?.error).toBe('out of gas')
    expect(short.executionGasUsed).toBe(5999n)
    const exact = await callL1Sload(evm, data, { gasLimit: 6000n })
    expect(exact.exceptionError).toBeUndefined()
    expect(exact.executionGasUsed).toBe(6000n)
  })

  test('replay without the entry throws L1SloadUnavailableError out of the EVM', async () => {
    const evm = await replayEvm()
    await expect(callL1Sload(evm, concatHex([account, key(9)]))).rejects.toBeInstanceOf(
      L1SloadUnavailableError,
    )
    // Another L1 block than the one recorded is missing too.
    const other = await evmWith(
      createReplayL1Sload({ witness: witnessWithKeys(1), getL1Origin: () => ({ ...origin, number: 8n }) }),
    )
    await expect(callL1Sload(other, concatHex([account, key(0)]))).rejects.toBeInstanceOf(
      L1SloadUnavailableError,
    )
  })

  test('address is exported as 0x…0101', () => {
    expect(L1SLOAD_ADDRESS).toBe('0x0000000000000000000000000000000000000101')
  })
})

function hexBytes(hex: Hex): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'))
}
