import { hexToBytes } from '@ethereumjs/util'
import {
  bytesToHex,
  type Client,
  concatHex,
  createClient,
  custom,
  encodeDeployData,
  encodeFunctionData,
  type Hex,
  http,
  pad,
  parseEther,
  toHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getBlock, mine } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { l1BlocksAbi, l1BlocksBytecode } from '../../contracts/generated/index.js'
import { L1SloadWitness } from '../../precompiles/l1sload/index.js'
import { STATICCALL_L1SLOAD_CODE } from '../../precompiles/l1sload/testing.js'
import { startTestChains, type TestChains } from '../devnet/testing.js'
import { buildKeystoreGenesis } from '../genesis/buildKeystoreGenesis.js'
import { L1_BLOCK_ADDRESS } from '../origin/l1Block.js'
import { decodeBlockExtra, readL1BlocksLatest } from './blockExtra.js'
import { KeystoreNode } from './KeystoreNode.js'
import { L1OriginSelector } from './l1Origin.js'
import { blockOrigin, createSequencerPlanner, deriveBlockDeposits, encodeBlockOrigin } from './sequencer.js'

const L1_BLOCKS: Hex = '0x42000000000000000000000000000000000000b1'
const READER: Hex = '0x4200000000000000000000000000000000000101'
const TARGET: Hex = '0x2222222222222222222222222222222222222222'
const SLOT = pad('0x07')
const PORTAL: Hex = '0x3333333333333333333333333333333333333333' // no deposits in this test
const RING = 64n
const dev = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcaf784d7bf4f2ff80')
const systemConfig = {
  batcherHash: pad('0x90f79bf6eb2c4f870365e785982e1f101e93b906'),
  baseFeeScalar: 1368,
  blobBaseFeeScalar: 810949,
}

let chains: TestChains
let l1: Client
beforeAll(async () => {
  chains = await startTestChains([{ name: 'l1', chainId: 900 }])
  l1 = createClient({ transport: http(chains.anvils.l1!.rpcUrl) })
  await l1.request({ method: 'anvil_setCode', params: [TARGET, '0x00'] } as never)
  await l1.request({ method: 'anvil_setStorageAt', params: [TARGET, SLOT, pad('0x2a')] } as never)
  await mine(chains.clients.l1!, { blocks: 2, interval: 2 })
})
afterAll(async () => {
  await chains?.stop()
})

async function chainSetup() {
  const start = await getBlock(chains.clients.l1!)
  const { alloc } = await buildKeystoreGenesis({
    l1CrossDomainMessenger: '0x4444444444444444444444444444444444444444',
    predeploys: [
      {
        name: 'L1Blocks',
        address: L1_BLOCKS,
        initCode: encodeDeployData({ abi: l1BlocksAbi, bytecode: l1BlocksBytecode, args: [RING] }),
      },
    ],
    balances: { [dev.address]: parseEther('10') },
    timestamp: start.timestamp,
  })
  alloc[READER] = { code: STATICCALL_L1SLOAD_CODE }
  return {
    start,
    base: {
      alloc,
      allowedRecipients: [READER],
      genesisTimestamp: start.timestamp,
      blockTime: 2,
      genesisExtra: encodeBlockOrigin({ number: start.number, hash: start.hash, sequenceNumber: 0n }),
    },
  }
}

