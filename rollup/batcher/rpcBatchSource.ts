/**
 * A `BatchSource` over the keystore node's JSON-RPC: `eth_blockNumber` for the head and the
 * node-specific `keystore_getBatchBlock(number)` for a block's batch data (README: "The node's
 * RPC method"). The node is the batcher operator's own (trusted for content); answers are still
 * validated so a wrong or half-upgraded node fails loudly instead of posting garbage.
 */
import { type Client, createClient, type Hex, http, toHex } from 'viem'
import { z } from 'zod'
import { RollupError } from '../shared/errors.js'
import type { BatchBlock, BatchSource } from './types.js'

const quantity = z
  .string()
  .regex(/^0x(0|[1-9a-f][0-9a-f]*)$/i, 'a hex quantity')
  .transform((v) => BigInt(v))
const bytes = (n: number) =>
  z
    .string()
    .regex(new RegExp(`^0x[0-9a-fA-F]{${n * 2}}$`), `${n} bytes of hex`)
    .transform((v) => v.toLowerCase() as Hex)
const data = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})+$/, 'non-empty hex bytes')
  .transform((v) => v.toLowerCase() as Hex)

/** The answer of `keystore_getBatchBlock`. */
export const rpcBatchBlockSchema = z.strictObject({
  number: quantity,
  hash: bytes(32),
  parentHash: bytes(32),
  timestamp: quantity,
  l1Origin: z.strictObject({ number: quantity, hash: bytes(32) }),
  transactions: z.array(data),
  l1sload: z.array(
    z.strictObject({ l1BlockNumber: quantity, address: bytes(20), key: bytes(32), value: bytes(32) }),
  ),
})

/** The JSON shape of `keystore_getBatchBlock`'s answer. */
export type RpcBatchBlock = {
  number: Hex
  hash: Hex
  parentHash: Hex
  timestamp: Hex
  l1Origin: { number: Hex; hash: Hex }
  transactions: Hex[]
  l1sload: { l1BlockNumber: Hex; address: Hex; key: Hex; value: Hex }[]
}

/**
 * Formats a block as `keystore_getBatchBlock` answers it (for the node's RPC method).
 *
 * @example
 * case 'keystore_getBatchBlock': return block ? formatRpcBatchBlock(toBatchBlock(block)) : null
 */
export function formatRpcBatchBlock(block: BatchBlock): RpcBatchBlock {
  return {
    number: toHex(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: toHex(block.timestamp),
    l1Origin: { number: toHex(block.l1Origin.number), hash: block.l1Origin.hash },
    transactions: [...block.transactions],
    l1sload: block.l1sload.map((e) => ({
      l1BlockNumber: toHex(e.l1BlockNumber),
      address: e.address,
      key: e.key,
      value: e.value,
    })),
  }
}

export type RpcBatchSourceParameters = { url: string } | { client: Client }

export class RpcBatchSourceError extends RollupError {
  override name = 'RpcBatchSourceError'
}

/**
 * @param parameters the node's RPC URL, or a viem client on it.
 * @returns A {@link BatchSource}.
 * @example
 * const source = createRpcBatchSource({ url: 'http://127.0.0.1:9545' })
 * const batcher = new Batcher({ l1, account, source })
 */
export function createRpcBatchSource(parameters: RpcBatchSourceParameters): BatchSource {
  const client =
    'client' in parameters ? parameters.client : createClient({ transport: http(parameters.url) })
  const request = client.request as unknown as (args: {
    method: string
    params: unknown[]
  }) => Promise<unknown>
  return {
    async head() {
      return quantity.parse(await request({ method: 'eth_blockNumber', params: [] }))
    },
    async getBatchBlock(number): Promise<BatchBlock | undefined> {
      const answer = await request({ method: 'keystore_getBatchBlock', params: [toHex(number)] })
      if (answer === null) return undefined
      const parsed = rpcBatchBlockSchema.safeParse(answer)
      if (!parsed.success)
        throw new RpcBatchSourceError(`keystore_getBatchBlock(${number}) answered an invalid block.`, {
          metaMessages: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        })
      if (parsed.data.number !== number)
        throw new RpcBatchSourceError(
          `keystore_getBatchBlock(${number}) answered block ${parsed.data.number}.`,
        )
      return parsed.data as BatchBlock
    },
  }
}
