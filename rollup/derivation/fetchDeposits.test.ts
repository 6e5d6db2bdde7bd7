import { createBlock } from '@ethereumjs/block'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { createVM } from '@ethereumjs/vm'
import {
  type Abi,
  type Client,
  createPublicClient,
  custom,
  decodeFunctionResult,
  encodeFunctionData,
  getAddress,
  type Hex,
  http,
  keccak256,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem'
import { getL2TransactionHashes } from 'viem/op-stack'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadBedrockArtifact } from '../genesis/artifacts.js'
import { buildKeystoreGenesis } from '../genesis/buildKeystoreGenesis.js'
import { applyGenesisAlloc, createKeystoreCommon } from '../node/chain.js'
import { executeDeposit } from '../node/deposit.js'
import { blobBaseFee } from '../origin/l1Block.js'
import {
  applyL1ToL2Alias,
  type DepositTx,
  depositTxHash,
  fetchDeposits,
  TRANSACTION_DEPOSITED_TOPIC,
} from './deposits.js'
import { DepositFetchError } from './errors.js'
import { batcherHashOf, buildL1AttributesDeposit } from './l1Attributes.js'
import { compileTestContracts, startTestL1, type TestL1 } from './testing.js'

const portalAbi = loadBedrockArtifact('OptimismPortal').abi
const l1MessengerAbi = loadBedrockArtifact('L1CrossDomainMessenger').abi
const TARGET: Hex = getAddress('0x00000000000000000000000000000000000beef1')

let l1: TestL1
let contracts: ReturnType<typeof compileTestContracts>

beforeAll(async () => {
  contracts = compileTestContracts()
  l1 = await startTestL1()
})
afterAll(async () => {
  await l1?.stop()
})

type WriteRequest = {
  address: Hex
  abi: Abi
  functionName: string
  args: readonly unknown[]
  value?: bigint
  gas?: bigint
}

async function send(request: WriteRequest): Promise<Hex> {
  return l1.client.writeContract({ ...request, account: l1.client.account!, chain: l1.client.chain } as never)
}

async function mined(hash: Hex): Promise<TransactionReceipt> {
  return l1.client.waitForTransactionReceipt({ hash })
}

/**
 * viem's own derivation of the L2 hashes from the receipts' logs (getL2TransactionHashes), given
 * only the portal's logs: viem does not check which contract emitted a TransactionDeposited.
 */
function viemHashes(receipts: TransactionReceipt[]): Hex[] {
  const logs = receipts.flatMap((r) => r.logs).filter((l) => l.address === l1.contracts.portal.toLowerCase())
  return getL2TransactionHashes({ logs } as never)
}

