/**
 * `e2e.keystore_to_l2.s`: a key written on the keystore chain until the value is verified on
 * l2a and l2b, on the devnet with its settings (node-config/devnet.json: L1 blocks every 2 s,
 * keystore L2 blocks every 1 s, an output every 10 L2 blocks, 4 s finalization period) and its
 * services (node, batcher, proposer, relayer, feeder, origin updaters). The write path of
 * test/keystoreChain.e2e.test.ts: an account registered on L1 with l2Rollup = the keystore
 * chain's L2Keystore binds the devnet deployer's address for chain 901; the deployer sends
 * `updateKey` on the keystore chain; the devnet's Relayer proves and finalizes the withdrawal
 * into L1Keystore; then `syncKeys` proves the new value on l2a and l2b.
 *
 * Each sample updates its own key (independent pre-checks) and records when each stage was first
 * observed (polling every 100 ms): included on the keystore chain, batch on L1 (safe head),
 * output proposed covering the block, withdrawal proven, finalization period over (L1 time),
 * finalized on L1 (value in L1Keystore), L1Blocks on l2a/l2b at that L1 block, synced on both.
 */
import {
  type Address,
  concat,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  pad,
  parseEther,
  toHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getWithdrawals } from 'viem/op-stack'
import {
  keystoreChainL2KeystoreAbi,
  l1BlocksAbi,
  l1KeystoreAbi,
  opL2OutputOracleAbi,
  opOptimismPortalAbi,
} from '../../contracts/generated/index.js'
import { loadConfig } from '../../rollup/config/load.js'
import { getFreePort, startDevnet } from '../../rollup/devnet/index.js'
import { KEYSTORE_PREDEPLOYS } from '../../rollup/keystore/keystoreChain.js'
import { blockOrigin } from '../../rollup/node/sequencer.js'
import { defineKeystoreChain } from '../../rollup/opstack/chain.js'
import { syncKeys } from '../../sdk/index.js'
import { E2E_STAGES, type E2EStage } from './stages.js'

