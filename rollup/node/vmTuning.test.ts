import { createTxFromRLP } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { expect, it } from 'vitest'
import { createKeystoreCommon } from './chain.js'
import { fastEipLookup, sharedTxCommon } from './vmTuning.js'

it('fastEipLookup answers as Common does, and follows a hardfork change', () => {
  const plain = createKeystoreCommon()
  const fast = fastEipLookup(createKeystoreCommon())
  for (let eip = 1; eip < 10_000; eip++) expect(fast.isActivatedEIP(eip)).toBe(plain.isActivatedEIP(eip))
  fast.setHardfork('london')
  plain.setHardfork('london')
  expect(fast.isActivatedEIP(2537)).toBe(false)
  for (let eip = 1; eip < 10_000; eip++) expect(fast.isActivatedEIP(eip)).toBe(plain.isActivatedEIP(eip))
})

it('a shared tx Common decodes transactions exactly as a copied one', async () => {
  const common = createKeystoreCommon()
  const shared = sharedTxCommon(common)
  const dev = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcaf784d7bf4f2ff80')
  for (let nonce = 0; nonce < 3; nonce++) {
    const raw = hexToBytes(
      await dev.signTransaction({
        chainId: 901,
        type: 'eip1559',
        to: '0x4200000000000000000000000000000000000042',
        nonce,
        gas: 50_000n,
        data: '0x1234',
        maxFeePerGas: parseGwei('10'),
        maxPriorityFeePerGas: 1n,
      }),
    )
    const a = createTxFromRLP(raw, { common })
    const b = createTxFromRLP(raw, { common: shared })
    expect(b.common).toBe(shared) // no copy
    expect(bytesToHex(b.hash())).toBe(bytesToHex(a.hash()))
    expect(b.getSenderAddress().toString()).toBe(dev.address.toLowerCase())
    expect(b.getIntrinsicGas()).toBe(a.getIntrinsicGas())
    expect(b.getUpfrontCost()).toBe(a.getUpfrontCost())
  }
})
