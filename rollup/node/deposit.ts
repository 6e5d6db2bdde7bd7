/**
 * Executes OP-Stack deposited transactions (type 0x7e) on the keystore chain's @ethereumjs VM,
 * with the semantics of op-geth after Regolith and Canyon, and formats them for JSON-RPC.
 *
 * Spec: ethereum-optimism/specs `specs/protocol/deposits.md` ("Execution", "Nonce Handling",
 * "Deposit Receipt"), `regolith/overview.md`; reference: op-geth `core/state_transition.go`
 * (`TransitionDb`: mint before the snapshot; on a failed deposit revert to the snapshot, bump the
 * nonce and report all gas used).
 *
 * Why deposits are never refused here, although the keystore chain is action-specific: a deposit
 * is forced in by L1 (the portal's log) and every verifier re-derives it; a node that skipped or
 * rejected one would fork from its own derivation rules and censor L1 users. The allow-list is
 * the mempool's (sequenced transactions). What a deposit can do is what an L1 account paid for on
 * L1: mint at most the ETH it locked in the portal, call anything (including L2Keystore) as
 * itself if an EOA or as its alias if a contract, or deploy a contract (creation deposits are
 * executed, not rejected). Contracts on this chain must therefore authorize by `msg.sender` /
 * `xDomainMessageSender`, never by "only the sequencer could have sent this".
 */
import type { Block } from '@ethereumjs/block'
import { RLP } from '@ethereumjs/rlp'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { createFeeMarket1559Tx, getCalldataFloorGas } from '@ethereumjs/tx'
import { Account, Address, bytesToHex, concatBytes, hexToBytes } from '@ethereumjs/util'
import { Bloom, type VM } from '@ethereumjs/vm'
import { type Hex, toHex } from 'viem'
import { DEPOSIT_TX_TYPE, type DepositTx, depositTxHash, encodeDepositTx } from '../derivation/deposits.js'
import { RollupError } from '../shared/errors.js'

/** `[address, topics, data]`, as @ethereumjs/evm reports logs. */
export type DepositLogEntry = [address: Uint8Array, topics: Uint8Array[], data: Uint8Array]

/** A deposit's receipt (Canyon: `depositNonce` and `depositReceiptVersion` always present). */
export type DepositReceipt = {
  status: 0 | 1
  /** Gas used in the block up to and including this deposit. */
  cumulativeGasUsed: bigint
  /** Gas this deposit used (Regolith: actual usage; a failed deposit uses its whole gas limit). */
  gasUsed: bigint
  logs: DepositLogEntry[]
  /** 256-byte logs bloom of this deposit. */
  bloom: Uint8Array
  /** The sender's nonce before execution (the deposit's `nonce` in RPC responses). */
  depositNonce: bigint
  depositReceiptVersion: 1
  /** Created contract (creation deposits that succeeded), else null. */
  contractAddress: Hex | null
}

export type ExecuteDepositResult = {
  /** keccak256 of the encoded transaction. */
  hash: Hex
  /** `0x7e ‖ rlp(...)`: the transactions-trie value. */
  raw: Hex
  receipt: DepositReceipt
  /** `0x7e ‖ rlp([status, cumulativeGasUsed, bloom, logs, depositNonce, 1])`: the receipts-trie value. */
  encodedReceipt: Uint8Array
  /** Why the deposit failed (status 0): an EVM error (`revert`, `out of gas`…) or a non-EVM one. */
  error: string | undefined
  returnValue: Hex
}

export type DepositExecutionReason = 'block-gas-limit' | 'execution-threw'

/** The deposit could not be included at all (nothing was changed): the block cannot be built now. */
export class DepositExecutionError extends RollupError {
  override name = 'DepositExecutionError'
  readonly reason: DepositExecutionReason
  constructor(
    reason: DepositExecutionReason,
    shortMessage: string,
    parameters: { details?: string | undefined; input?: unknown; cause?: unknown } = {},
  ) {
    super(shortMessage, parameters)
    this.reason = reason
  }
}