describe('sequencing on an L1 origin', () => {
  it('L1 attributes, L1Blocks header, L1SLOAD with witness; a replaying node rebuilds identical blocks', async () => {
    const { start, base } = await chainSetup()
    const selector = new L1OriginSelector({ l1: l1 as never, confirmations: 1 })
    const sequencer = await KeystoreNode.create({
      ...base,
      l1sload: { mode: 'live', l1Client: l1, l1Blocks: L1_BLOCKS, ringSize: RING },
      planBlock: createSequencerPlanner({ l1, selector, portal: PORTAL, l1Blocks: L1_BLOCKS, systemConfig }),
    })
    // Block 1: origin stays at the start block (the next L1 block is newer than the L2 time or unconfirmed).
    const b1 = await sequencer.produceBlock()
    expect(blockOrigin(b1)).toEqual({ number: start.number, hash: start.hash, sequenceNumber: 1n }) // genesis is 0
    expect(b1.txs.map((t) => t.kind)).toEqual(['deposit', 'deposit']) // attributes + L1Blocks header
    expect(b1.receipts.every((r) => r.status === 1)).toBe(true)
    const call = async (to: Hex, data: Hex) =>
      (await sequencer.call({ to, data }, sequencer.head)).returnValue
    expect(
      BigInt(
        await call(
          L1_BLOCK_ADDRESS,
          encodeFunctionData({
            abi: [
              {
                type: 'function',
                name: 'number',
                inputs: [],
                outputs: [{ type: 'uint64' }],
                stateMutability: 'view',
              },
            ],
            functionName: 'number',
          }),
        ),
      ),
    ).toBe(start.number)
    expect(
      await call(L1_BLOCKS, encodeFunctionData({ abi: l1BlocksAbi, functionName: 'latestL1Stateroot' })),
    ).toBe(start.stateRoot)
    // The storage layout the precompile reads matches the contract's getters.
    expect(await readL1BlocksLatest(await sequencer.stateAt(sequencer.head), L1_BLOCKS, RING)).toEqual({
      number: start.number,
      stateRoot: start.stateRoot,
    })

    // A transaction reading L1 through L1SLOAD; eth_call proves the value against L1Blocks' root.
    expect(await call(READER, concatHex([TARGET, SLOT]))).toBe(pad('0x2a'))
    const raw = await dev.signTransaction({
      chainId: 901,
      type: 'eip1559',
      to: READER,
      data: concatHex([TARGET, SLOT]),
      nonce: 0,
      gas: 100_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
    })
    await sequencer.sendRawTransaction(hexToBytes(raw))
    await mine(chains.clients.l1!, { blocks: 3, interval: 2 })
    const b2 = await sequencer.produceBlock()
    // Block 2 (timestamp start+4) moves the origin one block (start+1 has timestamp start+2, confirmed).
    expect(blockOrigin(b2)).toMatchObject({ number: start.number + 1n, sequenceNumber: 0n })
    expect(b2.txs.map((t) => t.kind)).toEqual(['deposit', 'deposit', 'signed'])
    expect(b2.receipts[2]?.status).toBe(1)
    expect(decodeBlockExtra(b2.extra).witness).toEqual([
      { l1BlockNumber: start.number + 1n, address: TARGET, key: SLOT, value: pad('0x2a') },
    ])
    const b3 = await sequencer.produceBlock()
    expect(blockOrigin(b3).sequenceNumber).toBe(blockOrigin(b2).number === blockOrigin(b3).number ? 1n : 0n)

    // A verifier: no L1SLOAD RPC, only the witness; deposits derived from L1; same blocks.
    const replica = await KeystoreNode.create({
      ...base,
      l1sload: { mode: 'replay', l1Blocks: L1_BLOCKS, ringSize: RING },
    })
    /** What a verifier derives for `block` from L1 and the batch (txs + witness). */
    const replayPlan = async (block: typeof b1, parent: typeof b1, witnessed = true) => {
      const origin = blockOrigin(block)
      const witness = new L1SloadWitness()
      if (witnessed) for (const e of decodeBlockExtra(block.extra).witness) witness.record(e)
      return {
        deposits: await deriveBlockDeposits({
          l1,
          portal: PORTAL,
          l1Blocks: L1_BLOCKS,
          systemConfig,
          origin: await selector.byHash(origin.hash),
          sequenceNumber: origin.sequenceNumber,
          newEpoch: origin.number !== blockOrigin(parent).number || block.number === 1n,
        }),
        extra: encodeBlockOrigin(origin),
        witness,
        txs: block.txs.filter((t) => t.kind === 'signed').map((t) => t.raw),
      }
    }
    let parent = replica.head
    for (const block of [b1, b2, b3]) {
      expect((await replica.applyBlock(await replayPlan(block, parent))).hash).toBe(block.hash)
      parent = block
    }
    // Without the witness entry the replay refuses the block and commits nothing.
    await sequencer.sendRawTransaction(
      hexToBytes(
        await dev.signTransaction({
          chainId: 901,
          type: 'eip1559',
          to: READER,
          data: concatHex([TARGET, pad('0x08')]),
          nonce: 1,
          gas: 100_000n,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 1n,
        }),
      ),
    )
    const b4 = await sequencer.produceBlock()
    const head = replica.head.hash
    await expect(replica.applyBlock(await replayPlan(b4, b3, false))).rejects.toThrow(/cannot execute/)
    expect(replica.head.hash).toBe(head)
    await sequencer.stop()
    await replica.stop()
  })
})

