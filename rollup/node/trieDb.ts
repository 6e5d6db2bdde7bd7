import type { BatchDBOp, DB } from '@ethereumjs/util'
import type { Kv, KvOp } from './kv.js'

const PREFIX = 's:'

/**
 * The state trie's node database (the `DB` interface @ethereumjs/mpt writes to), over the node's
 * `Kv`. Writes are held in memory until the block that produced them is committed: `drain()` hands
 * them over as `Kv` ops, which the block store writes in the same atomic batch as the block and
 * the new head. A crash before that batch loses the nodes together with the block, never one
 * without the other. Nodes are content-addressed and never deleted (no pruning), so old state
 * roots stay readable (eth_getStorageAt / eth_getProof at past blocks).
 *
 * Reads go pending → LRU cache → disk. The cache bounds memory (it does not grow with the chain).
 */
export class TrieDb implements DB<string, string | Uint8Array> {
  readonly #kv: Kv
  readonly #pending = new Map<string, Uint8Array>()
  readonly #cache = new Map<string, Uint8Array>()
  readonly #cacheSize: number

  constructor(kv: Kv, parameters: { cacheSize?: number | undefined } = {}) {
    this.#kv = kv
    this.#cacheSize = parameters.cacheSize ?? 200_000
  }

  /** Trie nodes written since the last `drain()`. */
  get pendingCount(): number {
    return this.#pending.size
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const pending = this.#pending.get(key)
    if (pending) return pending
    const cached = this.#cache.get(key)
    if (cached) {
      // Refresh its LRU position.
      this.#cache.delete(key)
      this.#cache.set(key, cached)
      return cached
    }
    const value = await this.#kv.get(PREFIX + key)
    if (value) this.#remember(key, value)
    return value
  }

  async put(key: string, value: string | Uint8Array): Promise<void> {
    if (typeof value === 'string')
      throw new Error('TrieDb stores bytes: create the trie with ValueEncoding.Bytes')
    this.#pending.set(key, value)
  }

  /** Nodes are content-addressed and shared between tries and blocks: never deleted. */
  async del(_key: string): Promise<void> {}

  async batch(ops: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    for (const op of ops) if (op.type === 'put') await this.put(op.key, op.value)
  }

  /** Pending writes as `Kv` ops (moved into the read cache). */
  drain(): KvOp[] {
    const ops: KvOp[] = []
    for (const [key, value] of this.#pending) {
      ops.push({ type: 'put', key: PREFIX + key, value })
      this.#remember(key, value)
    }
    this.#pending.clear()
    return ops
  }

  /** Forgets pending writes (their block was not committed). */
  discard(): void {
    this.#pending.clear()
  }

  /** Same underlying store (the trie's `shallowCopy` for read views and storage tries). */
  shallowCopy(): DB<string, string | Uint8Array> {
    return this
  }

  async open(): Promise<void> {}

  #remember(key: string, value: Uint8Array): void {
    this.#cache.delete(key)
    this.#cache.set(key, value)
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next().value as string
      this.#cache.delete(oldest)
    }
  }
}