/**
 * Executes one deposit on `vm`'s state, in the context of `block` (number, timestamp, coinbase,
 * base fee, prevrandao), after `blockGasUsed` gas of the block:
 *
 * 1. `mint` is credited to `from` — unconditionally, kept even if the deposit fails;
 * 2. then, like an EIP-1559 transaction without fee, nonce check or signature: intrinsic gas
 *    (and Prague's EIP-7623 calldata floor) against `gas`, value transfer, call or creation with
 *    `CALLER` = `ORIGIN` = `from`, `GASPRICE` = 0; the sender's nonce is incremented;
 * 3. no fee is charged, nothing is refunded in ETH, the coinbase gets nothing;
 * 4. gas used (Regolith): intrinsic + execution − capped SSTORE refund, at least the calldata
 *    floor. `isSystemTx` is disabled since Regolith and counts as a failed deposit;
 * 5. a non-EVM failure (intrinsic gas or floor above `gas`, value above the balance after mint,
 *    init code too large, system tx) rolls the state back to just after the mint, increments
 *    the nonce and reports the whole `gas` as used; an EVM failure (revert, out of gas) keeps the
 *    nonce increment and the gas actually used. Either way the receipt has status 0 and no logs.
 *
 * Not handled here (the caller's job): checkpointing/flushing the block state, and putting `raw`
 * and `encodedReceipt` in the block's tries. The L1-attributes deposit is executed the same way.
 *
 * @param vm - The VM whose state the deposit changes (its journal must have no open checkpoint).
 * @param deposit - From `fetchDeposits` / `buildL1AttributesDeposit`.
 * @param block - The block being built (only its header is read).
 * @param blockGasUsed - Gas used by earlier transactions of the block.
 * @returns The receipt and both encodings.
 * @throws {DepositExecutionError} `block-gas-limit` if `gas` does not fit in the block (op-geth's
 *   ErrGasLimitReached: the block cannot include it), `execution-threw` if the EVM threw (e.g. a
 *   precompile could not reach L1): the state is left exactly as before; retry the block later —
 *   never drop a deposit.
 * @example
 * const { receipt, raw, encodedReceipt } = await executeDeposit(vm, l1Attributes, block, 0n)
 */
export async function executeDeposit(
  vm: VM,
  deposit: DepositTx,
  block: Block,
  blockGasUsed: bigint,
): Promise<ExecuteDepositResult> {
  const raw = encodeDepositTx(deposit) // validates the fields
  const hash = depositTxHash(deposit)
  const gasLimit = block.header.gasLimit
  if (blockGasUsed + deposit.gas > gasLimit)
    throw new DepositExecutionError('block-gas-limit', 'The deposit does not fit in the block.', {
      details: `gas ${deposit.gas} + used ${blockGasUsed} > limit ${gasLimit}`,
      input: deposit,
    })

  const sm = vm.stateManager as MerkleStateManager
  const from = new Address(hexToBytes(deposit.from))
  const to = deposit.to === null ? undefined : new Address(hexToBytes(deposit.to))
  const data = hexToBytes(deposit.data)
  const depth = checkpointDepth(sm)

  await vm.evm.journal.cleanup()
  sm.originalStorageCache.clear()
  await vm.evm.journal.checkpoint() // the whole deposit
  try {
    // 1. mint, outside the snapshot below: kept whatever happens next.
    const account = (await sm.getAccount(from)) ?? new Account()
    const depositNonce = account.nonce
    account.balance += deposit.mint
    await vm.evm.journal.putAccount(from, account)

    await vm.evm.journal.checkpoint() // the snapshot after the mint
    const precheck = checkDeposit(vm, deposit, account.balance, to, data)
    let error: string | undefined
    let status: 0 | 1 = 1
    let gasUsed: bigint
    let logs: DepositLogEntry[] = []
    let returnValue: Hex = '0x'
    let contractAddress: Hex | null = null
    if ('failure' in precheck) {
      await vm.evm.journal.revert()
      await bumpNonce(vm, from)
      error = precheck.failure
      status = 0
      gasUsed = deposit.gas
    } else {
      warmAddresses(vm, from, to, block)
      let result: Awaited<ReturnType<VM['evm']['runCall']>>
      try {
        result = await vm.evm.runCall({
          caller: from,
          origin: from,
          ...(to ? { to } : {}),
          value: deposit.value,
          data,
          gasLimit: deposit.gas - precheck.intrinsic,
          gasPrice: 0n,
          block,
        })
      } catch (cause) {
        throw new DepositExecutionError('execution-threw', 'The EVM threw while executing the deposit.', {
          cause,
          input: deposit,
        })
      }
      const exec = result.execResult
      // runCall incremented the nonce (depth 0) outside its own checkpoint, which it reverted on
      // an EVM error: the nonce bump stays, the rest is undone.
      const used = precheck.intrinsic + exec.executionGasUsed
      const maxRefund = used / vm.common.param('maxRefundQuotient')
      const refund = (exec.gasRefund ?? 0n) < maxRefund ? (exec.gasRefund ?? 0n) : maxRefund
      gasUsed = used - refund < precheck.floor ? precheck.floor : used - refund
      returnValue = bytesToHex(exec.returnValue) as Hex
      if (exec.exceptionError) {
        error = exec.exceptionError.error
        status = 0
      } else {
        logs = (exec.logs ?? []) as DepositLogEntry[]
        if (!to && result.createdAddress) contractAddress = result.createdAddress.toString() as Hex
        await destroySelfdestructed(vm, exec.selfdestruct, exec.createdAddresses)
      }
      await vm.evm.journal.commit()
    }
    // EIP-161: drop the empty accounts this deposit touched (as runTx does before committing).
    await vm.evm.journal.cleanup()
    await vm.evm.journal.commit()

    const bloom = new Bloom(undefined, vm.common)
    for (const [address, topics] of logs) {
      bloom.add(address)
      for (const topic of topics) bloom.add(topic)
    }
    const receipt: DepositReceipt = {
      status,
      cumulativeGasUsed: blockGasUsed + gasUsed,
      gasUsed,
      logs,
      bloom: bloom.bitvector,
      depositNonce,
      depositReceiptVersion: 1,
      contractAddress,
    }
    return { hash, raw, receipt, encodedReceipt: encodeDepositReceipt(receipt), error, returnValue }
  } catch (error) {
    // Leave no trace: unwind every checkpoint opened since the start (an exception thrown inside
    // the EVM leaves inner frames' checkpoints open).
    while (checkpointDepth(sm) > depth) await vm.evm.journal.revert()
    throw error
  } finally {
    vm.evm.journal.cleanJournal()
    sm.originalStorageCache.clear()
  }
}