describe('L1SLOAD prefetch', () => {
  /** The L1 client L1SLOAD uses, counting eth_getProof requests and the keys asked. */
  function countingL1() {
    const calls: number[] = []
    const client = createClient({
      transport: custom(
        {
          async request({ method, params }) {
            if (method === 'eth_getProof') calls.push((params as [Hex, Hex[]])[1].length)
            return l1.request({ method, params } as never)
          },
        },
        { retryCount: 0 },
      ),
    })
    return { client, calls }
  }
  const read = (slot: Hex, nonce: number) =>
    dev.signTransaction({
      chainId: 901,
      type: 'eip1559',
      to: READER,
      data: concatHex([TARGET, slot]),
      nonce,
      gas: 100_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
    })
  const slots = Array.from({ length: 6 }, (_, i) => pad(toHex(7 + i)))

  it.each([
    ['dry run', undefined],
    [
      'predicted',
      (tx: { to: Hex; data: Uint8Array }) =>
        tx.to.toLowerCase() === READER.toLowerCase()
          ? [{ address: TARGET, keys: [bytesToHex(tx.data.subarray(20)) as Hex] }]
          : undefined,
    ],
    ['mispredicted', () => [{ address: TARGET, keys: [pad('0xdead')] }]],
  ] as const)(
    'a block proves its reads with one eth_getProof ahead of execution (%s); same block as a replay',
    async (mode, predictReads) => {
      const { base } = await chainSetup()
      const { client, calls } = countingL1()
      const records: { msg: string; fields?: Record<string, unknown> }[] = []
      const logger = {
        debug: (msg: string, fields?: Record<string, unknown>) => void records.push({ msg, fields }),
        info: () => {},
        warn: () => {},
        error: () => {},
        child() {
          return this
        },
      }
      const selector = new L1OriginSelector({ l1: l1 as never, confirmations: 1 })
      const sequencer = await KeystoreNode.create({
        ...base,
        l1sload: { mode: 'live', l1Client: client, l1Blocks: L1_BLOCKS, ringSize: RING, predictReads },
        planBlock: createSequencerPlanner({
          l1,
          selector,
          portal: PORTAL,
          l1Blocks: L1_BLOCKS,
          systemConfig,
        }),
        logger,
      })
      const b1 = await sequencer.produceBlock() // the origin's header in L1Blocks
      for (const [i, slot] of slots.entries())
        await sequencer.sendRawTransaction(hexToBytes(await read(slot, i)))
      const b2 = await sequencer.produceBlock()
      expect(b2.receipts.filter((r) => r.type === 2).map((r) => r.status)).toEqual(slots.map(() => 1))
      // Served values, in order, each proven: slot 7 holds 0x2a on L1, the others are empty.
      const origin = blockOrigin(b2).number
      expect(decodeBlockExtra(b2.extra).witness).toEqual(
        slots.map((key, i) => ({
          l1BlockNumber: origin,
          address: TARGET,
          key,
          value: pad(i === 0 ? '0x2a' : '0x'),
        })),
      )
      if (mode !== 'mispredicted') {
        // One multi-key eth_getProof for the six reads, none during execution.
        expect(calls).toEqual([slots.length])
      } else {
        // A wrong guess costs a fetch per transaction, never a wrong value.
        expect(calls.length).toBe(1 + slots.length)
      }
      const prefetched = records.find((r) => r.msg === 'L1SLOAD prefetched')
      expect(prefetched?.fields?.dryRuns).toBe(predictReads ? 0 : slots.length)

      // A verifier replaying from the witness builds the same blocks.
      const replica = await KeystoreNode.create({
        ...base,
        l1sload: { mode: 'replay', l1Blocks: L1_BLOCKS, ringSize: RING },
      })
      let parent = replica.head
      for (const block of [b1, b2]) {
        const o = blockOrigin(block)
        const witness = new L1SloadWitness()
        for (const e of decodeBlockExtra(block.extra).witness) witness.record(e)
        const applied = await replica.applyBlock({
          deposits: await deriveBlockDeposits({
            l1,
            portal: PORTAL,
            l1Blocks: L1_BLOCKS,
            systemConfig,
            origin: await selector.byHash(o.hash),
            sequenceNumber: o.sequenceNumber,
            newEpoch: o.number !== blockOrigin(parent).number || block.number === 1n,
          }),
          extra: encodeBlockOrigin(o),
          witness,
          txs: block.txs.filter((t) => t.kind === 'signed').map((t) => t.raw),
        })
        expect(applied.hash).toBe(block.hash)
        parent = block
      }
      await sequencer.stop()
      await replica.stop()
    },
  )
})

