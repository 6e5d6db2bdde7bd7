import { createFeeMarket1559Tx, createLegacyTx } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { createKeystoreCommon } from './chain.js'
import { fastCrypto, nativeSecp256k1 } from './crypto.js'

const key = hexToBytes('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const to = '0x4200000000000000000000000000000000000042'

describe('fastCrypto', () => {
  it('loads the native secp256k1 addon on this platform', () => {
    expect(nativeSecp256k1).toBe(true)
  })

  it('recovers the same senders as the default crypto (typed, EIP-155 legacy, tampered)', () => {
    const plain = createKeystoreCommon()
    const fast = createKeystoreCommon({ customCrypto: fastCrypto() })
    for (let nonce = 0n; nonce < 20n; nonce++) {
      const typed = createFeeMarket1559Tx(
        {
          chainId: 901n,
          nonce,
          to,
          gasLimit: 50_000n,
          maxFeePerGas: 10n ** 9n,
          data: `0x${'ab'.repeat(Number(nonce))}`,
        },
        { common: plain },
      ).sign(key)
      const legacy = createLegacyTx(
        { nonce, to, gasLimit: 50_000n, gasPrice: 10n ** 9n },
        { common: plain },
      ).sign(key)
      for (const tx of [typed, legacy]) {
        const again = (tx.type === 2 ? createFeeMarket1559Tx : createLegacyTx)(tx.toJSON() as never, {
          common: fast,
        })
        expect(again.getSenderAddress().toString()).toBe(tx.getSenderAddress().toString())
      }
    }
    // A flipped bit in r recovers another key (or throws), in both implementations alike.
    const tx = createFeeMarket1559Tx(
      { chainId: 901n, to, gasLimit: 50_000n, maxFeePerGas: 1n },
      { common: plain },
    ).sign(key)
    const r = tx.r as bigint
    const bent = { ...tx.toJSON(), r: `0x${(r ^ 1n).toString(16)}` }
    const recover = (common: typeof plain) => {
      try {
        return createFeeMarket1559Tx(bent as never, { common })
          .getSenderAddress()
          .toString()
      } catch (error) {
        return `error: ${(error as Error).message.slice(0, 17)}`
      }
    }
    expect(recover(fast)).toBe(recover(plain))
    expect(recover(fast)).not.toBe(tx.getSenderAddress().toString())
  })
})
