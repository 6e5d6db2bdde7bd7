import { createEVM } from '@ethereumjs/evm'
import { createTxFromRLP } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { encodeFunctionData, parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { expect, it } from 'vitest'
import { l1BlocksAbi, l1BlocksDeployedBytecode } from '../../contracts/generated/index.js'
import { createKeystoreCommon } from './chain.js'
import { fastEipLookup, installSyncSteps, setSyncSteps, sharedTxCommon } from './vmTuning.js'

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

it('the synchronous step loop gives exactly what the original loop gives, down to every out-of-gas point', async () => {
  await installSyncSteps()
  const common = fastEipLookup(createKeystoreCommon())
  const hex = (h: string) => hexToBytes(h as `0x${string}`)
  // Hand-made programs: a JUMPI loop of static ops; memory, KECCAK and a LOG (dynamic gas);
  // REVERT with data; a jump to a non-JUMPDEST; INVALID; POP on an empty stack; RETURN.
  const programs: [string, Uint8Array, Uint8Array][] = [
    ['loop', hex('0x600a5f5b81810190600190039080600357505f5260205ff3'), new Uint8Array()],
    ['memory+keccak+log', hex('0x60aa5f52602a60205260405f2060405f5fa15f5260205ff3'), new Uint8Array()],
    ['revert', hex('0x60ff5f5260205ffd'), new Uint8Array()],
    ['bad jump', hex('0x6003565b00'), new Uint8Array()],
    ['invalid', hex('0x6001fe'), new Uint8Array()],
    ['underflow', hex('0x50'), new Uint8Array()],
  ]
  // Real compiled code: L1Blocks (dispatch, ABI decoding, custom-error reverts, RLP decoding).
  const l1Blocks = hex(l1BlocksDeployedBytecode)
  for (const data of [
    encodeFunctionData({ abi: l1BlocksAbi, functionName: 'latestBlockNumber' }),
    encodeFunctionData({ abi: l1BlocksAbi, functionName: 'setL1BlockHeader', args: ['0xf90200aabbcc'] }),
    '0xdeadbeef',
  ])
    programs.push([`L1Blocks ${data.slice(0, 10)}`, l1Blocks, hex(data)])
  const run = async (code: Uint8Array, data: Uint8Array, gasLimit: bigint, sync: boolean) => {
    setSyncSteps(sync)
    // A fresh EVM each time: warm storage slots would otherwise carry over from the previous run.
    const evm = await createEVM({ common })
    const r = await evm.runCode({ code, data, gasLimit })
    return {
      gas: r.executionGasUsed,
      left: r.runState?.gasLeft,
      out: bytesToHex(r.returnValue),
      error: r.exceptionError?.error,
      logs: JSON.stringify(
        r.logs?.map((l) => l.map((x) => (Array.isArray(x) ? x.map(bytesToHex) : bytesToHex(x)))),
      ),
    }
  }
  try {
    for (const [name, code, data] of programs) {
      const full = await run(code, data, 1_000_000n, false)
      expect(await run(code, data, 1_000_000n, true), name).toEqual(full)
      // Every gas limit up to what it needs (stepped for the long ones): out of gas at each point.
      const step = full.gas > 2000n ? full.gas / 400n : 1n
      for (let g = 0n; g <= full.gas + 1n; g += step)
        expect(await run(code, data, g, true), `${name} at ${g}`).toEqual(await run(code, data, g, false))
    }
  } finally {
    setSyncSteps(true)
  }
})
