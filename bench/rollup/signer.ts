/**
 * Signs keystore-chain `updateKey` transactions ahead of time (EIP-1559, chain 901), fast: the
 * envelope is RLP-encoded by hand and signed with the native secp256k1 addon, so 100k
 * transactions take seconds, not minutes (viem's signer is pure JS).
 */
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { encodeFunctionData, type Hex, keccak256 as keccakHex, toHex } from 'viem'
import { keystoreChainL2KeystoreAbi } from '../../contracts/generated/index.js'
import { keccak256 } from '../../precompiles/storage-proof/keccak.js'
import { KEYSTORE_PREDEPLOYS } from '../../rollup/keystore/keystoreChain.js'
import { type BenchAccount, secp256k1 } from './fixture.js'

export type SignedUpdate = { raw: Uint8Array; hash: Hex; sender: number; nonce: number }

export type SignUpdatesParameters = {
  accounts: BenchAccount[]
  /** The key each account updates, and its value on L1 (the contract's compare-and-swap pre-check). */
  key: Hex
  oldValue: Hex
  /** Transactions in all: round robin over the accounts (tx i: account i mod n, its next nonce). */
  count: number
  /** Index of the first transaction (continue a sequence signed in chunks). Default 0. */
  first?: number | undefined
  /** First nonce per account index (default 0). */
  startNonce?: ((accountIndex: number) => number) | undefined
  chainId?: number | undefined
  gas: bigint
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  /** Distinguishes the new values of separate runs. */
  tag?: string | undefined
}

/** Signed raw updateKey transactions, in submission order (round robin over the senders). */
export function signUpdates(p: SignUpdatesParameters): SignedUpdate[] {
  const chainId = bigIntToUnpaddedBytes(BigInt(p.chainId ?? 901))
  const to = hexToBytes(KEYSTORE_PREDEPLOYS.L2Keystore)
  const gas = bigIntToUnpaddedBytes(p.gas)
  const maxFee = bigIntToUnpaddedBytes(p.maxFeePerGas)
  const tip = bigIntToUnpaddedBytes(p.maxPriorityFeePerGas)
  const keys = p.accounts.map((a) => hexToBytes(a.eoaKey))
  const n = p.accounts.length
  const out: SignedUpdate[] = []
  // The calldata of account j is the same but for the new value: encode once, patch the last word.
  const templates = p.accounts.map((a) =>
    hexToBytes(
      encodeFunctionData({
        abi: keystoreChainL2KeystoreAbi,
        functionName: 'updateKey',
        args: [a.account, p.key, p.oldValue, p.oldValue],
      }),
    ),
  )
  const seed = keccakHex(toHex(`bench values ${p.tag ?? ''}`))
  const first = p.first ?? 0
  for (let i = first; i < first + p.count; i++) {
    const sender = i % n
    const nonce = (p.startNonce?.(sender) ?? 0) + Math.floor(i / n)
    const data = templates[sender]!.slice()
    const value = keccak256(concatBytes(hexToBytes(seed), bigIntToUnpaddedBytes(BigInt(i))))
    data.set(value, data.length - 32)
    const fields = [
      chainId,
      bigIntToUnpaddedBytes(BigInt(nonce)),
      tip,
      maxFee,
      gas,
      to,
      new Uint8Array(),
      data,
      [],
    ]
    const unsigned = concatBytes(Uint8Array.of(2), RLP.encode(fields))
    const { signature, recid } = secp256k1.ecdsaSign(keccak256(unsigned), keys[sender]!)
    const r = stripZeros(signature.subarray(0, 32))
    const s = stripZeros(signature.subarray(32, 64))
    const raw = concatBytes(
      Uint8Array.of(2),
      RLP.encode([...fields, recid === 0 ? new Uint8Array() : Uint8Array.of(recid), r, s]),
    )
    out.push({ raw, hash: bytesToHex(keccak256(raw)) as Hex, sender, nonce })
  }
  return out
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return b.slice(i)
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
