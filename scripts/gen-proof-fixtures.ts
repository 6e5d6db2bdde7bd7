/**
 * Generates the JSON fixtures of the Solidity proof tests (contracts/test/fixtures/):
 *
 * - mpt-cases.json: proofs from random tries built with @ethereumjs/mpt: a secure (hashed-key)
 *   storage-like trie; raw-key tries whose keys share long prefixes so that tiny values make
 *   embedded (< 32-byte) nodes, with both the ethereumjs proof form (embedded nodes repeated) and
 *   the geth form (embedded nodes only inside their parent); a trie with a value in a branch's
 *   value slot; present and absent keys. Every proof is checked with `verifyMerkleProof` first.
 * - anvil.json: `eth_getProof` from anvil (Prague) for a contract that wrote many storage slots
 *   (present and absent slots, an absent account), the RLP header of that block and a few more
 *   real Prague headers.
 * - mainnet-shaped.json: synthesized mainnet-shaped account + storage proofs (precompiles/storage-proof/testing/synthProof.ts).
 * - op-baseline.json: runtime bytecode of a harness around OP's SecureMerkleTrie.get (scripts/lib/opBaseline.ts).
 * - l1block.json: the genuine OP L1Block predeploy runtime bytecode (contracts-bedrock forge-artifacts).
 *
 * Deterministic: tries come from a seeded RNG; anvil runs with a fixed genesis timestamp, a fixed
 * block interval and its default dev accounts.
 *
 * Usage: npx tsx scripts/gen-proof-fixtures.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createMerkleProof, createMPT, type MerklePatriciaTrie, verifyMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, concatBytes, type Hex, hexToBytes, keccak256, numberToBytes, toHex } from 'viem'
import { encodeBlockHeader, verifyBlockHeader } from '../precompiles/storage-proof/index.js'
import { synthesizeMainnetShapedProofs } from '../precompiles/storage-proof/testing/synthProof.js'
import { getFreePort, startAnvil } from '../rollup/devnet/anvil.js'
import { compileOpBaseline } from './lib/opBaseline.js'
import { Rng } from './lib/rng.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const fixtures = join(root, 'contracts/test/fixtures')

type MptCase = { name: string; root: Hex; path: Hex; proof: Hex[]; exists: boolean; value: Hex }
type StorageCase = { name: string; storageRoot: Hex; slot: Hex; proof: Hex[]; value: Hex }

// ------------------------------------------------------------------------------------------------
// Random tries
// ------------------------------------------------------------------------------------------------

/** Minimal big-endian bytes of a non-negative integer (RLP integer content). */
function intBytes(v: bigint): Uint8Array {
  return v === 0n ? new Uint8Array() : hexToBytes(toHex(v))
}

async function proofFor(trie: MerklePatriciaTrie, key: Uint8Array): Promise<Uint8Array[]> {
  const proof = await createMerkleProof(trie, key)
  // Sanity: the reference implementation accepts it against the explicit root.
  await verifyMerkleProof(key, proof, { root: trie.root() })
  return proof
}

/** geth's proof form: only the root and nodes referenced by hash (>= 32 bytes). */
function gethForm(proof: Uint8Array[]): Uint8Array[] {
  return proof.filter((node, i) => i === 0 || node.length >= 32)
}

async function mptCase(
  name: string,
  trie: MerklePatriciaTrie,
  key: Uint8Array,
  form: 'ethereumjs' | 'geth' = 'ethereumjs',
): Promise<MptCase> {
  const raw = await proofFor(trie, key)
  const proof = form === 'geth' ? gethForm(raw) : raw
  const value = await trie.get(key)
  return {
    name,
    root: bytesToHex(trie.root()),
    path: bytesToHex(key),
    proof: proof.map((n) => bytesToHex(n)),
    exists: value !== null,
    value: value === null ? '0x' : bytesToHex(value),
  }
}

