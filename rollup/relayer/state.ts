/**
 * The relayer's progress file: how far the L2 has been scanned and which withdrawals are still
 * open. It only saves work: what to do with a withdrawal is always decided from L1 state
 * (`provenWithdrawals`, `finalizedWithdrawals`), so a lost or stale file costs a rescan, never a
 * skipped or repeated relay.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Address, Hash, Hex } from 'viem'
import { RollupError } from '../shared/errors.js'

export type StoredWithdrawal = {
  withdrawalHash: Hash
  l2BlockNumber: string
  l2TransactionHash: Hash
  nonce: string
  sender: Address
  target: Address
  value: string
  gasLimit: string
  data: Hex
}

export type RelayerState = {
  version: 1
  l2ChainId: number
  portal: Address
  /** Every L2 block up to this one has been scanned. */
  scannedTo: string
  /** Withdrawals seen and not finished (finalized or given up). */
  open: StoredWithdrawal[]
}

export class RelayerStateError extends RollupError {
  override name = 'RelayerStateError'
}

/**
 * Reads a state file; undefined when it does not exist.
 *
 * @throws RelayerStateError when it is unreadable or belongs to another L2 or portal.
 */
export function readRelayerState(
  path: string,
  expected: { l2ChainId: number; portal: Address },
): RelayerState | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new RelayerStateError(`Cannot read the relayer state ${path}.`, { cause: error })
  }
  let state: RelayerState
  try {
    state = JSON.parse(text) as RelayerState
  } catch (error) {
    throw new RelayerStateError(`The relayer state ${path} is not JSON.`, {
      cause: error,
      details: 'delete it to rescan from the start block',
    })
  }
  if (
    state.version !== 1 ||
    state.l2ChainId !== expected.l2ChainId ||
    state.portal.toLowerCase() !== expected.portal.toLowerCase()
  )
    throw new RelayerStateError(`The relayer state ${path} belongs to another chain.`, {
      details: `it is for L2 ${state.l2ChainId} / portal ${state.portal}, this relayer serves ${expected.l2ChainId} / ${expected.portal}; use another file`,
    })
  return state
}

/** Writes the state atomically (write + rename). */
export function writeRelayerState(path: string, state: RelayerState): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(tmp, path)
}