describe('an L1 RPC that fails or hangs', () => {
  it('fails the slot without a trace, keeps serving, and produces once L1 answers again', async () => {
    const { base } = await chainSetup()
    let mode: 'ok' | 'down' | 'hang' = 'ok'
    const url = chains.anvils.l1!.rpcUrl
    const flaky = createClient({
      transport: custom(
        {
          async request({ method, params }) {
            if (mode === 'down') throw new Error('ECONNREFUSED (test)')
            if (mode === 'hang') await new Promise((r) => setTimeout(r, 1000)) // then answers, late
            const res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
            })
            const json = (await res.json()) as { result?: unknown; error?: { message: string } }
            if (json.error) throw new Error(json.error.message)
            return json.result
          },
        },
        { retryCount: 0 },
      ),
    })
    const selector = new L1OriginSelector({ l1: flaky as never, confirmations: 1 })
    const node = await KeystoreNode.create({
      ...base,
      l1sload: { mode: 'live', l1Client: flaky, l1Blocks: L1_BLOCKS, ringSize: RING },
      planBlock: createSequencerPlanner({
        l1: flaky,
        selector,
        portal: PORTAL,
        l1Blocks: L1_BLOCKS,
        systemConfig,
      }),
      planTimeoutMs: 300,
    })
    await node.produceBlock()
    const head = { hash: node.head.hash, root: node.head.header.stateRoot }
    mode = 'down'
    await expect(node.produceBlock()).rejects.toThrow(/ECONNREFUSED/)
    expect(node.head.hash).toBe(head.hash)
    expect(node.head.header.stateRoot).toEqual(head.root)
    expect(node.health().lastError).toMatch(/ECONNREFUSED/)
    // still serving reads
    expect(
      (
        await node.call(
          { to: L1_BLOCKS, data: encodeFunctionData({ abi: l1BlocksAbi, functionName: 'RING_SIZE' }) },
          node.head,
        )
      ).returnValue,
    ).toBe(pad('0x40'))
    // a hanging L1 RPC: the slot times out, the lock is released, admission still answers
    mode = 'hang'
    await expect(node.produceBlock()).rejects.toThrow(/timed out/)
    expect(node.head.hash).toBe(head.hash)
    expect(await node.sendRawTransaction(new Uint8Array([1])).catch((e: Error) => e.name)).toBe(
      'KeystoreTxRejectedError',
    )
    mode = 'ok'
    await new Promise((r) => setTimeout(r, 1100)) // the late answers have come in
    const next = await node.produceBlock()
    expect(next.number).toBe(2n)
    expect(next.header.parentHash).toEqual(hexToBytes(head.hash))
    await node.stop()
  })
})
