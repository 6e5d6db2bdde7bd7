import { createRequire } from 'node:module'
import type { CustomCrypto } from '@ethereumjs/common'
import { setLengthLeft } from '@ethereumjs/util'
import { keccak256 } from '../../precompiles/storage-proof/keccak.js'

type Secp256k1Addon = {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed?: boolean): Uint8Array
}

const require = createRequire(import.meta.url)

/**
 * Loads the native secp256k1 addon (prebuilt binaries in the npm package). The package silently
 * falls back to pure JS when its native part fails to load (DESIGN §10), so this loads
 * `secp256k1/bindings` directly and returns undefined if that fails.
 */
function loadNativeSecp256k1(): Secp256k1Addon | undefined {
  try {
    return require('secp256k1/bindings') as Secp256k1Addon
  } catch {
    return undefined
  }
}

const native = loadNativeSecp256k1()

/** Whether signature recovery runs in the native addon. */
export const nativeSecp256k1 = native !== undefined

/**
 * `customCrypto` for the node's Common: native secp256k1 recovery (~20× @noble/curves, DESIGN §10)
 * and the WASM keccak of the storage-proof library. Same results as the defaults; the validity
 * rules (low s, v range) stay in @ethereumjs/tx, which checks them before calling `ecrecover`.
 */
export function fastCrypto(): CustomCrypto {
  const crypto: CustomCrypto = { keccak256 }
  if (!native) return crypto
  crypto.ecrecover = (msgHash, v, r, s, chainId) => {
    const recovery = chainId === undefined ? v - 27n : v - (2n * chainId + 35n)
    // Typed transactions carry the y-parity (0/1) directly as v.
    const recid = v === 0n || v === 1n ? Number(v) : Number(recovery)
    if (recid !== 0 && recid !== 1) throw new Error('Invalid signature v value')
    const signature = new Uint8Array(64)
    signature.set(setLengthLeft(r, 32), 0)
    signature.set(setLengthLeft(s, 32), 32)
    return native.ecdsaRecover(signature, recid, msgHash, false).slice(1)
  }
  return crypto
}