/** A secure storage-like trie: key = keccak(slot), value = rlp(uint) of assorted sizes. */
async function secureStorageCases(rng: Rng): Promise<{ mpt: MptCase[]; storage: StorageCase[] }> {
  const trie = await createMPT({})
  const slots: Hex[] = []
  const values = new Map<Hex, bigint>()
  for (let i = 0; i < 400; i++) {
    const slot = i < 200 ? toHex(i, { size: 32 }) : rng.hex(32)
    const shape = i % 4
    let v = BigInt(rng.hex(32))
    if (shape === 0)
      v = (v % 127n) + 1n // tiny: a single-byte RLP value
    else if (shape === 1)
      v >>= 192n // 8 bytes
    else if (shape === 2) v >>= BigInt(8 * rng.int(31)) // leading zero bytes stripped
    if (v === 0n) v = 1n
    slots.push(slot)
    values.set(slot, v)
    await trie.put(hexToBytes(keccak256(slot)), RLP.encode(intBytes(v)))
  }
  const mpt: MptCase[] = []
  const storage: StorageCase[] = []
  const storageRoot = bytesToHex(trie.root())
  const add = async (name: string, slot: Hex) => {
    const key = hexToBytes(keccak256(slot))
    mpt.push(await mptCase(name, trie, key))
    storage.push({
      name,
      storageRoot,
      slot,
      proof: (await proofFor(trie, key)).map((n) => bytesToHex(n)),
      value: toHex(values.get(slot) ?? 0n, { size: 32 }),
    })
  }
  for (let i = 0; i < 10; i++) await add(`secure present ${i}`, slots[rng.int(slots.length)]!)
  for (let i = 0; i < 6; i++) await add(`secure absent ${i}`, rng.hex(32))
  return { mpt, storage }
}

/**
 * Raw-key tries with keys sharing long prefixes and 1-byte values: embedded leaves and branches,
 * extensions of odd and even length, leaves with an empty remaining path, and absent keys that
 * diverge inside an extension, at a leaf, or stop at an empty branch slot.
 */
async function inlineCases(rng: Rng): Promise<MptCase[]> {
  const cases: MptCase[] = []
  for (let t = 0; t < 4; t++) {
    const trie = await createMPT({})
    const base = rng.bytes(32)
    const keys: Uint8Array[] = []
    for (let i = 0; i < 12; i++) {
      const k = Uint8Array.from(base)
      // change a suffix: the last 1..6 nibbles (small groups share long prefixes)
      const nibbles = 1 + rng.int(t === 0 ? 2 : 6)
      for (let n = 64 - nibbles; n < 64; n++) {
        const byte = n >> 1
        const v = rng.int(16)
        k[byte] = n % 2 === 0 ? (k[byte]! & 0x0f) | (v << 4) : (k[byte]! & 0xf0) | v
      }
      keys.push(k)
      await trie.put(k, new Uint8Array([1 + rng.int(0x7f)]))
    }
    for (let i = 0; i < 4; i++) {
      const k = keys[rng.int(keys.length)]!
      cases.push(await mptCase(`inline trie ${t} present ${i} (ethereumjs form)`, trie, k))
      cases.push(await mptCase(`inline trie ${t} present ${i} (geth form)`, trie, k, 'geth'))
    }
    for (let i = 0; i < 4; i++) {
      const k = Uint8Array.from(base)
      const n = 64 - 1 - rng.int(8)
      k[n >> 1] = k[n >> 1]! ^ (n % 2 === 0 ? 0x50 : 0x05)
      cases.push(await mptCase(`inline trie ${t} absent ${i}`, trie, k))
      cases.push(await mptCase(`inline trie ${t} absent ${i} (geth form)`, trie, k, 'geth'))
    }
    // diverging early: inside the shared extension near the root
    const early = Uint8Array.from(base)
    early[1] = early[1]! ^ 0x10
    cases.push(await mptCase(`inline trie ${t} absent, diverges in extension`, trie, early))
  }
  return cases
}

/** A value in a branch's value slot: keys K (32 bytes) and K ‖ x (33 bytes). */
async function branchValueCases(rng: Rng): Promise<MptCase[]> {
  const trie = await createMPT({})
  const k = rng.bytes(32)
  await trie.put(k, rng.bytes(40))
  await trie.put(concatBytes([k, new Uint8Array([0x12])]), rng.bytes(40))
  await trie.put(concatBytes([k, new Uint8Array([0x34])]), rng.bytes(3))
  await trie.put(rng.bytes(32), rng.bytes(40))
  const cases = [await mptCase('branch value slot present', trie, k)]
  // a key that ends at a branch whose value slot is empty
  const trie2 = await createMPT({})
  await trie2.put(concatBytes([k, new Uint8Array([0x12])]), rng.bytes(40))
  await trie2.put(concatBytes([k, new Uint8Array([0x34])]), rng.bytes(40))
  await trie2.put(rng.bytes(32), rng.bytes(40))
  cases.push(await mptCase('branch value slot empty', trie2, k))
  return cases
}

