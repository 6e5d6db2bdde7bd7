/**
 * The keystore chain's genesis as a geth-style `genesis.json` (what `geth init` / `op-geth init`
 * read), and back.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { type Hex, isAddress, isHex, pad, toHex } from 'viem'
import type { GenesisAccount, GenesisAlloc } from '../node/chain.js'
import { KEYSTORE_CHAIN_ID } from '../node/chain.js'
import { RollupError } from '../shared/errors.js'

export type GethGenesisAccount = {
  code?: Hex
  storage?: Record<Hex, Hex>
  balance: Hex
  nonce?: Hex
}

/** The geth `core.Genesis` JSON shape, with the OP-Stack chain-config fields. */
export type GethGenesis = {
  config: Record<string, unknown>
  nonce: Hex
  timestamp: Hex
  extraData: Hex
  gasLimit: Hex
  difficulty: Hex
  mixHash: Hex
  coinbase: Hex
  number: Hex
  gasUsed: Hex
  parentHash: Hex
  baseFeePerGas: Hex
  excessBlobGas: Hex
  blobGasUsed: Hex
  /** Unprefixed lowercase address → account (geth's own marshalling). */
  alloc: Record<string, GethGenesisAccount>
}

export type ToGethGenesisParameters = {
  alloc: GenesisAlloc
  /** Default 901. */
  chainId?: number | undefined
  /** Genesis timestamp (seconds). Default 0. */
  timestamp?: bigint | undefined
  /** Default 30,000,000. */
  gasLimit?: bigint | undefined
  /** Default 1 gwei (KeystoreNode's genesis base fee). */
  baseFeePerGas?: bigint | undefined
  /**
   * EIP-1559 parameters written to `config.optimism`. Default: Ethereum's (elasticity 2,
   * denominator 8), which is what KeystoreNode computes today; OP chains use 6 / 50 (250 after
   * Canyon). They must agree with the node or blocks will not match.
   */
  eip1559?: { elasticity: number; denominator: number; denominatorCanyon?: number } | undefined
}

export class GethGenesisError extends RollupError {
  override name = 'GethGenesisError'
}

const ZERO32: Hex = `0x${'00'.repeat(32)}`
const ZERO20: Hex = `0x${'00'.repeat(20)}`

/**
 * Converts an alloc into a geth/op-geth `genesis.json` object: every fork through Osaka active at
 * genesis (the rules KeystoreNode runs), the OP upgrades through Isthmus active at genesis
 * (Bedrock at block 0), storage keys and values as 32-byte hex, accounts sorted.
 *
 * What a real op-geth deployment still needs (not produced here): a matching op-node
 * `rollup.json` (L1 genesis block, L2 genesis hash — compute it with op-geth, the system config,
 * batch inbox, deposit contract = the OptimismPortal proxy), an op-geth that implements the same
 * rules as KeystoreNode (the L1SLOAD precompile at 0x…0101 does not exist in op-geth; the
 * P256VERIFY gas of Osaka (6,900) differs from OP's RIP-7212 (3,450)), the same EIP-1559
 * parameters and block header layout (Isthmus puts the L2ToL1MessagePasser storage root in
 * `withdrawalsRoot`), and the standard predeploys OP tooling expects (ProxyAdmin, fee vaults,
 * GasPriceOracle…), which this chain does not carry.
 *
 * @example
 * writeFileSync('genesis.json', JSON.stringify(toGethGenesis({ alloc, timestamp }), null, 2))
 */
