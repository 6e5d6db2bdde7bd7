import { type Block, createBlock } from '@ethereumjs/block'
import { RLP } from '@ethereumjs/rlp'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { Bloom, createVM, encodeReceipt, runTx, type VM } from '@ethereumjs/vm'
import {
  type Abi,
  createPublicClient,
  custom,
  decodeEventLog,
  decodeFunctionResult,
  defineChain,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  getContractAddress,
  type Hex,
  keccak256,
  pad,
  parseEther,
  toHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { chainConfig, serializeTransaction } from 'viem/op-stack'
import { beforeAll, describe, expect, test } from 'vitest'
import { applyL1ToL2Alias, type DepositTx, userDepositSourceHash } from '../derivation/deposits.js'
import { batcherHashOf, buildL1AttributesDeposit } from '../derivation/l1Attributes.js'
import { compileRelayTarget } from '../derivation/testing.js'
import { loadBedrockArtifact } from '../genesis/artifacts.js'
import { buildKeystoreGenesis } from '../genesis/buildKeystoreGenesis.js'
import { OP_PREDEPLOY_ADDRESSES } from '../genesis/predeploys.js'
import { applyGenesisAlloc, createKeystoreCommon, type GenesisAlloc } from './chain.js'
import {
  DepositExecutionError,
  encodeDepositReceipt,
  executeDeposit,
  formatDepositReceipt,
  formatDepositTransaction,
} from './deposit.js'

const L1_MESSENGER: Hex = '0x5f5a404A5edabcDD80DB05E8e54A78c9EBF000C2'
const TARGET: Hex = getAddress('0x00000000000000000000000000000000000beef1')
const L1_USER: Hex = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const CDM = OP_PREDEPLOY_ADDRESSES.L2CrossDomainMessenger
const EOA_KEY: Hex = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'
const EOA = privateKeyToAccount(EOA_KEY).address
const L1_HASH: Hex = `0x${'ab'.repeat(32)}`
const common = createKeystoreCommon()
const cdmAbi = loadBedrockArtifact('L2CrossDomainMessenger').abi
const l1BlockAbi = loadBedrockArtifact('L1Block').abi

let alloc: GenesisAlloc
let target: { abi: Abi; bytecode: Hex }

beforeAll(async () => {
  target = compileRelayTarget()
  ;({ alloc } = await buildKeystoreGenesis({
    l1CrossDomainMessenger: L1_MESSENGER,
    predeploys: [{ name: 'RelayTarget', address: TARGET, initCode: target.bytecode }],
    balances: { [EOA]: parseEther('10') },
  }))
})

async function freshVm(precompiles?: Parameters<typeof createVM>[0]): Promise<VM> {
  const stateManager = new MerkleStateManager({ common })
  const vm = await createVM({ common, stateManager, ...precompiles })
  await applyGenesisAlloc(stateManager, alloc)
  return vm
}

function l2Block(): Block {
  return createBlock(
    {
      header: {
        number: 1n,
        timestamp: 1_700_000_000n,
        gasLimit: 30_000_000n,
        baseFeePerGas: 1_000_000_000n,
        coinbase: '0x4200000000000000000000000000000000000011',
      },
    },
    { common },
  )
}

async function view(vm: VM, to: Hex, abi: Abi, functionName: string, args: unknown[] = []): Promise<unknown> {
  const result = await vm.evm.runCall({
    to: new Address(hexToBytes(to)),
    data: hexToBytes(encodeFunctionData({ abi, functionName, args })),
    gasLimit: 1_000_000n,
    skipNonceIncrement: true,
    isStatic: true,
  })
  expect(result.execResult.exceptionError).toBeUndefined()
  return decodeFunctionResult({ abi, functionName, data: bytesToHex(result.execResult.returnValue) as Hex })
}

async function accountOf(vm: VM, address: Hex) {
  const a = await vm.stateManager.getAccount(new Address(hexToBytes(address)))
  return { nonce: a?.nonce ?? 0n, balance: a?.balance ?? 0n }
}

/** viem's independent serializer (viem/op-stack) for the same deposit. */
function viemHash(d: DepositTx): Hex {
  return keccak256(
    serializeTransaction({
      type: 'deposit',
      sourceHash: d.sourceHash,
      from: d.from,
      ...(d.to ? { to: d.to } : {}),
      mint: d.mint,
      value: d.value,
      gas: d.gas,
      isSystemTx: d.isSystemTx,
      data: d.data,
    }),
  )
}

function relayDeposit(parameters: { from: Hex; value?: bigint; payload: Hex; nonce?: bigint }): DepositTx {
  const value = parameters.value ?? 0n
  const message = encodeFunctionData({ abi: target.abi, functionName: 'relayed', args: [parameters.payload] })
  return {
    sourceHash: userDepositSourceHash({ l1BlockHash: L1_HASH, logIndex: 3 }),
    from: parameters.from,
    to: CDM,
    mint: value,
    value,
    gas: 500_000n,
    isSystemTx: false,
    // CrossDomainMessenger.sendMessage's encoding on L1: the nonce carries version 1 in its top two bytes.
    data: encodeFunctionData({
      abi: cdmAbi,
      functionName: 'relayMessage',
      args: [(1n << 240n) | (parameters.nonce ?? 0n), L1_USER, TARGET, value, 200_000n, message],
    }),
  }
}

describe('executeDeposit', () => {
  test('the L1-attributes deposit writes the L1 origin into L1Block', async () => {
    const vm = await freshVm()
    const before = await accountOf(vm, '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001')
    const deposit = buildL1AttributesDeposit({
      number: 21_000_000n,
      timestamp: 1_699_999_988n,
      baseFee: 7_000_000_000n,
      blobBaseFee: 3n,
      hash: L1_HASH,
      sequenceNumber: 0n,
      batcherHash: batcherHashOf('0x90F79bf6EB2c4f870365E785982E1f101E93b906'),
      baseFeeScalar: 1368,
      blobBaseFeeScalar: 810949,
    })
    const result = await executeDeposit(vm, deposit, l2Block(), 0n)
    expect(result.error).toBeUndefined()
    expect(result.receipt.status).toBe(1)
    expect(result.receipt.depositNonce).toBe(before.nonce)
    expect(result.receipt.gasUsed).toBeGreaterThan(21_000n)
    expect(result.receipt.gasUsed).toBeLessThan(1_000_000n)
    expect(result.hash).toBe(viemHash(deposit))
    const l1Block = OP_PREDEPLOY_ADDRESSES.L1Block
    expect(await view(vm, l1Block, l1BlockAbi, 'number')).toBe(21_000_000n)
    expect(await view(vm, l1Block, l1BlockAbi, 'timestamp')).toBe(1_699_999_988n)
    expect(await view(vm, l1Block, l1BlockAbi, 'basefee')).toBe(7_000_000_000n)
    expect(await view(vm, l1Block, l1BlockAbi, 'blobBaseFee')).toBe(3n)
    expect(await view(vm, l1Block, l1BlockAbi, 'hash')).toBe(L1_HASH)
    expect(await view(vm, l1Block, l1BlockAbi, 'sequenceNumber')).toBe(0n)
    expect(await view(vm, l1Block, l1BlockAbi, 'baseFeeScalar')).toBe(1368)
    expect(await view(vm, l1Block, l1BlockAbi, 'blobBaseFeeScalar')).toBe(810949)
    expect(await view(vm, l1Block, l1BlockAbi, 'batcherHash')).toBe(
      pad('0x90f79bf6eb2c4f870365e785982e1f101e93b906', { size: 32 }),
    )
    // the depositor pays nothing and its nonce counts deposits
    expect(await accountOf(vm, '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001')).toEqual({
      nonce: before.nonce + 1n,
      balance: 0n,
    })
    const next = await executeDeposit(
      vm,
      { ...deposit, sourceHash: keccak256('0x01') },
      l2Block(),
      result.receipt.cumulativeGasUsed,
    )
    expect(next.receipt.depositNonce).toBe(before.nonce + 1n)
    expect(next.receipt.cumulativeGasUsed).toBe(result.receipt.gasUsed + next.receipt.gasUsed)
  })

  test('a deposit from the aliased L1 messenger relays a message: the target sees xDomainMessageSender', async () => {
    const vm = await freshVm()
    const deposit = relayDeposit({ from: applyL1ToL2Alias(L1_MESSENGER), value: 5n, payload: '0xc0ffee' })
    const result = await executeDeposit(vm, deposit, l2Block(), 0n)
    expect(result.error).toBeUndefined()
    expect(result.receipt.status).toBe(1)
    expect(await view(vm, TARGET, target.abi, 'lastSender')).toBe(L1_USER)
    expect(await view(vm, TARGET, target.abi, 'lastPayload')).toBe(keccak256('0xc0ffee'))
    expect(await view(vm, TARGET, target.abi, 'calls')).toBe(1n)
    expect((await accountOf(vm, TARGET)).balance).toBe(5n) // minted on L2, forwarded by the messenger
    const events = result.receipt.logs.map(([address, topics, data]) => ({
      address: bytesToHex(address),
      topics: topics.map((t) => bytesToHex(t)),
      data: bytesToHex(data),
    }))
    expect(events.map((e) => e.address)).toEqual([TARGET.toLowerCase(), CDM])
    const relayed = decodeEventLog({
      abi: target.abi,
      topics: events[0]!.topics as [Hex],
      data: events[0]!.data as Hex,
    })
    expect(relayed.eventName).toBe('Relayed')
    const done = decodeEventLog({
      abi: cdmAbi,
      topics: events[1]!.topics as [Hex],
      data: events[1]!.data as Hex,
    })
    expect(done.eventName).toBe('RelayedMessage')
    // the block bloom of the receipt has the emitters
    const bloom = new Bloom(result.receipt.bloom, common)
    expect(bloom.check(hexToBytes(CDM))).toBe(true)
    expect(bloom.check(hexToBytes(TARGET))).toBe(true)
    expect(result.hash).toBe(viemHash(deposit))
  })

  test('the same relayMessage from an unaliased sender is refused by the messenger (replay path): status 0', async () => {
    const vm = await freshVm()
    const deposit = relayDeposit({ from: L1_MESSENGER, payload: '0xc0ffee' })
    const result = await executeDeposit(vm, deposit, l2Block(), 0n)
    expect(result.receipt.status).toBe(0)
    expect(result.error).toBe('revert')
    expect(await view(vm, TARGET, target.abi, 'calls')).toBe(0n)
    expect(await accountOf(vm, L1_MESSENGER)).toEqual({ nonce: 1n, balance: 0n })
  })

  test('a reverting deposit keeps the mint and the nonce bump, reverts the rest, uses the gas it used', async () => {
    const vm = await freshVm()
    const from: Hex = '0x000000000000000000000000000000000000a11c'
    const deposit: DepositTx = {
      sourceHash: keccak256('0x02'),
      from,
      to: TARGET,
      mint: parseEther('1'),
      value: 0n,
      gas: 300_000n,
      isSystemTx: false,
      data: encodeFunctionData({ abi: target.abi, functionName: 'writeThenRevert' }),
    }
    const result = await executeDeposit(vm, deposit, l2Block(), 1000n)
    expect(result.receipt).toMatchObject({ status: 0, depositNonce: 0n, logs: [], contractAddress: null })
    expect(result.error).toBe('revert')
    expect(await accountOf(vm, from)).toEqual({ nonce: 1n, balance: parseEther('1') })
    expect(await view(vm, TARGET, target.abi, 'calls')).toBe(0n)
    expect(result.receipt.gasUsed).toBeLessThan(300_000n) // an EVM failure: the gas actually used
    expect(result.receipt.cumulativeGasUsed).toBe(1000n + result.receipt.gasUsed)
  })

  test.each([
    ['gas below the intrinsic gas', { gas: 21_000n }, /intrinsic gas too low: have 21000, want 21064/],
    [
      'gas below the EIP-7623 calldata floor',
      { gas: 21_100n },
      /floor data gas cost: have 21100, want 21160/,
    ],
    ['value above the balance after the mint', { mint: 1n, value: 2n }, /insufficient funds for transfer/],
    ['a system transaction (disabled since Regolith)', { isSystemTx: true }, /system transactions/],
  ] as const)(
    'a non-EVM failure (%s) keeps mint and nonce bump and uses all its gas',
    async (_n, change, why) => {
      const vm = await freshVm()
      const from: Hex = '0x000000000000000000000000000000000000b0b0'
      const deposit: DepositTx = {
        sourceHash: keccak256('0x03'),
        from,
        to: TARGET,
        mint: 7n,
        value: 0n,
        gas: 100_000n,
        isSystemTx: false,
        data: encodeFunctionData({ abi: target.abi, functionName: 'clearScratch' }),
        ...change,
      }
      const result = await executeDeposit(vm, deposit, l2Block(), 0n)
      expect(result.receipt.status).toBe(0)
      expect(result.error).toMatch(why)
      expect(result.receipt.gasUsed).toBe(deposit.gas)
      expect(await accountOf(vm, from)).toEqual({ nonce: 1n, balance: deposit.mint })
      expect(await view(vm, TARGET, target.abi, 'scratch')).toBe(1n)
    },
  )

  test('gas accounting equals a regular transaction’s (intrinsic, execution, SSTORE refund, calldata floor)', async () => {
    for (const data of [
      encodeFunctionData({ abi: target.abi, functionName: 'clearScratch' }), // refund
      encodeFunctionData({ abi: target.abi, functionName: 'writeThenRevert' }), // revert
      `0x${'ff'.repeat(2000)}` as Hex, // unknown selector, large calldata: the EIP-7623 floor binds
    ]) {
      const depositVm = await freshVm()
      const txVm = await freshVm()
      const gas = 200_000n
      const deposited = await executeDeposit(
        depositVm,
        {
          sourceHash: keccak256(data),
          from: EOA,
          to: TARGET,
          mint: 0n,
          value: 0n,
          gas,
          isSystemTx: false,
          data,
        },
        l2Block(),
        0n,
      )
      const tx = createFeeMarket1559Tx(
        {
          to: TARGET,
          data,
          gasLimit: gas,
          maxFeePerGas: 2_000_000_000n,
          maxPriorityFeePerGas: 0n,
          nonce: 0n,
        },
        { common },
      ).sign(hexToBytes(EOA_KEY))
      const regular = await runTx(txVm, { tx, block: l2Block() })
      expect(deposited.receipt.gasUsed).toBe(regular.totalGasSpent)
      expect(deposited.receipt.status).toBe((regular.receipt as { status: 0 | 1 }).status)
      // …but the deposit paid nothing
      expect((await accountOf(depositVm, EOA)).balance).toBe(parseEther('10'))
    }
  })

  test('a creation deposit deploys at address(from, depositNonce)', async () => {
    const vm = await freshVm()
    const from: Hex = '0x000000000000000000000000000000000000c0de'
    const deposit: DepositTx = {
      sourceHash: keccak256('0x04'),
      from,
      to: null,
      mint: 0n,
      value: 0n,
      gas: 1_000_000n,
      isSystemTx: false,
      data: encodeDeployData({ abi: target.abi, bytecode: target.bytecode }),
    }
    const result = await executeDeposit(vm, deposit, l2Block(), 0n)
    expect(result.receipt.status).toBe(1)
    const expected = getContractAddress({ from, nonce: 0n })
    expect(result.receipt.contractAddress).toBe(expected.toLowerCase())
    expect(await view(vm, expected, target.abi, 'scratch')).toBe(1n)
    expect(result.hash).toBe(viemHash(deposit))
  })

  test('a deposit that does not fit in the block is refused and changes nothing', async () => {
    const vm = await freshVm()
    const root = await vm.stateManager.getStateRoot()
    const deposit = relayDeposit({ from: applyL1ToL2Alias(L1_MESSENGER), value: 5n, payload: '0x' })
    const error = await executeDeposit(vm, deposit, l2Block(), 29_600_000n).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DepositExecutionError)
    expect((error as DepositExecutionError).reason).toBe('block-gas-limit')
    expect(bytesToHex(await vm.stateManager.getStateRoot())).toBe(bytesToHex(root))
  })

  test('an exception inside the EVM (a precompile that cannot answer) leaves no trace, and the VM goes on', async () => {
    const failing = '0x0000000000000000000000000000000000000101'
    const vm = await freshVm({
      evmOpts: {
        customPrecompiles: [
          {
            address: new Address(hexToBytes(failing)),
            function: () => {
              throw new Error('L1 RPC unreachable')
            },
          },
        ],
      },
    })
    const root = bytesToHex(await vm.stateManager.getStateRoot())
    const from: Hex = '0x000000000000000000000000000000000000d00d'
    const deposit: DepositTx = {
      sourceHash: keccak256('0x05'),
      from,
      to: failing,
      mint: 9n,
      value: 0n,
      gas: 100_000n,
      isSystemTx: false,
      data: '0x',
    }
    const error = await executeDeposit(vm, deposit, l2Block(), 0n).catch((e: unknown) => e)
    expect((error as DepositExecutionError).reason).toBe('execution-threw')
    expect(bytesToHex(await vm.stateManager.getStateRoot())).toBe(root)
    expect(await accountOf(vm, from)).toEqual({ nonce: 0n, balance: 0n })
    const ok = await executeDeposit(
      vm,
      { ...deposit, to: TARGET, data: encodeFunctionData({ abi: target.abi, functionName: 'clearScratch' }) },
      l2Block(),
      0n,
    )
    expect(ok.receipt.status).toBe(1)
    expect(await accountOf(vm, from)).toEqual({ nonce: 1n, balance: 9n })
  })
})

