import { bytesToHex, type Client, concatHex, createClient, custom, type Hex, http, pad, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Anvil, startAnvil } from '../../test/utils/anvil.js'
import { StorageProofError } from '../storage-proof/index.js'
import { createL1SloadPrecompile } from './createL1SloadPrecompile.js'
import { createReplayL1Sload } from './createReplayL1Sload.js'
import { L1SloadUnavailableError } from './errors.js'
import { L1SloadWitness } from './L1SloadWitness.js'
import type { L1Origin } from './precompile.js'
import { callL1Sload, evmWith } from './testing.js'

const target: Hex = '0x2222222222222222222222222222222222222222'
const absentAccount: Hex = '0x3333333333333333333333333333333333333333'
const slot = (i: number) => pad(toHex(i), { size: 32 })
const slots = [slot(0), slot(1), pad('0xdeadbeef', { size: 32 })]
const written = [
  pad('0x2a', { size: 32 }),
  pad(`0x${'ff'.repeat(32)}`, { size: 32 }),
  pad('0x0102', { size: 32 }),
]

let anvil: Anvil
let l1: Client
let origin: L1Origin

beforeAll(async () => {
  anvil = await startAnvil()
  l1 = createClient({ transport: http(anvil.rpcUrl) })
  const rpc = (method: string, params: unknown[]) =>
    l1.request({ method, params } as never) as Promise<unknown>
  await rpc('anvil_setCode', [target, '0x00'])
  for (const [i, s] of slots.entries()) await rpc('anvil_setStorageAt', [target, s, written[i]])
  await rpc('evm_mine', [])
  const block = (await rpc('eth_getBlockByNumber', ['latest', false])) as { number: Hex; stateRoot: Hex }
  origin = { number: BigInt(block.number), stateRoot: block.stateRoot }
  // A later block changes slot 0: reads must stay at the origin block. (anvil_setStorageAt edits the
  // latest block's state in place, so mine past the origin first.)
  await rpc('evm_mine', [])
  await rpc('anvil_setStorageAt', [target, slot(0), pad('0x99', { size: 32 })])
  await rpc('evm_mine', [])
})

afterAll(async () => {
  await anvil?.stop()
})

/** A client proxying anvil that rewrites each eth_getProof answer with `tamper`. */
function lyingClient(tamper: (response: Record<string, unknown>) => void): Client {
  return createClient({
    transport: custom(
      {
        async request({ method, params }) {
          const result = (await l1.request({ method, params } as never)) as Record<string, unknown>
          if (method === 'eth_getProof') tamper(result)
          return result
        },
      },
      { retryCount: 0 },
    ),
  })
}

