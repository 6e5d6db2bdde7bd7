/**
 * A test double at the batcher's real boundary (its `BatchSource`): an in-memory chain of realistic
 * keystore blocks. Transactions are really signed EIP-1559 transactions (chain 901) calling
 * `updateKey(address,bytes32,bytes32,bytes32)` on a fixed predeploy, with one L1SLOAD witness entry
 * each; L1 origins advance every few blocks; timestamps follow genesis + n · blockTime. Hashes are
 * synthetic (keccak of the block's content and parent), which is all the batcher needs.
 */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import {
  type Address,
  bytesToHex,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  keccak256,
  serializeTransaction,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { L1SloadWitnessEntry } from '../../precompiles/l1sload/L1SloadWitness.js'
import type { BatchBlock, BatchSource } from './types.js'

/** The `secp256k1` package (native addon, JS fallback); only what the signer needs. */
const secp256k1 = createRequire(import.meta.url)('secp256k1') as {
  ecdsaSign(message: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
}

export const UPDATE_KEY_ABI = [
  {
    type: 'function',
    name: 'updateKey',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'account', type: 'address' },
      { name: 'key', type: 'bytes32' },
      { name: 'oldValue', type: 'bytes32' },
      { name: 'newValue', type: 'bytes32' },
    ],
    outputs: [],
  },
] as const

/** A deterministic byte stream (sha256 counter mode): fast, reproducible test data. */
export class TestRng {
  #counter = 0
  readonly #seed: string
  constructor(seed: string | number) {
    this.#seed = String(seed)
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 32) {
      const block = createHash('sha256')
        .update(`${this.#seed}:${this.#counter++}`)
        .digest()
      out.set(block.subarray(0, Math.min(32, n - i)), i)
    }
    return out
  }
  hex(n: number): Hex {
    return bytesToHex(this.bytes(n))
  }
  /** Uniform in [0, n) for n ≤ 2^32. */
  int(n: number): number {
    const b = this.bytes(4)
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) % n
  }
}

export type KeystoreBlockSourceParameters = {
  seed?: string | number | undefined
  chainId?: number | undefined
  /** The keystore predeploy the transactions call. */
  to?: Address | undefined
  /** The L1 contract the witness entries read (L1Keystore). */
  l1Keystore?: Address | undefined
  /** Distinct senders (each with its own nonce sequence). Default 100. */
  senders?: number | undefined
  witnessPerTx?: number | undefined
  genesisTimestamp?: bigint | undefined
  /** Seconds per L2 block. Default 2. */
  blockTime?: bigint | undefined
  /** The L1 origin advances every this many L2 blocks. Default 6. */
  originEvery?: number | undefined
  firstOrigin?: bigint | undefined
}

/**
 * An in-memory `BatchSource` of keystore blocks; `produce(n)` appends a block with `n` signed
 * `updateKey` transactions.
 *
 * @example
 * const source = new KeystoreBlockSource({ seed: 1 })
 * source.produce(10); source.produce(0)
 * await source.head() // 2n
 */
export class KeystoreBlockSource implements BatchSource {
  readonly blocks: BatchBlock[] = []
  readonly chainId: number
  readonly to: Address
  readonly l1Keystore: Address
  readonly rng: TestRng
  readonly #keys: Uint8Array[]
  readonly #addresses: Address[]
  readonly #nonces: number[]
  readonly #p: KeystoreBlockSourceParameters