describe('deposit receipts', () => {
  test('0x7e ‖ rlp([status, cumulativeGasUsed, bloom, logs, depositNonce, 1]), the first four as for any receipt', async () => {
    const vm = await freshVm()
    const deposit = relayDeposit({ from: applyL1ToL2Alias(L1_MESSENGER), payload: '0x01' })
    const { receipt, encodedReceipt } = await executeDeposit(vm, deposit, l2Block(), 0n)
    expect(encodedReceipt[0]).toBe(0x7e)
    const fields = RLP.decode(encodedReceipt.subarray(1)) as unknown[]
    expect(fields).toHaveLength(6)
    expect(fields[4]).toEqual(new Uint8Array()) // depositNonce 0
    expect(fields[5]).toEqual(Uint8Array.of(1))
    const standard = RLP.decode(
      encodeReceipt(
        {
          status: 1,
          cumulativeBlockGasUsed: receipt.cumulativeGasUsed,
          bitvector: receipt.bloom,
          logs: receipt.logs,
        },
        0x7e as never,
      ).subarray(1),
    ) as unknown[]
    expect(fields.slice(0, 4)).toEqual(standard)
    expect(encodeDepositReceipt({ ...receipt, status: 0, depositNonce: 5n })[1]).toBe(encodedReceipt[1])
  })

  test('JSON-RPC shapes parse with viem’s op-stack formatters', async () => {
    const vm = await freshVm()
    const deposit = relayDeposit({ from: applyL1ToL2Alias(L1_MESSENGER), value: 5n, payload: '0x01' })
    const { hash, receipt } = await executeDeposit(vm, deposit, l2Block(), 0n)
    const location = { blockHash: keccak256('0xb1'), blockNumber: 1n, transactionIndex: 0 }
    const rpcTx = formatDepositTransaction(deposit, { hash, depositNonce: receipt.depositNonce, ...location })
    const rpcReceipt = formatDepositReceipt(receipt, {
      hash,
      from: deposit.from,
      to: deposit.to,
      firstLogIndex: 0,
      ...location,
    })
    const client = createPublicClient({
      chain: defineChain({
        ...chainConfig,
        id: 901,
        name: 'keystore',
        nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
        rpcUrls: { default: { http: ['http://unused'] } },
      }),
      transport: custom({
        request: async ({ method }) => {
          if (method === 'eth_getTransactionByHash') return rpcTx
          if (method === 'eth_getTransactionReceipt') return rpcReceipt
          throw new Error(`unexpected ${method}`)
        },
      }),
    })
    const tx = await client.getTransaction({ hash })
    expect(tx).toMatchObject({
      type: 'deposit',
      typeHex: '0x7e',
      hash,
      sourceHash: deposit.sourceHash,
      mint: 5n,
      value: 5n,
      gas: 500_000n,
      from: deposit.from.toLowerCase(),
      to: CDM,
      input: deposit.data,
      nonce: 0,
      blockNumber: 1n,
    })
    const r = await client.getTransactionReceipt({ hash })
    expect(r).toMatchObject({
      status: 'success',
      type: '0x7e',
      depositNonce: 0n,
      depositReceiptVersion: 1,
      gasUsed: receipt.gasUsed,
      effectiveGasPrice: 0n,
      contractAddress: null,
    })
    expect(r.logs.map((l) => l.logIndex)).toEqual([0, 1])
    // the L1-attributes shape: no mint field when zero (op-geth omits it), no isSystemTx when false
    const zero = formatDepositTransaction({ ...deposit, mint: 0n }, { hash, depositNonce: 3n })
    expect(zero).not.toHaveProperty('mint')
    expect(zero).not.toHaveProperty('isSystemTx')
    expect(zero.nonce).toBe(toHex(3n))
  })
})