export async function benchE2EKeystore(log: (line: string) => void, options: { samples?: number } = {}) {
  const samples = options.samples ?? 3
  const say = (line: string) => log(`e2e: ${line}`)
  const config = loadConfig()
  const ports: Record<string, number> = { l1: await getFreePort(), keystore: await getFreePort() }
  for (const name of Object.keys(config.l2s)) ports[name] = await getFreePort()
  const devnet = await startDevnet({ config, ports, addressesFile: false })
  try {
    const l1 = devnet.clients.l1!
    const ks = devnet.addresses.keystore!
    const node = devnet.keystore!.node
    const l1Keystore = devnet.addresses.contracts.l1.L1Keystore as Address
    const operator = l1.account!
    const signer = privateKeyToAccount(devnet.addresses.deployerPrivateKey as Hex)
    const keystoreChain = defineKeystoreChain({
      chainId: ks.chainId,
      rpcUrl: devnet.rpcUrls.keystore!,
      l1ChainId: config.l1.chainId,
      addresses: ks.l1,
      blockTime: ks.l2BlockTime,
    })
    const keystore = createPublicClient({ chain: keystoreChain, transport: http() })
    const keystoreWallet = createWalletClient({ account: signer, chain: keystoreChain, transport: http() })

    // The account: one key per sample, opted in to the keystore chain, the deployer bound for 901.
    const walletId = concat([operator.address, toHex('bench-e2e', { size: 12 })])
    await l1.waitForTransactionReceipt({
      hash: await l1.writeContract({
        account: operator,
        chain: l1.chain,
        address: l1Keystore,
        abi: l1KeystoreAbi,
        functionName: 'registerWallet',
        args: [walletId, operator.address],
      }),
    })
    const keys = Array.from({ length: samples }, (_, i) => keccak256(toHex(`bench e2e key ${i}`)))
    const v0 = keys.map((k) => keccak256(concat([k, toHex('v0')])))
    const { result: account, request } = await l1.simulateContract({
      account: operator,
      address: l1Keystore,
      abi: l1KeystoreAbi,
      functionName: 'registerAccount',
      args: [
        concat([operator.address, toHex('e2e', { size: 12 })]),
        walletId,
        keys,
        v0,
        '0x',
        KEYSTORE_PREDEPLOYS.L2Keystore,
      ],
    })
    await l1.waitForTransactionReceipt({ hash: await l1.writeContract(request) })
    await l1.impersonateAccount({ address: account })
    await l1.setBalance({ address: account, value: parseEther('1') })
    const bound = await l1.waitForTransactionReceipt({
      hash: await createWalletClient({
        account,
        chain: l1.chain,
        transport: http(devnet.rpcUrls.l1),
      }).writeContract({
        address: l1Keystore,
        abi: l1KeystoreAbi,
        functionName: 'bindAddress',
        args: [account, 901n, pad(signer.address)],
      }),
    })
    await l1.stopImpersonatingAccount({ address: account })
    const wait = async (what: string, f: () => Promise<boolean> | boolean, timeoutMs = 180_000) => {
      const deadline = Date.now() + timeoutMs
      while (!(await f())) {
        if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    await wait(
      'the keystore chain to see the binding',
      () => blockOrigin(node.head).number >= bound.blockNumber,
    )

    const runs: Record<E2EStage, number>[] = []
    const relayGas: number[] = []
    for (const [i, key] of keys.entries()) {
      const newValue = keccak256(concat([key, toHex('v1')]))
      const t0 = performance.now()
      const at: Partial<Record<E2EStage, number>> = {}
      const mark = (s: E2EStage) => {
        at[s] = (performance.now() - t0) / 1000
      }
      const hash = await keystoreWallet.writeContract({
        address: KEYSTORE_PREDEPLOYS.L2Keystore,
        abi: keystoreChainL2KeystoreAbi,
        functionName: 'updateKey',
        args: [account, key, v0[i]!, newValue],
      })
      const receipt = await keystore.waitForTransactionReceipt({ hash, pollingInterval: 100 })
      if (receipt.status !== 'success') throw new Error('bench: the keystore-chain updateKey reverted')
      mark('included')
      const [withdrawal] = getWithdrawals(receipt)
      if (!withdrawal) throw new Error('bench: the update sent no message to L1')
      await wait('the batch', () => node.safeHead >= receipt.blockNumber)
      mark('batched')
      await wait('the output', async () => {
        const latest = await l1.readContract({
          address: ks.l1.L2OutputOracle,
          abi: opL2OutputOracleAbi,
          functionName: 'latestBlockNumber',
        })
        return latest >= receipt.blockNumber
      })
      mark('output')
      let provenAt = 0n
      await wait('the proof', async () => {
        const [, timestamp] = await l1.readContract({
          address: ks.l1.OptimismPortal,
          abi: opOptimismPortalAbi,
          functionName: 'provenWithdrawals',
          args: [withdrawal.withdrawalHash],
        })
        provenAt = timestamp
        return timestamp > 0n
      })
      mark('proven')
      const period = BigInt(config.keystore!.finalizationPeriodSeconds)
      await wait('the finalization period', async () => (await l1.getBlock()).timestamp > provenAt + period)
      mark('window')
      await wait(
        'the finalization',
        async () =>
          (await l1.readContract({
            address: l1Keystore,
            abi: l1KeystoreAbi,
            functionName: 'loadKey',
            args: [account, key],
          })) === newValue,
      )
      mark('finalized')
      const [finalizedEvent] = await l1.getContractEvents({
        address: ks.l1.OptimismPortal,
        abi: opOptimismPortalAbi,
        eventName: 'WithdrawalFinalized',
        args: { withdrawalHash: withdrawal.withdrawalHash },
        fromBlock: 0n,
      })
      const finalizedBlock = finalizedEvent?.blockNumber
      if (finalizedBlock === undefined) throw new Error('bench: no WithdrawalFinalized event')
      // What delivering this update to L1 cost: the withdrawal's proof and its finalization.
      const [provenEvent] = await l1.getContractEvents({
        address: ks.l1.OptimismPortal,
        abi: opOptimismPortalAbi,
        eventName: 'WithdrawalProven',
        args: { withdrawalHash: withdrawal.withdrawalHash },
        fromBlock: 0n,
      })
      if (!provenEvent) throw new Error('bench: no WithdrawalProven event')
      const [proveGas, finalizeGas] = await Promise.all(
        [provenEvent.transactionHash, finalizedEvent!.transactionHash].map(
          async (h) => (await l1.getTransactionReceipt({ hash: h })).gasUsed,
        ),
      )
      relayGas.push(Number(proveGas! + finalizeGas!))
      const l2s = ['l2a', 'l2b'].map((name) => devnet.clients[name]!)
      const l1Blocks = devnet.addresses.contracts.l2.L1Blocks as Address
      await wait('L1Blocks on l2a and l2b', async () => {
        const latest = await Promise.all(
          l2s.map((l2) =>
            l2.readContract({ address: l1Blocks, abi: l1BlocksAbi, functionName: 'latestBlockNumber' }),
          ),
        )
        return latest.every((n) => n >= finalizedBlock)
      })
      mark('l1blocks')
      const l2Keystore = devnet.addresses.contracts.l2.L2Keystore as Address
      const synced = await Promise.all(
        l2s.map((l2) => syncKeys(l2, { l1Client: l1, l2Keystore, account, keys: [key] })),
      )
      if (!synced.every((s) => s.values[0]?.value === newValue))
        throw new Error('bench: an L2 did not prove the new value')
      mark('synced')
      const run = at as Record<E2EStage, number>
      runs.push(run)
      say(
        `sample ${i + 1}/${samples}: ${run.synced.toFixed(1)} s (${E2E_STAGES.map(([s]) => `${s} ${run[s].toFixed(1)}`).join(', ')})`,
      )
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
    const out: Record<string, number> = {
      'e2e.keystore_to_l2.s': round2(median(runs.map((r) => r.synced))),
      'e2e.keystore_to_l2.max.s': round2(Math.max(...runs.map((r) => r.synced))),
      'rollup.l1_gas.relay_per_update': median(relayGas),
    }
    // Each stage as the median time spent in it (from the previous stage).
    for (const [j, [stage]] of E2E_STAGES.entries()) {
      const prev = j === 0 ? undefined : E2E_STAGES[j - 1]?.[0]
      out[`e2e.keystore_to_l2.stage.${stage}.s`] = round2(
        median(runs.map((r) => r[stage] - (prev ? r[prev] : 0))),
      )
    }
    return out
  } finally {
    await devnet.stop()
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100
}