export function toGethGenesis(parameters: ToGethGenesisParameters): GethGenesis {
  const eip1559 = parameters.eip1559 ?? { elasticity: 2, denominator: 8 }
  const config: Record<string, unknown> = {
    chainId: parameters.chainId ?? KEYSTORE_CHAIN_ID,
    homesteadBlock: 0,
    eip150Block: 0,
    eip155Block: 0,
    eip158Block: 0,
    byzantiumBlock: 0,
    constantinopleBlock: 0,
    petersburgBlock: 0,
    istanbulBlock: 0,
    muirGlacierBlock: 0,
    berlinBlock: 0,
    londonBlock: 0,
    arrowGlacierBlock: 0,
    grayGlacierBlock: 0,
    mergeNetsplitBlock: 0,
    shanghaiTime: 0,
    cancunTime: 0,
    pragueTime: 0,
    osakaTime: 0,
    bedrockBlock: 0,
    regolithTime: 0,
    canyonTime: 0,
    deltaTime: 0,
    ecotoneTime: 0,
    fjordTime: 0,
    graniteTime: 0,
    holoceneTime: 0,
    isthmusTime: 0,
    terminalTotalDifficulty: 0,
    terminalTotalDifficultyPassed: true,
    // geth ≥ 1.15 wants a blob schedule for every blob fork it activates (mainnet values: an
    // L2 carries no blobs, but the header fields still follow the rules).
    blobSchedule: {
      cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 },
      prague: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
      osaka: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
    },
    optimism: {
      eip1559Elasticity: eip1559.elasticity,
      eip1559Denominator: eip1559.denominator,
      eip1559DenominatorCanyon: eip1559.denominatorCanyon ?? eip1559.denominator,
    },
  }
  const alloc: Record<string, GethGenesisAccount> = {}
  const entries = Object.entries(parameters.alloc) as [Hex, GenesisAccount][]
  for (const [address, account] of entries.sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))) {
    if (!isAddress(address, { strict: false }))
      throw new GethGenesisError(`alloc key ${address} is not an address.`, { input: address })
    const out: GethGenesisAccount = { balance: toHex(account.balance ?? 0n) }
    const nonce = account.nonce ?? (account.code && account.code !== '0x' ? 1n : 0n)
    if (nonce !== 0n) out.nonce = toHex(nonce)
    if (account.code && account.code !== '0x') out.code = account.code.toLowerCase() as Hex
    const slots = Object.entries(account.storage ?? {}) as [Hex, Hex][]
    if (slots.length > 0) {
      out.storage = {}
      for (const [slot, value] of slots
        .map(([s, v]) => [word(s, address), word(v, address)] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1)))
        if (value !== ZERO32) out.storage[slot] = value
    }
    alloc[address.toLowerCase().slice(2)] = out
  }
  return {
    config,
    nonce: '0x0',
    timestamp: toHex(parameters.timestamp ?? 0n),
    extraData: '0x',
    gasLimit: toHex(parameters.gasLimit ?? 30_000_000n),
    difficulty: '0x0',
    mixHash: ZERO32,
    coinbase: ZERO20,
    number: '0x0',
    gasUsed: '0x0',
    parentHash: ZERO32,
    baseFeePerGas: toHex(parameters.baseFeePerGas ?? 1_000_000_000n),
    excessBlobGas: '0x0',
    blobGasUsed: '0x0',
    alloc,
  }
}

/**
 * Writes {@link toGethGenesis}'s output to `path` (atomically: a temporary file, then a rename).
 *
 * @example
 * writeGethGenesis('.devnet/keystore/genesis.json', { alloc, timestamp: 0n })
 */
export function writeGethGenesis(path: string, parameters: ToGethGenesisParameters): GethGenesis {
  const genesis = toGethGenesis(parameters)
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(genesis, null, 2)}\n`)
  renameSync(tmp, path)
  return genesis
}

/**
 * Reads the `alloc` of a geth-style genesis (prefixed or unprefixed addresses, hex or decimal
 * balances) back into a {@link GenesisAlloc}, e.g. to start KeystoreNode from a genesis.json.
 */
export function allocFromGethGenesis(genesis: { alloc: Record<string, unknown> } | string): GenesisAlloc {
  const json =
    typeof genesis === 'string'
      ? (JSON.parse(readFileSync(genesis, 'utf8')) as { alloc: Record<string, unknown> })
      : genesis
  const alloc: GenesisAlloc = {}
  for (const [key, raw] of Object.entries(json.alloc ?? {})) {
    const address = (key.startsWith('0x') ? key : `0x${key}`).toLowerCase() as Hex
    if (!isAddress(address, { strict: false }))
      throw new GethGenesisError(`alloc key ${key} is not an address.`, { input: key })
    const a = raw as { code?: unknown; storage?: Record<string, unknown>; balance?: unknown; nonce?: unknown }
    const account: GenesisAccount = {
      balance: quantity(a.balance ?? '0x0', `${key}.balance`),
      nonce: quantity(a.nonce ?? '0x0', `${key}.nonce`),
    }
    if (a.code !== undefined && a.code !== '0x') {
      if (!isHex(a.code, { strict: true }))
        throw new GethGenesisError(`${key}.code is not hex.`, { input: a.code })
      account.code = a.code
    }
    if (a.storage) {
      account.storage = {}
      for (const [slot, value] of Object.entries(a.storage))
        account.storage[word(slot as Hex, key)] = word(value as Hex, key)
    }
    alloc[address] = account
  }
  return alloc
}

function word(value: Hex, where: string): Hex {
  if (!isHex(value, { strict: true }) || value.length > 66)
    throw new GethGenesisError(`${where}: storage key/value ${value} is not a hex word.`, { input: value })
  return pad(value.toLowerCase() as Hex, { size: 32 })
}

function quantity(value: unknown, where: string): bigint {
  try {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value)
    if (typeof value === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) return BigInt(value)
  } catch {
    // fall through
  }
  throw new GethGenesisError(`${where} is not a quantity.`, { input: value })
}
