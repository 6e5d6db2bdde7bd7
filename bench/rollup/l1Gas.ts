/**
 * `rollup.l1_gas_per_update` vs `rollup.l1_gas_direct_update`: the L1 gas the keystore chain
 * spends per key update — its batches (the real Batcher posting the blocks to the batch inbox,
 * read from the batcher's own record of each batch transaction's receipt) plus the output roots
 * covering them (the real Proposer's `proposeL2Output` receipts, found through `OutputProposed`),
 * divided by the updates — against one `L1Keystore.updateKey` sent on the same L1 by the account
 * itself. Devnet settings (node-config/devnet.json: L1 blocks every 2 s, L2 blocks every 1 s,
 * an output every 10 L2 blocks); updates are real `updateKey` transactions from bound EOAs.
 *
 * `mode: 'calldata'` (the devnet's default batches) gives the headline figures; `mode: 'blobs'`
 * (`batcherOptions: { dataAvailability: 'blobs' }`, what a production OP chain posts) the same
 * figures with `.blobs` after their names. Blob gas counts unit for unit with execution gas.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeFunctionData, type Hex, keccak256, parseGwei, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { l1KeystoreAbi, opL2OutputOracleAbi } from '../../contracts/generated/index.js'
import { Batcher, type BatcherParameters } from '../../rollup/batcher/Batcher.js'
import { createDevnetClient, makeChain } from '../../rollup/devnet/clients.js'
import { createKeystoreChainNode, nodeBatchSource } from '../../rollup/keystore/keystoreChain.js'
import { Proposer } from '../../rollup/proposer/Proposer.js'
import { startKeystoreBenchL1, waitForBindings } from './fixture.js'
import { runLoad } from './load.js'
import { signUpdates } from './signer.js'

export type L1GasOptions = {
  /** Updates sent. Default 2000. */
  updates: number
  /** Offered per second (default 100: ~1,000 updates per 10-block output interval). */
  rate: number
  accounts: number
  /** Extra Batcher options (e.g. a blob mode, when the Batcher has one). */
  batcherOptions?: Partial<BatcherParameters> | undefined
  /** Label of the batch data mode, for the log. */
  mode: string
}

/** One update per account: every update's L1SLOAD witness entries are its own (nothing repeats). */
export const DEFAULT_L1_GAS: L1GasOptions = { updates: 2000, rate: 100, accounts: 2000, mode: 'calldata' }

type BatchRecord = {
  first: bigint
  last: bigint
  gasUsed: bigint
  blobGasUsed: bigint
  calldataBytes: number
  l1Block: bigint
}