describe('fetchDeposits on a real OptimismPortal (contracts-bedrock 0.17.3 on anvil)', () => {
  test('an EOA deposit: not aliased, mint = msg.value, same hash as viem; verified and getLogs paths agree', async () => {
    const receipt = await mined(
      await send({
        address: l1.contracts.portal,
        abi: portalAbi,
        functionName: 'depositTransaction',
        args: [TARGET, 3n, 150_000n, false, '0xc0ffee'],
        value: 10n,
      }),
    )
    const deposits = await fetchDeposits(l1.client, {
      portal: l1.contracts.portal,
      l1BlockHash: receipt.blockHash,
    })
    expect(deposits).toEqual([
      {
        sourceHash: expect.any(String),
        from: l1.client.account!.address,
        to: TARGET,
        mint: 10n,
        value: 3n,
        gas: 150_000n,
        isSystemTx: false,
        data: '0xc0ffee',
      },
    ])
    expect(deposits.map(depositTxHash)).toEqual(viemHashes([receipt]))
    const unverified = await fetchDeposits(l1.client, {
      portal: l1.contracts.portal,
      l1BlockHash: receipt.blockHash,
      verify: false,
    })
    expect(unverified).toEqual(deposits)
  })

  test('one block, several transactions: only the portal’s logs of successful txs, in log order', async () => {
    const fake = await mined(
      await l1.client.deployContract({
        abi: contracts.FakePortal.abi,
        bytecode: contracts.FakePortal.bytecode,
        account: l1.client.account!,
        chain: l1.client.chain,
      }),
    )
    await l1.client.setAutomine(false)
    try {
      const hashes = [
        // a deposit
        await send({
          address: l1.contracts.portal,
          abi: portalAbi,
          functionName: 'depositTransaction',
          args: [TARGET, 0n, 100_000n, false, '0x01'],
          value: 1n,
          gas: 500_000n,
        }),
        // a TransactionDeposited look-alike from another contract: ignored
        await send({
          address: fake.contractAddress!,
          abi: contracts.FakePortal.abi,
          functionName: 'fake',
          args: [TARGET, 10n ** 24n],
          gas: 100_000n,
        }),
        // a reverted deposit (creation with a non-zero target: BadTarget)
        await send({
          address: l1.contracts.portal,
          abi: portalAbi,
          functionName: 'depositTransaction',
          args: [TARGET, 0n, 100_000n, true, '0x'],
          gas: 500_000n,
        }),
        // a cross-domain message: a deposit from the aliased L1CrossDomainMessenger
        await send({
          address: l1.contracts.l1CrossDomainMessenger,
          abi: l1MessengerAbi,
          functionName: 'sendMessage',
          args: [TARGET, '0xabcd', 50_000],
          gas: 1_000_000n,
        }),
      ]
      await l1.client.mine({ blocks: 1 })
      const receipts = await Promise.all(hashes.map(mined))
      expect(receipts.map((r) => r.status)).toEqual(['success', 'success', 'reverted', 'success'])
      const blockHash = receipts[0]!.blockHash
      expect(new Set(receipts.map((r) => r.blockHash))).toEqual(new Set([blockHash]))
      const deposits = await fetchDeposits(l1.client, { portal: l1.contracts.portal, l1BlockHash: blockHash })
      expect(deposits.map((d) => d.from)).toEqual([
        l1.client.account!.address,
        applyL1ToL2Alias(l1.contracts.l1CrossDomainMessenger),
      ])
      expect(deposits[1]?.to).toBe('0x4200000000000000000000000000000000000007')
      expect(deposits.map(depositTxHash)).toEqual(viemHashes(receipts))
      // the look-alike is a well-formed TransactionDeposited: only its emitter gives it away
      const lookAlikes = parseEventLogs({ abi: portalAbi, logs: receipts.flatMap((r) => r.logs) }).filter(
        (l) => l.eventName === 'TransactionDeposited',
      )
      expect(lookAlikes.map((l) => l.address)).toEqual([
        l1.contracts.portal.toLowerCase(),
        fake.contractAddress,
        l1.contracts.portal.toLowerCase(),
      ])
      expect(
        await fetchDeposits(l1.client, {
          portal: l1.contracts.portal,
          l1BlockHash: blockHash,
          verify: false,
        }),
      ).toEqual(deposits)
    } finally {
      await l1.client.setAutomine(true)
    }
  })

  test('end to end: L1CrossDomainMessenger.sendMessage on L1 → derived deposit → relayed on the keystore chain', async () => {
    const target = contracts.RelayTarget
    const message = encodeFunctionData({ abi: target.abi, functionName: 'relayed', args: ['0xfeed'] })
    const receipt = await mined(
      await send({
        address: l1.contracts.l1CrossDomainMessenger,
        abi: l1MessengerAbi,
        functionName: 'sendMessage',
        args: [TARGET, message, 100_000],
        value: 7n,
      }),
    )
    const l1Block = await l1.client.getBlock({ blockHash: receipt.blockHash })
    const [deposit, ...rest] = await fetchDeposits(l1.client, {
      portal: l1.contracts.portal,
      l1BlockHash: receipt.blockHash,
    })
    expect(rest).toEqual([])

    // the keystore chain, whose messenger trusts this L1 messenger
    const { alloc } = await buildKeystoreGenesis({
      l1CrossDomainMessenger: l1.contracts.l1CrossDomainMessenger,
      predeploys: [{ name: 'RelayTarget', address: TARGET, initCode: target.bytecode }],
    })
    const common = createKeystoreCommon()
    const stateManager = new MerkleStateManager({ common })
    const vm = await createVM({ common, stateManager })
    await applyGenesisAlloc(stateManager, alloc)
    const block = createBlock(
      {
        header: {
          number: 1n,
          timestamp: l1Block.timestamp + 2n,
          gasLimit: 30_000_000n,
          baseFeePerGas: 10n ** 9n,
        },
      },
      { common },
    )
    const attributes = buildL1AttributesDeposit({
      number: l1Block.number,
      timestamp: l1Block.timestamp,
      baseFee: l1Block.baseFeePerGas ?? 0n,
      blobBaseFee: blobBaseFee(l1Block.excessBlobGas ?? 0n),
      hash: l1Block.hash,
      sequenceNumber: 0n,
      batcherHash: batcherHashOf(l1.client.account!.address),
      baseFeeScalar: 1368,
      blobBaseFeeScalar: 810949,
    })
    const first = await executeDeposit(vm, attributes, block, 0n)
    const relayed = await executeDeposit(vm, deposit as DepositTx, block, first.receipt.cumulativeGasUsed)
    expect([first.receipt.status, relayed.receipt.status]).toEqual([1, 1])
    expect(relayed.hash).toBe(viemHashes([receipt])[0])
    const read = async (functionName: string) => {
      const r = await vm.evm.runCall({
        to: new Address(hexToBytes(TARGET)),
        data: hexToBytes(encodeFunctionData({ abi: target.abi, functionName })),
        skipNonceIncrement: true,
      })
      return decodeFunctionResult({
        abi: target.abi,
        functionName,
        data: bytesToHex(r.execResult.returnValue) as Hex,
      })
    }
    expect(await read('lastSender')).toBe(l1.client.account!.address)
    expect(await read('lastPayload')).toBe(keccak256('0xfeed'))
    expect((await vm.stateManager.getAccount(new Address(hexToBytes(TARGET))))?.balance).toBe(7n)
  })
})

