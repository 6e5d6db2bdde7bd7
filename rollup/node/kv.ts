import { ClassicLevel } from 'classic-level'

export type KvOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

/**
 * The node's key-value store: string keys, byte values, atomic batches. Two backends: LevelDB
 * (`LevelKv`, durable) and a Map (`MemoryKv`, tests and library use without a data directory).
 */
export interface Kv {
  get(key: string): Promise<Uint8Array | undefined>
  /** Applies `ops` atomically; `sync` waits until the write-ahead log is on disk (fsync). */
  write(ops: KvOp[], sync: boolean): Promise<void>
  /** Entries whose key starts with `prefix`, in key order. */
  entries(prefix: string): AsyncIterable<[string, Uint8Array]>
  close(): Promise<void>
}

/**
 * LevelDB through classic-level (prebuilt binaries, no install scripts). Why LevelDB: the
 * workload is a key-value one (trie nodes by hash, blocks by hash/number) written in one atomic
 * batch per block; LevelDB's write-ahead log makes a batch all-or-nothing across `kill -9`, and a
 * `sync` batch fsyncs the log, which also makes every earlier unsynced write durable (one log,
 * written in order). SQLite would add SQL for nothing, and its npm bindings need a native build.
 */
export class LevelKv implements Kv {
  readonly #db: ClassicLevel<string, Uint8Array>

  private constructor(db: ClassicLevel<string, Uint8Array>) {
    this.#db = db
  }

  /** Opens (creating if needed) the database in `dir`. Fails clearly if another process holds it. */
  static async open(dir: string): Promise<LevelKv> {
    const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' })
    try {
      await db.open()
    } catch (error) {
      const cause = (error as { cause?: Error }).cause
      throw new Error(
        `cannot open the node database in ${dir}: ${cause?.message ?? (error as Error).message}` +
          ' (is another node running on this data directory?)',
      )
    }
    return new LevelKv(db)
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const v = await this.#db.get(key)
    return v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  }

  async write(ops: KvOp[], sync: boolean): Promise<void> {
    if (ops.length === 0) return
    await this.#db.batch(ops, { sync })
  }

  async *entries(prefix: string): AsyncIterable<[string, Uint8Array]> {
    for await (const [k, v] of this.#db.iterator({ gte: prefix, lt: `${prefix}\uffff` })) yield [k, v]
  }

  async close(): Promise<void> {
    await this.#db.close()
  }
}

/** In-memory `Kv` (nothing survives the process). */
export class MemoryKv implements Kv {
  readonly #map = new Map<string, Uint8Array>()

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.#map.get(key)
  }

  async write(ops: KvOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.#map.set(op.key, op.value)
      else this.#map.delete(op.key)
    }
  }

  async *entries(prefix: string): AsyncIterable<[string, Uint8Array]> {
    const keys = [...this.#map.keys()].filter((k) => k.startsWith(prefix)).sort()
    for (const k of keys) {
      const v = this.#map.get(k)
      if (v) yield [k, v]
    }
  }

  async close(): Promise<void> {}
}