export async function benchL1Gas(log: (line: string) => void, options: Partial<L1GasOptions> = {}) {
  const o = { ...DEFAULT_L1_GAS, ...options }
  const say = (line: string) => log(`l1 gas: ${line}`)
  const l1 = await startKeystoreBenchL1({ accounts: o.accounts, log: say })
  const dataDir = mkdtempSync(join(tmpdir(), 'keystore-gas-'))
  const { config, devnet } = l1
  const ks = devnet.addresses.keystore!
  const l1Client = devnet.clients.l1!
  const services: { stop(): Promise<void> }[] = []
  try {
    const node = await createKeystoreChainNode({
      ...l1.inputs,
      l1: l1Client,
      confirmations: config.keystore!.originLag,
      dataDir,
      produceBlocks: true,
      rpc: { port: 0 },
    })
    await node.start()
    services.push(node)
    const keystoreClient = createDevnetClient({
      chain: makeChain({
        name: 'keystore',
        chainId: ks.chainId,
        rpcUrl: node.rpcUrl!,
        blockTime: ks.l2BlockTime,
      }),
      pollingIntervalMs: 250,
    })
    const l1As = (key: string) => {
      const account = privateKeyToAccount(key as Hex)
      return {
        account,
        client: createDevnetClient({ chain: l1Client.chain, account, pollingIntervalMs: 250 }),
      }
    }
    const b = l1As(config.accounts.batcher!)
    const batcher = new Batcher({
      l1: b.client,
      account: b.account,
      source: nodeBatchSource(node),
      inbox: ks.batchInbox,
      l1StartBlock: BigInt(ks.genesis.l1StartBlock),
      maxDelayMs: 2000,
      pollIntervalMs: 500,
      onSafeHead: (head) => head && node.setSafeHeads({ safe: head.number }),
      ...o.batcherOptions,
    })
    await batcher.start()
    services.unshift(batcher)
    const p = l1As(config.accounts.proposer!)
    const proposer = new Proposer({
      l1: p.client,
      l2: keystoreClient,
      l2OutputOracle: ks.l1.L2OutputOracle,
      account: p.account,
      safeTag: 'safe',
      pollIntervalMs: 500,
    })
    await proposer.start()
    services.unshift(proposer)

    // Every batch the batcher sends, from its own record (receipt gas, calldata, block range).
    const batches = new Map<string, BatchRecord>()
    const watch = setInterval(() => {
      const last = batcher.health().lastBatch
      if (last)
        batches.set(`${last.first}-${last.l1Block}`, {
          first: last.first,
          last: last.last,
          gasUsed: BigInt(last.gasUsed),
          blobGasUsed: BigInt(last.blobGasUsed),
          calldataBytes: last.calldataBytes,
          l1Block: last.l1Block,
        })
    }, 100)
    try {
      const until = async (what: string, f: () => Promise<boolean> | boolean, timeoutMs = 120_000) => {
        const deadline = Date.now() + timeoutMs
        while (!(await f())) {
          if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`)
          await new Promise((r) => setTimeout(r, 200))
        }
      }
      await waitForBindings(node.rpcUrl!, l1.accounts[0]!)
      const fromL1 = await l1Client.getBlockNumber()
      const startHead = node.head.number
      const txs = signUpdates({
        accounts: l1.accounts,
        key: l1.key,
        oldValue: l1.value,
        count: o.updates,
        gas: 200_000n,
        maxFeePerGas: parseGwei('1000'),
        maxPriorityFeePerGas: 1n,
        tag: 'l1gas',
      })
      say(`sending ${o.updates} updateKey txs at ${o.rate}/s (batches: ${o.mode})`)
      const load = await runLoad({ rpcUrl: node.rpcUrl!, txs, ratePerSecond: o.rate })
      if (load.accepted !== o.updates)
        throw new Error(
          `bench: only ${load.accepted} of ${o.updates} updates accepted: ${JSON.stringify(load.rejected)}`,
        )
      const hashes = new Set(txs.map((t) => t.hash as string))
      await until('every update in a block', () => node.mempool.size === 0)
      // The blocks holding the updates, and the count actually included (and successful).
      let first: bigint | undefined
      let lastBlock = 0n
      let included = 0
      let reverted = 0
      for (let n = startHead + 1n; n <= node.head.number; n++) {
        const block = await node.getBlockByNumber(n)
        for (const [i, t] of (block?.txs ?? []).entries()) {
          if (!hashes.has(t.hash)) continue
          first ??= n
          lastBlock = n
          if (block?.receipts[i]?.status === 1) included++
          else reverted++
        }
      }
      if (first === undefined || included === 0) throw new Error('bench: no update was included')
      const firstBlock = first
      const interval = BigInt(config.keystore!.submissionInterval)
      const coveredTo = ((lastBlock + interval - 1n) / interval) * interval
      say(
        `${included} updates in L2 blocks ${firstBlock}..${lastBlock}; waiting for their batches and the outputs up to ${coveredTo}`,
      )
      await until('the batches of the update blocks', () => (batcher.safeHead?.number ?? 0n) >= lastBlock)
      await until('the outputs covering them', async () => {
        const latest = await l1Client.readContract({
          address: ks.l1.L2OutputOracle,
          abi: opL2OutputOracleAbi,
          functionName: 'latestBlockNumber',
        })
        return latest >= coveredTo
      })
      await new Promise((r) => setTimeout(r, 300)) // the watcher's last sample
      const used = [...batches.values()].filter((x) => x.last >= firstBlock && x.first <= lastBlock)
      const batchGas = used.reduce((n, x) => n + x.gasUsed, 0n)
      const blobGas = used.reduce((n, x) => n + x.blobGasUsed, 0n)
      const calldata = used.reduce((n, x) => n + x.calldataBytes, 0)
      const proposals = await l1Client.getContractEvents({
        address: ks.l1.L2OutputOracle,
        abi: opL2OutputOracleAbi,
        eventName: 'OutputProposed',
        fromBlock: fromL1,
      })
      const covering = proposals.filter((e) => {
        const n = e.args.l2BlockNumber as bigint
        return n >= firstBlock && n - interval < lastBlock
      })
      let outputGas = 0n
      for (const e of covering)
        outputGas += (await l1Client.getTransactionReceipt({ hash: e.transactionHash })).gasUsed

      // Baseline: the account itself updates a key on L1 (non-zero → non-zero, as above).
      const who = l1.accounts[0]!.account
      await l1Client.impersonateAccount({ address: who })
      const direct = await l1Client.waitForTransactionReceipt({
        hash: await l1Client.sendTransaction({
          account: who,
          chain: l1Client.chain,
          to: l1.l1Keystore,
          data: encodeFunctionData({
            abi: l1KeystoreAbi,
            functionName: 'updateKey',
            args: [who, l1.key, l1.value, keccak256(toHex('bench direct update'))],
          }),
        }),
      })
      await l1Client.stopImpersonatingAccount({ address: who })
      if (direct.status !== 'success') throw new Error('bench: the direct L1Keystore.updateKey reverted')

      // Blob gas is priced in its own fee market; it is counted here unit for unit with execution
      // gas (the figure a user compares against), and reported on its own as well.
      const perUpdate = Number(batchGas + blobGas + outputGas) / included
      const directGas = Number(direct.gasUsed)
      say(
        `${o.mode}: ${used.length} batch txs (${calldata} calldata bytes, ${batchGas} gas, ${blobGas} blob gas) + ${covering.length} outputs (${outputGas} gas) for ${included} updates` +
          `${reverted ? ` (${reverted} reverted on L2)` : ''}: ${perUpdate.toFixed(0)} L1 gas per update; ` +
          `L1Keystore.updateKey directly: ${directGas} gas; ratio ${(perUpdate / directGas).toFixed(3)}`,
      )
      // Calldata batches give the headline names; other modes the same names with `.<mode>` after.
      const name = (n: string) => (o.mode === 'calldata' ? n : `${n}.${o.mode}`)
      return {
        [name('rollup.l1_gas_per_update')]: Math.round(perUpdate),
        [name('rollup.l1_gas_direct_update')]: directGas,
        [name('rollup.l1_gas.batch_per_update')]: Math.round(Number(batchGas) / included),
        ...(blobGas > 0n
          ? { [name('rollup.l1_gas.blob_gas_per_update')]: Math.round(Number(blobGas) / included) }
          : {}),
        [name('rollup.l1_gas.output_per_update')]: Math.round(Number(outputGas) / included),
        [name('rollup.l1_gas.calldata_bytes_per_update')]: Math.round((calldata / included) * 10) / 10,
        [name('rollup.l1_gas.ratio')]: Math.round((perUpdate / directGas) * 1000) / 1000,
        [name('rollup.l1_gas.updates')]: included,
        [name('rollup.l1_gas.outputs')]: covering.length,
      }
    } finally {
      clearInterval(watch)
    }
  } finally {
    for (const s of services) await s.stop().catch(() => {})
    await l1.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