describe('fetchDeposits against a lying L1 RPC', () => {
  let blockHash: Hex
  beforeAll(async () => {
    const receipt = await mined(
      await send({
        address: l1.contracts.portal,
        abi: portalAbi,
        functionName: 'depositTransaction',
        args: [TARGET, 0n, 100_000n, false, '0x'],
        value: 1n,
      }),
    )
    blockHash = receipt.blockHash
  })

  /** A client whose RPC answers like anvil except where `tamper` changes the result. */
  function lying(tamper: (method: string, result: unknown) => unknown): Client {
    const honest = createPublicClient({ transport: http(l1.anvil.rpcUrl) })
    return createPublicClient({
      transport: custom({
        request: async ({ method, params }) =>
          tamper(method, await honest.request({ method, params } as never)),
      }),
    })
  }
  /** Raises the mint of the deposit in a log (the opaque data's first word). */
  function inflate(log: { topics: Hex[]; data: Hex }) {
    if (log.topics[0] !== TRANSACTION_DEPOSITED_TOPIC) return log
    return { ...log, data: `${log.data.slice(0, 130)}${'ff'.repeat(32)}${log.data.slice(194)}` as Hex }
  }
  const portal = () => l1.contracts.portal

  test('forged receipts (inflated mint) fail the receiptsRoot check', async () => {
    const client = lying((method, result) =>
      method === 'eth_getBlockReceipts'
        ? (result as { logs: { topics: Hex[]; data: Hex }[] }[]).map((r) => ({
            ...r,
            logs: r.logs.map(inflate),
          }))
        : result,
    )
    const error = await fetchDeposits(client, { portal: portal(), l1BlockHash: blockHash }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(DepositFetchError)
    expect((error as DepositFetchError).reason).toBe('receipts-mismatch')
  })

  test('…whereas verify: false believes forged logs (why verification is the default)', async () => {
    const client = lying((method, result) =>
      method === 'eth_getLogs' ? (result as { topics: Hex[]; data: Hex }[]).map(inflate) : result,
    )
    const [deposit] = await fetchDeposits(client, { portal: portal(), l1BlockHash: blockHash, verify: false })
    expect(deposit?.mint).toBe(2n ** 256n - 1n)
  })

  test('a block whose header does not hash to the requested hash is refused', async () => {
    const client = lying((method, result) =>
      method === 'eth_getBlockByHash' ? { ...(result as object), receiptsRoot: keccak256('0x') } : result,
    )
    const error = await fetchDeposits(client, { portal: portal(), l1BlockHash: blockHash }).catch(
      (e: unknown) => e,
    )
    expect((error as DepositFetchError).reason).toBe('header-mismatch')
  })

  test('a dropped receipt is refused', async () => {
    const client = lying((method, result) => (method === 'eth_getBlockReceipts' ? [] : result))
    const error = await fetchDeposits(client, { portal: portal(), l1BlockHash: blockHash }).catch(
      (e: unknown) => e,
    )
    expect((error as DepositFetchError).reason).toBe('inconsistent-response')
  })

  test('getLogs answers for another block or contract are refused', async () => {
    for (const change of [{ blockHash: keccak256('0x01') }, { address: TARGET }, { removed: true }]) {
      const client = lying((method, result) =>
        method === 'eth_getLogs' ? (result as object[]).map((l) => ({ ...l, ...change })) : result,
      )
      const error = await fetchDeposits(client, {
        portal: portal(),
        l1BlockHash: blockHash,
        verify: false,
      }).catch((e: unknown) => e)
      expect((error as DepositFetchError).reason).toBe('inconsistent-response')
    }
  })

  test('an unknown block is reported as such', async () => {
    const error = await fetchDeposits(l1.client, {
      portal: portal(),
      l1BlockHash: keccak256('0x1234'),
    }).catch((e: unknown) => e)
    expect((error as DepositFetchError).reason).toBe('block-not-found')
  })
})