  constructor(parameters: KeystoreBlockSourceParameters = {}) {
    this.#p = parameters
    this.rng = new TestRng(parameters.seed ?? 'keystore')
    this.chainId = parameters.chainId ?? 901
    this.to = parameters.to ?? '0x4200000000000000000000000000000000000901'
    this.l1Keystore = parameters.l1Keystore ?? '0x5FbDB2315678afecb367f032d93F642f64180aa3'
    const n = parameters.senders ?? 100
    this.#keys = Array.from({ length: n }, () => this.rng.bytes(32))
    this.#addresses = this.#keys.map((k) => privateKeyToAccount(bytesToHex(k)).address)
    this.#nonces = this.#keys.map(() => 0)
    const genesis: BatchBlock = {
      number: 0n,
      hash: keccak256(new TextEncoder().encode(`genesis:${parameters.seed ?? 'keystore'}`)),
      parentHash: `0x${'00'.repeat(32)}`,
      timestamp: parameters.genesisTimestamp ?? 1_700_000_000n,
      l1Origin: { number: parameters.firstOrigin ?? 10n, hash: this.rng.hex(32) },
      transactions: [],
      l1sload: [],
    }
    this.blocks.push(genesis)
  }

  get genesis(): BatchBlock {
    return this.blocks[0] as BatchBlock
  }
  get latest(): BatchBlock {
    return this.blocks[this.blocks.length - 1] as BatchBlock
  }

  /** A signed EIP-1559 `updateKey` transaction from sender `i` (the next nonce). */
  signUpdateKey(i = this.rng.int(this.#keys.length)): Hex {
    const nonce = this.#nonces[i]!++
    const data = encodeFunctionData({
      abi: UPDATE_KEY_ABI,
      functionName: 'updateKey',
      args: [this.#addresses[i]!, this.rng.hex(32), this.rng.hex(32), this.rng.hex(32)],
    })
    const tx = {
      type: 'eip1559' as const,
      chainId: this.chainId,
      nonce,
      to: this.to,
      data,
      gas: 80_000n,
      maxFeePerGas: 2_000_000_000n,
      maxPriorityFeePerGas: 1_000_000n,
      value: 0n,
    }
    // Signed with the native addon (viem's pure-JS signer is ~20x slower for thousands of txs).
    const digest = Buffer.from(keccak256(serializeTransaction(tx)).slice(2), 'hex')
    const { signature, recid } = secp256k1.ecdsaSign(digest, this.#keys[i]!)
    return serializeTransaction(tx, {
      r: bytesToHex(signature.subarray(0, 32)),
      s: bytesToHex(signature.subarray(32)),
      yParity: recid,
    })
  }

  /** Appends a block with `txCount` transactions; returns it. */
  produce(txCount: number): BatchBlock {
    const parent = this.latest
    const number = parent.number + 1n
    const every = BigInt(this.#p.originEvery ?? 6)
    const l1Origin =
      number % every === 0n
        ? { number: parent.l1Origin.number + 1n, hash: this.rng.hex(32) }
        : parent.l1Origin
    const transactions = Array.from({ length: txCount }, () => this.signUpdateKey())
    const l1sload: L1SloadWitnessEntry[] = []
    for (let t = 0; t < txCount * (this.#p.witnessPerTx ?? 1); t++)
      l1sload.push({
        l1BlockNumber: l1Origin.number,
        address: this.l1Keystore.toLowerCase() as Address,
        key: this.rng.hex(32),
        value: this.rng.hex(32),
      })
    const timestamp = this.genesis.timestamp + number * (this.#p.blockTime ?? 2n)
    const content = encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'bytes[]' }],
      [parent.hash, number, transactions],
    )
    const block: BatchBlock = {
      number,
      hash: keccak256(content),
      parentHash: parent.hash,
      timestamp,
      l1Origin,
      transactions,
      l1sload,
    }
    this.blocks.push(block)
    return block
  }

  /** Replaces every block from `number` on with a fresh fork (an L2 reorg / a node restarted on another chain). */
  forkAt(number: bigint): void {
    this.blocks.length = Number(number)
    this.rng.bytes(1)
  }

  async head(): Promise<bigint> {
    return this.latest.number
  }

  async getBatchBlock(number: bigint): Promise<BatchBlock | undefined> {
    const block = this.blocks[Number(number)]
    return block ? structuredClone(block) : undefined
  }
}
