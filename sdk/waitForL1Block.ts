import type { Address, Client } from 'viem'
import { readContract } from 'viem/actions'
import { il1BlocksAbi } from '../contracts/generated/index.js'
import { L1BlockNotAvailableError } from './errors.js'

export type WaitForL1BlockParameters = {
  l1Blocks: Address
  /** Wait until L1Blocks' latest header is at least this L1 block. */
  l1BlockNumber: bigint
  timeoutMs?: number
  pollIntervalMs?: number
}

/**
 * Waits until an L2's L1Blocks holds an L1 header at or after `l1BlockNumber` and returns the
 * latest L1 block number it holds.
 *
 * @param client - L2 client
 * @param parameters - {@link WaitForL1BlockParameters}
 * @returns the L1Blocks latest block number (≥ `l1BlockNumber`)
 * @example
 * const n = await waitForL1Block(l2Client, { l1Blocks, l1BlockNumber: receipt.blockNumber })
 */
export async function waitForL1Block(client: Client, parameters: WaitForL1BlockParameters): Promise<bigint> {
  const { l1Blocks, l1BlockNumber, timeoutMs = 60_000, pollIntervalMs = 250 } = parameters
  const deadline = Date.now() + timeoutMs
  let latest = 0n
  for (;;) {
    try {
      latest = await readContract(client, {
        address: l1Blocks,
        abi: il1BlocksAbi,
        functionName: 'latestBlockNumber',
      })
      if (latest >= l1BlockNumber) return latest
    } catch {
      // no header yet (L1BlocksNoHeaders) or a transient RPC error: keep waiting
    }
    if (Date.now() > deadline) throw new L1BlockNotAvailableError({ l1BlockNumber, latest, timeoutMs })
    await new Promise((r) => setTimeout(r, pollIntervalMs))
  }
}