/** Small random secure-style tries (1..64 keys, random values), present and absent keys. */
async function smallTrieCases(rng: Rng): Promise<MptCase[]> {
  const cases: MptCase[] = []
  for (let t = 0; t < 6; t++) {
    const trie = await createMPT({})
    const n = [1, 2, 3, 17, 40, 64][t]!
    const keys: Uint8Array[] = []
    for (let i = 0; i < n; i++) {
      const k = rng.bytes(32)
      keys.push(k)
      await trie.put(k, rng.bytes(1 + rng.int(60)))
    }
    cases.push(await mptCase(`small trie ${n} present`, trie, keys[rng.int(n)]!))
    cases.push(await mptCase(`small trie ${n} absent`, trie, rng.bytes(32)))
  }
  return cases
}

// ------------------------------------------------------------------------------------------------
// anvil
// ------------------------------------------------------------------------------------------------

/** Writes `count` slots from `start`: tiny, 8-byte, leading-zero and full-word values. */
const FILLER = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Filler {
    function fill(uint256 start, uint256 count) external {
        for (uint256 i = start; i < start + count; ++i) {
            uint256 v = uint256(keccak256(abi.encode(i)));
            uint256 shape = i % 4;
            if (shape == 0) v = v % 127 + 1;
            else if (shape == 1) v >>= 192;
            else if (shape == 2) v >>= 8 * (i % 31);
            assembly { sstore(i, v) }
        }
    }
}
`

function compileFiller(): Hex {
  const require = createRequire(import.meta.url)
  const solc = require('solc') as { compile(input: string): string }
  const out = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: 'Solidity',
        sources: { 'Filler.sol': { content: FILLER } },
        settings: {
          evmVersion: 'prague',
          optimizer: { enabled: true, runs: 200 },
          outputSelection: { '*': { Filler: ['evm.bytecode.object'] } },
        },
      }),
    ),
  )
  return `0x${out.contracts['Filler.sol'].Filler.evm.bytecode.object}`
}

class Rpc {
  private id = 0
  constructor(private readonly url: string) {}

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
    })
    const body = (await res.json()) as { result?: T; error?: { message: string } }
    if (body.error) throw new Error(`${method}: ${body.error.message}`)
    return body.result as T
  }
}

type RpcBlock = Record<string, Hex | undefined> & { hash: Hex; number: Hex }

/** RLP of a block header (the storage-proof library's encoder), checked against the block hash. */
function encodeHeader(b: RpcBlock): Hex {
  const rlp = encodeBlockHeader(b as never)
  verifyBlockHeader({ rlp, hash: b.hash })
  return rlp
}

function headerFixture(b: RpcBlock) {
  return {
    rlp: encodeHeader(b),
    hash: b.hash,
    parentHash: b.parentHash,
    stateRoot: b.stateRoot,
    number: BigInt(b.number).toString(),
    timestamp: BigInt(b.timestamp!).toString(),
    parentBeaconRoot: b.parentBeaconBlockRoot ?? `0x${'00'.repeat(32)}`,
  }
}

async function anvilFixture(rng: Rng) {
  // anvil's default chain id, a fixed genesis timestamp: the fixtures are reproducible
  const anvil = await startAnvil({
    name: 'fixtures',
    chainId: 31337,
    port: await getFreePort(),
    hardfork: 'prague',
    args: ['--timestamp', '1700000000'],
  })
  try {
    const rpc = new Rpc(anvil.rpcUrl)
    await rpc.call('anvil_setBlockTimestampInterval', [12])
    const [from] = await rpc.call<Hex[]>('eth_accounts')
    const send = async (tx: Record<string, Hex>) => {
      const hash = await rpc.call<Hex>('eth_sendTransaction', [{ from, gas: toHex(25_000_000), ...tx }])
      for (let i = 0; i < 200; i++) {
        const receipt = await rpc.call<{ status: Hex; contractAddress: Hex | null } | null>(
          'eth_getTransactionReceipt',
          [hash],
        )
        if (receipt) {
          if (receipt.status !== '0x1') throw new Error('transaction failed')
          return receipt
        }
        await new Promise((r) => setTimeout(r, 50))
      }
      throw new Error(`transaction ${hash} not mined`)
    }
    const { contractAddress } = await send({ data: compileFiller() })
    const filler = contractAddress!
    const selector = keccak256(new TextEncoder().encode('fill(uint256,uint256)')).slice(0, 10)
    for (const [start, count] of [
      [0, 400],
      [400, 400],
    ]) {
      const data = concatBytes([
        hexToBytes(selector as Hex),
        numberToBytes(start!, { size: 32 }),
        numberToBytes(count!, { size: 32 }),
      ])
      await send({ to: filler, data: bytesToHex(data) })
    }
    const block = await rpc.call<RpcBlock>('eth_getBlockByNumber', ['latest', false])
    const present = [0, 1, 2, 3, 5, 30, 127, 128, 255, 256, 399, 400, 517, 799].map((i) =>
      toHex(i, { size: 32 }),
    )
    const absent = [toHex(800, { size: 32 }), toHex(10_000, { size: 32 }), rng.hex(32), rng.hex(32)]
    const proof = await rpc.call<{
      accountProof: Hex[]
      storageHash: Hex
      nonce: Hex
      balance: Hex
      codeHash: Hex
      storageProof: { key: Hex; value: Hex; proof: Hex[] }[]
    }>('eth_getProof', [filler, [...present, ...absent], block.number])
    const absentAddress = rng.hex(20)
    const absentProof = await rpc.call<{ accountProof: Hex[] }>('eth_getProof', [
      absentAddress,
      [],
      block.number,
    ])
    const eoaProof = await rpc.call<{ accountProof: Hex[]; nonce: Hex; balance: Hex }>('eth_getProof', [
      from,
      [],
      block.number,
    ])

    const headers: RpcBlock[] = []
    for (let n = 0n; n <= BigInt(block.number); n++) {
      headers.push(await rpc.call<RpcBlock>('eth_getBlockByNumber', [toHex(n), false]))
    }
    return {
      chainId: BigInt(await rpc.call<Hex>('eth_chainId')).toString(),
      block: headerFixture(block),
      headers: headers.map(headerFixture),
      contract: {
        address: filler,
        nonce: BigInt(proof.nonce).toString(),
        balance: BigInt(proof.balance).toString(),
        storageRoot: proof.storageHash,
        codeHash: proof.codeHash,
        accountProof: proof.accountProof,
        storage: proof.storageProof.map((s) => ({
          slot: toHex(BigInt(s.key), { size: 32 }),
          value: toHex(BigInt(s.value), { size: 32 }),
          proof: s.proof,
        })),
      },
      eoa: {
        address: from,
        nonce: BigInt(eoaProof.nonce).toString(),
        balance: BigInt(eoaProof.balance).toString(),
        accountProof: eoaProof.accountProof,
      },
      absentAccount: { address: absentAddress, accountProof: absentProof.accountProof },
    }
  } finally {
    await anvil.stop()
  }
}

// ------------------------------------------------------------------------------------------------

function write(name: string, data: unknown) {
  const text = `${JSON.stringify(data, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`
  writeFileSync(join(fixtures, name), text)
  console.log(`wrote contracts/test/fixtures/${name} (${(text.length / 1024).toFixed(1)} KB)`)
}

async function main() {
  mkdirSync(fixtures, { recursive: true })
  const rng = new Rng('gen-proof-fixtures:1')

  const secure = await secureStorageCases(rng)
  const cases = [
    ...secure.mpt,
    ...(await inlineCases(rng)),
    ...(await branchValueCases(rng)),
    ...(await smallTrieCases(rng)),
  ]
  write('mpt-cases.json', {
    count: cases.length,
    cases,
    storageCount: secure.storage.length,
    storage: secure.storage,
  })

  write('mainnet-shaped.json', synthesizeMainnetShapedProofs(1))
  write('op-baseline.json', compileOpBaseline())

  const l1Block = JSON.parse(
    readFileSync(
      join(root, 'node_modules/@eth-optimism/contracts-bedrock/forge-artifacts/L1Block.sol/L1Block.json'),
      'utf8',
    ),
  ) as { deployedBytecode: { object: Hex } }
  write('l1block.json', {
    source: '@eth-optimism/contracts-bedrock forge-artifacts/L1Block.sol/L1Block.json',
    deployedBytecode: l1Block.deployedBytecode.object,
  })

  write('anvil.json', await anvilFixture(rng))
}

await main()
