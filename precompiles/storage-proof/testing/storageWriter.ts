/**
 * A minimal contract for tests: its runtime stores each 64-byte (key, value) pair of the calldata.
 *
 *   00 PUSH1 0        i = 0
 *   02 JUMPDEST       loop:
 *   03 DUP1 CALLDATASIZE GT PUSH1 0a JUMPI   if calldatasize > i goto body
 *   09 STOP
 *   0a JUMPDEST       body:
 *   0b DUP1 PUSH1 20 ADD CALLDATALOAD        value = calldata[i+32]
 *   10 DUP2 CALLDATALOAD SSTORE              sstore(calldata[i], value)
 *   13 PUSH1 40 ADD PUSH1 02 JUMP            i += 64; goto loop
 *
 * Init code: CODECOPY the 25-byte runtime that follows it and RETURN it.
 */
import {
  type Account,
  type Address,
  type Chain,
  type Client,
  concat,
  type Hex,
  pad,
  type Transport,
  toHex,
} from 'viem'
import { sendTransaction, waitForTransactionReceipt } from 'viem/actions'

export const storageWriterRuntime: Hex = '0x60005b803611600a57005b8060200135813555604001600256'
export const storageWriterInitCode: Hex = concat(['0x601980600b6000396000f3', storageWriterRuntime])

/** Anvil's first dev account. */
export const devAccount: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

/** Deploys the storage writer from an unlocked account and returns its address. */
export async function deployStorageWriter(
  client: Client<Transport, Chain | undefined>,
  account: Address | Account = devAccount,
) {
  const hash = await sendTransaction(client, { account, data: storageWriterInitCode, chain: null })
  const receipt = await waitForTransactionReceipt(client, { hash })
  if (!receipt.contractAddress) throw new Error('storage writer was not deployed')
  return receipt.contractAddress
}

/** Stores `entries` (slot → value, both uint256) in one transaction; returns the block number. */
export async function writeSlots(
  client: Client<Transport, Chain | undefined>,
  to: Address,
  entries: readonly (readonly [bigint, bigint])[],
  account: Address | Account = devAccount,
) {
  const data = concat(entries.flatMap(([slot, value]) => [pad(toHex(slot)), pad(toHex(value))]))
  const hash = await sendTransaction(client, {
    account,
    to,
    data,
    chain: null,
    gas: 30_000n + 25_000n * BigInt(entries.length),
  })
  const receipt = await waitForTransactionReceipt(client, { hash })
  if (receipt.status !== 'success') throw new Error('writeSlots reverted')
  return receipt.blockNumber
}