type Precheck = { intrinsic: bigint; floor: bigint } | { failure: string }

/** The non-EVM checks of op-geth's state transition, in its order. */
function checkDeposit(
  vm: VM,
  deposit: DepositTx,
  balanceAfterMint: bigint,
  to: Address | undefined,
  data: Uint8Array,
): Precheck {
  if (deposit.isSystemTx) return { failure: 'system transactions are not supported since Regolith' }
  const maxInitCode = vm.common.param('maxInitCodeSize')
  if (!to && BigInt(data.length) > maxInitCode)
    return { failure: `max initcode size exceeded: ${data.length} > ${maxInitCode}` }
  // Intrinsic gas and the EIP-7623 floor, computed by @ethereumjs/tx for the same call.
  const shape = createFeeMarket1559Tx(
    { ...(to ? { to } : {}), data, value: deposit.value, gasLimit: 0n },
    {
      common: vm.common,
    },
  )
  const intrinsic = shape.getIntrinsicGas()
  const floor = getCalldataFloorGas(shape, new Address(hexToBytes(deposit.from)))
  if (deposit.gas < intrinsic)
    return { failure: `intrinsic gas too low: have ${deposit.gas}, want ${intrinsic}` }
  if (deposit.gas < floor)
    return { failure: `insufficient gas for floor data gas cost: have ${deposit.gas}, want ${floor}` }
  if (deposit.value > balanceAfterMint)
    return { failure: `insufficient funds for transfer: balance ${balanceAfterMint}, value ${deposit.value}` }
  return { intrinsic, floor }
}

async function bumpNonce(vm: VM, address: Address): Promise<void> {
  const account = (await vm.stateManager.getAccount(address)) ?? new Account()
  account.nonce += 1n
  await vm.evm.journal.putAccount(address, account)
}

/** EIP-2929/3651 warm set of a transaction: precompiles, sender, recipient, coinbase. */
function warmAddresses(vm: VM, from: Address, to: Address | undefined, block: Block): void {
  const journal = vm.evm.journal
  for (const [address] of vm.evm.precompiles) journal.addAlwaysWarmAddress(address)
  journal.addAlwaysWarmAddress(from.toString())
  if (to) journal.addAlwaysWarmAddress(to.toString())
  if (vm.common.isActivatedEIP(3651)) journal.addAlwaysWarmAddress(block.header.coinbase.toString())
}

/** EIP-6780: SELFDESTRUCT deletes an account only if it was created in the same transaction. */
async function destroySelfdestructed(
  vm: VM,
  selfdestruct: Map<string, unknown> | undefined,
  created: Set<string> | undefined,
): Promise<void> {
  for (const address of [...(selfdestruct?.keys() ?? [])].sort()) {
    if (vm.common.isActivatedEIP(6780) && !created?.has(address)) continue
    await vm.evm.journal.deleteAccount(new Address(hexToBytes(address as Hex)))
  }
}

