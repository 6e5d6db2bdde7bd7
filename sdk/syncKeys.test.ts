import { readFileSync } from 'node:fs'
import type { Address, Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { SyncStaleBlockError } from './errors.js'
import { keystoreKeySlot, walletImplementationSlot } from './keySlot.js'
import { selectKeysToSync } from './syncKeys.js'

const k = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex

describe('selectKeysToSync', () => {
  test('sends keys cached at older blocks, skips the same block', () => {
    expect(selectKeysToSync([k(1), k(2), k(3)], [5n, 10n, 9n], 10n)).toEqual([0, 2])
  })

  test('block 0 means never synced: always sent, even when syncing at L1 block 0', () => {
    expect(selectKeysToSync([k(1)], [0n], 0n)).toEqual([0])
  })

  test('a key cached from a newer block is refused', () => {
    expect(() => selectKeysToSync([k(1), k(2)], [3n, 12n], 10n)).toThrow(SyncStaleBlockError)
  })
})

describe('L1Keystore slots', () => {
  // Real slots from anvil (contracts/test/fixtures/keystore/anvil.json, scripts/gen-keystore-fixtures.ts)
  const f = JSON.parse(readFileSync('contracts/test/fixtures/keystore/anvil.json', 'utf8')) as {
    account: Address
    keys: Hex[]
    slots: Hex[]
    walletId: Hex
    l2ChainId: number
    registrySlot: Hex
  }

  test('keystoreKeySlot matches L1Keystore storage', () => {
    expect(f.keys.map((key) => keystoreKeySlot(f.account, key))).toEqual(f.slots)
  })

  test('walletImplementationSlot matches the registry slot', () => {
    expect(walletImplementationSlot(f.walletId, f.l2ChainId)).toBe(f.registrySlot)
  })
})
