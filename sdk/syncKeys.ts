import type { Account, Address, Chain, Client, Hex, Transport } from 'viem'
import { readContract, waitForTransactionReceipt, writeContract } from 'viem/actions'
import { il1BlocksAbi, l2KeystoreAbi } from '../contracts/generated/index.js'
import { getProofForContract } from '../precompiles/storage-proof/index.js'
import { SyncStaleBlockError, SyncTransactionRevertedError } from './errors.js'
import { keystoreKeySlot } from './keySlot.js'

export type SyncKeysParameters = {
  /** Any L1 RPC. It is not trusted: every proof it returns is checked before use. */
  l1Client: Client<Transport, Chain | undefined>
  /** The L2Keystore on the L2 `client` is connected to. */
  l2Keystore: Address
  /** The wallet account whose keys are synced. */
  account: Address
  /** Keystore keys to prove (not storage slots). */
  keys: readonly Hex[]
  /** The L1 block to prove at. Defaults to the latest L1 block held by the L2's L1Blocks. */
  l1BlockNumber?: bigint
  /**
   * Without `l1BlockNumber`: how many times to start over at the then-latest L1 block when the
   * chosen one left L1Blocks' window before the sync was simulated (a header feeder restarts the
   * window when the L2's L1 origin skips blocks; the revert is `L1BlocksBlockUnavailable`). Nothing
   * is sent for a failed attempt. Default 3.
   */
  retries?: number
}

export type SyncKeysReturnType = {
  l1BlockNumber: bigint
  /** Proven values, in the order of `keys`. Zero means proven absent. */
  values: { key: Hex; slot: Hex; value: Hex }[]
  /** Keys already cached at this L1 block were skipped; undefined if nothing was sent. */
  transactionHash: Hex | undefined
  gasUsed: bigint
  /** Whether the account proof was sent (false when the storage root was already cached). */
  sentAccountProof: boolean
}

export type SyncKeysErrorType = SyncStaleBlockError | SyncTransactionRevertedError | Error

/**
 * Proves keystore keys from L1Keystore's storage on L1 and caches them in an L2's L2Keystore.
 *
 * The trust anchor is the L1 block hash that the L2 itself holds (L1Blocks). The header and
 * proofs are fetched from `l1Client`, verified locally against that hash (a lying RPC fails here with a
 * typed error and no transaction is sent), then submitted; the contract verifies them again.
 * Syncing is permissionless: any funded sender may do it.
 *
 * @param client - L2 wallet client (with an account) used to send the sync transaction
 * @param parameters - {@link SyncKeysParameters}
 * @returns the proven values and the transaction — {@link SyncKeysReturnType}
 * @example
 * const { values } = await syncKeys(l2WalletClient, { l1Client, l2Keystore, account, keys: [key] })
 */
export async function syncKeys<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  parameters: SyncKeysParameters,
): Promise<SyncKeysReturnType> {
  const retries = parameters.l1BlockNumber === undefined ? (parameters.retries ?? 3) : 0
  for (let attempt = 0; ; attempt++) {
    try {
      return await syncKeysOnce(client, parameters)
    } catch (error) {
      // Only a simulation or read that failed because the block left the window: nothing was sent.
      if (attempt >= retries || !isBlockUnavailable(error)) throw error
      await new Promise((r) => setTimeout(r, 250 * (attempt + 1)))
    }
  }
}

/** L1Blocks' `L1BlocksBlockUnavailable(uint256)` (selector 0x6b1d67f8), however viem wrapped it. */
function isBlockUnavailable(error: unknown): boolean {
  return /L1BlocksBlockUnavailable|0x6b1d67f8/.test(
    `${String(error)} ${JSON.stringify((error as { cause?: unknown })?.cause ?? null, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`,
  )
}

async function syncKeysOnce<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  parameters: SyncKeysParameters,
): Promise<SyncKeysReturnType> {
  const { l1Client, l2Keystore, account, keys } = parameters
  const [l1Blocks, l1Keystore] = await Promise.all([
    readContract(client, { address: l2Keystore, abi: l2KeystoreAbi, functionName: 'L1_BLOCKS' }),
    readContract(client, { address: l2Keystore, abi: l2KeystoreAbi, functionName: 'L1_KEYSTORE' }),
  ])
  const l1BlockNumber =
    parameters.l1BlockNumber ??
    (await readContract(client, { address: l1Blocks, abi: il1BlocksAbi, functionName: 'latestBlockNumber' }))

  const [blockHash, cachedRoot, cached] = await Promise.all([
    readContract(client, {
      address: l1Blocks,
      abi: il1BlocksAbi,
      functionName: 'l1Blockhash',
      args: [l1BlockNumber],
    }),
    readContract(client, {
      address: l2Keystore,
      abi: l2KeystoreAbi,
      functionName: 'storageRootAt',
      args: [l1BlockNumber, l1Keystore],
    }),
    Promise.all(
      keys.map((key) =>
        readContract(client, {
          address: l2Keystore,
          abi: l2KeystoreAbi,
          functionName: 'loadKeyWithBlock',
          args: [account, key],
        }),
      ),
    ),
  ])

  const pending = selectKeysToSync(
    keys,
    cached.map((c) => c[1]),
    l1BlockNumber,
  )

  const slots = keys.map((key) => keystoreKeySlot(account, key))
  // The L1 block hash the L2 holds is the anchor: whatever the L1 RPC says must match it.
  const proof = await getProofForContract(l1Client, {
    address: l1Keystore,
    slots,
    blockNumber: l1BlockNumber,
    trustedBlockHash: blockHash,
  })
  const values = keys.map((key, i) => ({ key, slot: slots[i]!, value: proof.storage[i]!.value }))

  if (pending.length === 0) {
    return { l1BlockNumber, values, transactionHash: undefined, gasUsed: 0n, sentAccountProof: false }
  }
  const sentAccountProof = BigInt(cachedRoot) === 0n
  const transactionHash = await writeContract(client, {
    address: l2Keystore,
    abi: l2KeystoreAbi,
    functionName: 'syncKeys',
    args: [
      l1BlockNumber,
      account,
      pending.map((i) => keys[i]!),
      sentAccountProof ? proof.accountProof : '0x',
      pending.map((i) => proof.storageProofs[i]!),
    ],
    // biome-ignore lint/suspicious/noExplicitAny: the caller's client carries chain and account
  } as any)
  const receipt = await waitForTransactionReceipt(client, { hash: transactionHash })
  if (receipt.status !== 'success') throw new SyncTransactionRevertedError({ transactionHash })
  return { l1BlockNumber, values, transactionHash, gasUsed: receipt.gasUsed, sentAccountProof }
}

/**
 * Which keys a sync at `l1BlockNumber` must send, given the L1 block each is cached from.
 * Newer than `l1BlockNumber` → {@link SyncStaleBlockError}; the same block → skipped (already
 * proven). Block 0 reads the same as "never synced", so it is always sent (the contract treats a
 * repeat as a no-op).
 *
 * @returns indices into `keys`
 */
export function selectKeysToSync(
  keys: readonly Hex[],
  cachedBlocks: readonly bigint[],
  l1BlockNumber: bigint,
): number[] {
  const pending: number[] = []
  keys.forEach((key, i) => {
    const cachedBlock = cachedBlocks[i]!
    if (cachedBlock > l1BlockNumber) throw new SyncStaleBlockError({ key, cachedBlock, l1BlockNumber })
    if (cachedBlock < l1BlockNumber || cachedBlock === 0n) pending.push(i)
  })
  return pending
}