describe('createL1SloadPrecompile against anvil', () => {
  test.each(['direct', 'staticcall'] as const)(
    'values equal anvil storage at the origin (%s)',
    async (via) => {
      const witness = new L1SloadWitness()
      const evm = await evmWith(createL1SloadPrecompile({ l1Client: l1, getL1Origin: () => origin, witness }))
      const result = await callL1Sload(evm, concatHex([target, ...slots]), { via })
      expect(result.exceptionError).toBeUndefined()
      expect(bytesToHex(result.returnValue)).toBe(concatHex(written))
      expect(witness.entries()).toEqual(
        slots.map((key, i) => ({ l1BlockNumber: origin.number, address: target, key, value: written[i] })),
      )
    },
  )

  test('absent slot and absent account read as zero', async () => {
    const evm = await evmWith(createL1SloadPrecompile({ l1Client: l1, getL1Origin: async () => origin }))
    const zero = pad('0x00', { size: 32 })
    const absentSlot = await callL1Sload(evm, concatHex([target, slot(7)]))
    expect(bytesToHex(absentSlot.returnValue)).toBe(zero)
    const absent = await callL1Sload(evm, concatHex([absentAccount, slot(0), slot(1)]), { via: 'staticcall' })
    expect(bytesToHex(absent.returnValue)).toBe(concatHex([zero, zero]))
  })

  test('cache: a repeated read does not ask the RPC again', async () => {
    let proofs = 0
    const counting = lyingClient(() => {
      proofs++
    })
    const evm = await evmWith(createL1SloadPrecompile({ l1Client: counting, getL1Origin: () => origin }))
    await callL1Sload(evm, concatHex([target, slots[0] as Hex]))
    const again = await callL1Sload(evm, concatHex([target, slots[0] as Hex, slots[1] as Hex]))
    expect(bytesToHex(again.returnValue)).toBe(concatHex([written[0] as Hex, written[1] as Hex]))
    await callL1Sload(evm, concatHex([target, slots[1] as Hex, slots[0] as Hex]))
    expect(proofs).toBe(2)
  })

  test('prefetch: one eth_getProof proves many keys ahead; calls then ask nothing; only served values are witnessed', async () => {
    const asked: number[] = []
    const counting = lyingClient((r) => {
      asked.push((r.storageProof as unknown[]).length)
    })
    const witness = new L1SloadWitness()
    const precompile = createL1SloadPrecompile({ l1Client: counting, getL1Origin: () => origin, witness })
    await precompile.prefetch(origin, target, [...slots, slot(7), slots[0] as Hex])
    expect(asked).toEqual([4]) // distinct keys, one request
    expect(precompile.isCached(origin, target, slots[1] as Hex)).toBe(true)
    expect(witness.size).toBe(0) // nothing served yet
    const evm = await evmWith(precompile)
    const result = await callL1Sload(evm, concatHex([target, slots[1] as Hex, slot(7)]), {
      via: 'staticcall',
    })
    expect(bytesToHex(result.returnValue)).toBe(concatHex([written[1] as Hex, pad('0x00', { size: 32 })]))
    expect(asked).toEqual([4])
    expect(witness.entries().map((e) => e.key)).toEqual([slots[1], slot(7)])
    await precompile.prefetch(origin, target, slots) // all cached: no request
    expect(asked).toEqual([4])
  })

  test('prefetch from a lying RPC fails and caches nothing', async () => {
    const liar = createL1SloadPrecompile({
      l1Client: lyingClient((r) => {
        ;((r.storageProof as { value: Hex }[])[0] as { value: Hex }).value = '0x1234'
      }),
      getL1Origin: () => origin,
    })
    await expect(liar.prefetch(origin, target, [slots[0] as Hex])).rejects.toBeInstanceOf(
      L1SloadUnavailableError,
    )
    expect(liar.isCached(origin, target, slots[0] as Hex)).toBe(false)
  })

  test.each([
    [
      'wrong value',
      (r: Record<string, unknown>) => {
        const sp = r.storageProof as { value: Hex }[]
        ;(sp[0] as { value: Hex }).value = '0x1234'
      },
    ],
    [
      'forged storage node',
      (r: Record<string, unknown>) => {
        const proof = (r.storageProof as { proof: Hex[] }[])[0]?.proof as Hex[]
        const last = proof[proof.length - 1] as Hex
        proof[proof.length - 1] = `${last.slice(0, -2)}${last.endsWith('00') ? '01' : '00'}` as Hex
      },
    ],
    [
      'forged account node',
      (r: Record<string, unknown>) => {
        const proof = r.accountProof as Hex[]
        proof[0] = `${(proof[0] as Hex).slice(0, -2)}00` as Hex
      },
    ],
  ])(
    'lying RPC (%s) → L1SloadUnavailableError caused by a storage-proof error; no witness',
    async (_, tamper) => {
      const witness = new L1SloadWitness()
      const evm = await evmWith(
        createL1SloadPrecompile({ l1Client: lyingClient(tamper), getL1Origin: () => origin, witness }),
      )
      for (const via of ['direct', 'staticcall'] as const) {
        const error = await callL1Sload(evm, concatHex([target, ...slots]), { via }).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(L1SloadUnavailableError)
        expect((error as L1SloadUnavailableError).cause).toBeInstanceOf(StorageProofError)
      }
      expect(witness.size).toBe(0)
    },
  )

  test('a failing RPC → L1SloadUnavailableError; a wrong origin root → unavailable too', async () => {
    const witness = new L1SloadWitness()
    const failing = createClient({
      transport: custom(
        {
          async request() {
            throw new Error('connection refused')
          },
        },
        { retryCount: 0 },
      ),
    })
    const evm = await evmWith(
      createL1SloadPrecompile({ l1Client: failing, getL1Origin: () => origin, witness }),
    )
    await expect(callL1Sload(evm, concatHex([target, slot(0)]))).rejects.toBeInstanceOf(
      L1SloadUnavailableError,
    )
    const wrongRoot = await evmWith(
      createL1SloadPrecompile({
        l1Client: l1,
        getL1Origin: () => ({ ...origin, stateRoot: pad('0x01', { size: 32 }) }),
        witness,
      }),
    )
    const error = await callL1Sload(wrongRoot, concatHex([target, slot(0)])).catch((e: unknown) => e)
    expect((error as L1SloadUnavailableError).cause).toBeInstanceOf(StorageProofError)
    expect(witness.size).toBe(0)
  })

  test('replay: recorded values are answered identically with no L1 RPC', async () => {
    const witness = new L1SloadWitness()
    const live = await evmWith(createL1SloadPrecompile({ l1Client: l1, getL1Origin: () => origin, witness }))
    const inputs = [
      concatHex([target, ...slots]),
      concatHex([target, slot(7)]),
      concatHex([absentAccount, slot(0)]),
    ]
    const liveOut = []
    for (const input of inputs) liveOut.push(bytesToHex((await callL1Sload(live, input)).returnValue))

    // The verifier gets the entries (as a batch would carry them) and no L1 client at all.
    const carried = new L1SloadWitness()
    for (const entry of witness.entries()) carried.record(entry)
    const replay = await evmWith(createReplayL1Sload({ witness: carried, getL1Origin: () => origin }))
    for (const [i, input] of inputs.entries()) {
      const result = await callL1Sload(replay, input, { via: 'staticcall' })
      expect(bytesToHex(result.returnValue)).toBe(liveOut[i])
    }
    await expect(callL1Sload(replay, concatHex([target, slot(8)]))).rejects.toBeInstanceOf(
      L1SloadUnavailableError,
    )
  })
})