/**
 * `0x7e ‖ rlp([status, cumulativeGasUsed, bloom, logs, depositNonce, depositReceiptVersion])`
 * (deposits.md "Deposit Receipt": with Canyon both extension fields are always present).
 */
export function encodeDepositReceipt(
  receipt: Pick<DepositReceipt, 'status' | 'cumulativeGasUsed' | 'bloom' | 'logs' | 'depositNonce'>,
): Uint8Array {
  return concatBytes(
    Uint8Array.of(DEPOSIT_TX_TYPE),
    RLP.encode([
      receipt.status === 1 ? Uint8Array.of(1) : new Uint8Array(),
      receipt.cumulativeGasUsed,
      receipt.bloom,
      receipt.logs,
      receipt.depositNonce,
      1n,
    ]),
  )
}

/**
 * How many state checkpoints are open (@ethereumjs/statemanager's `_checkpointCount`, not typed;
 * pinned by the exact dependency version, as in KeystoreNode).
 */
function checkpointDepth(sm: MerkleStateManager): number {
  return (sm as unknown as { _checkpointCount: number })._checkpointCount
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC

/** Where a transaction sits in the chain. */
export type TxLocation = { blockHash: Hex; blockNumber: bigint; transactionIndex: number }

/**
 * A deposit as `eth_getTransactionByHash` / full blocks return it, with op-geth's fields:
 * `type: '0x7e'`, `sourceHash`, `mint` (omitted when zero, as op-geth does), `isSystemTx` (only
 * when true), `nonce` = the receipt's `depositNonce`, `depositReceiptVersion`, zero `gasPrice`
 * and `v`/`r`/`s`. viem's `op-stack` formatters turn it into `{ type: 'deposit', sourceHash, mint,
 * isSystemTx, … }`.
 */
export function formatDepositTransaction(
  deposit: DepositTx,
  parameters: { hash: Hex; depositNonce: bigint } & Partial<TxLocation>,
): Record<string, unknown> {
  return {
    type: '0x7e',
    hash: parameters.hash,
    blockHash: parameters.blockHash ?? null,
    blockNumber: parameters.blockNumber === undefined ? null : toHex(parameters.blockNumber),
    transactionIndex: parameters.transactionIndex === undefined ? null : toHex(parameters.transactionIndex),
    from: deposit.from.toLowerCase(),
    to: deposit.to?.toLowerCase() ?? null,
    gas: toHex(deposit.gas),
    gasPrice: '0x0',
    value: toHex(deposit.value),
    input: deposit.data,
    nonce: toHex(parameters.depositNonce),
    v: '0x0',
    r: '0x0',
    s: '0x0',
    sourceHash: deposit.sourceHash,
    ...(deposit.mint !== 0n ? { mint: toHex(deposit.mint) } : {}),
    ...(deposit.isSystemTx ? { isSystemTx: true } : {}),
    depositReceiptVersion: '0x1',
  }
}

/**
 * A deposit's receipt as `eth_getTransactionReceipt` returns it (op-geth fields: `depositNonce`,
 * `depositReceiptVersion`; `effectiveGasPrice` 0; no L1-fee fields). `firstLogIndex` is the
 * block-level index of the receipt's first log.
 */
export function formatDepositReceipt(
  receipt: DepositReceipt,
  parameters: { hash: Hex; from: Hex; to: Hex | null; firstLogIndex: number } & TxLocation,
): Record<string, unknown> {
  const location = {
    blockHash: parameters.blockHash,
    blockNumber: toHex(parameters.blockNumber),
    transactionHash: parameters.hash,
    transactionIndex: toHex(parameters.transactionIndex),
  }
  return {
    type: '0x7e',
    ...location,
    from: parameters.from.toLowerCase(),
    to: parameters.to?.toLowerCase() ?? null,
    status: receipt.status === 1 ? '0x1' : '0x0',
    cumulativeGasUsed: toHex(receipt.cumulativeGasUsed),
    gasUsed: toHex(receipt.gasUsed),
    effectiveGasPrice: '0x0',
    contractAddress: receipt.contractAddress,
    logsBloom: bytesToHex(receipt.bloom),
    logs: receipt.logs.map(([address, topics, data], i) => ({
      ...location,
      address: bytesToHex(address),
      topics: topics.map((t) => bytesToHex(t)),
      data: bytesToHex(data),
      logIndex: toHex(parameters.firstLogIndex + i),
      removed: false,
    })),
    depositNonce: toHex(receipt.depositNonce),
    depositReceiptVersion: '0x1',
  }
}
