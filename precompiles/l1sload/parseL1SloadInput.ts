import { type Address, bytesToHex, type Hex } from 'viem'
import { L1SLOAD_FIXED_GAS, L1SLOAD_MAX_KEYS, L1SLOAD_PER_KEY_GAS } from './constants.js'

export type ParseL1SloadInputReturnType = { address: Address; keys: Hex[] } | undefined

/**
 * Splits an L1SLOAD input (20-byte address ‖ 1..5 32-byte keys).
 *
 * @param data - The call data.
 * @returns The address (lowercase) and the keys (32-byte lowercase hex), or `undefined` when the
 * length is not 20 + 32k with 1 ≤ k ≤ 5.
 * @example
 * parseL1SloadInput(hexToBytes(`${address}${key.slice(2)}`)) // { address, keys: [key] }
 */
export function parseL1SloadInput(data: Uint8Array): ParseL1SloadInputReturnType {
  const tail = data.length - 20
  if (tail < 32 || tail % 32 !== 0 || tail / 32 > L1SLOAD_MAX_KEYS) return undefined
  const address = bytesToHex(data.subarray(0, 20)) as Address
  const keys: Hex[] = []
  for (let i = 20; i < data.length; i += 32) keys.push(bytesToHex(data.subarray(i, i + 32)))
  return { address, keys }
}

/**
 * Gas of a call reading `keyCount` keys: 2000 + 2000 × keys.
 *
 * @param keyCount - Number of storage keys.
 * @returns The gas.
 * @example
 * l1SloadGas(5) // 12000n
 */
export function l1SloadGas(keyCount: number): bigint {
  return L1SLOAD_FIXED_GAS + L1SLOAD_PER_KEY_GAS * BigInt(keyCount)
}
