import { createBlock } from '@ethereumjs/block'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { Account, Address, bytesToHex, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import { createVM, type VM } from '@ethereumjs/vm'
import { type Abi, decodeErrorResult, getAddress, type Hex, isAddress, isHex, zeroAddress } from 'viem'
import {
  applyGenesisAlloc,
  createKeystoreCommon,
  type GenesisAlloc,
  KEYSTORE_CHAIN_ID,
} from '../node/chain.js'
import { RollupError } from '../shared/errors.js'
import { type GenesisPredeploy, opPredeploys } from './predeploys.js'

export type BuildKeystoreGenesisParameters = {
  /**
   * The L1CrossDomainMessenger **proxy** of the keystore chain on L1: becomes
   * `L2CrossDomainMessenger.otherMessenger`, the only L1 sender (aliased) whose deposits
   * `relayMessage` accepts as first delivery.
   */
  l1CrossDomainMessenger: Hex
  /**
   * Our own predeploys (L1Blocks, the keystore chain's L2Keystore, …), built after the OP ones
   * and in this order (a constructor may call an earlier predeploy).
   */
  predeploys?: readonly GenesisPredeploy[] | undefined
  /** Funded accounts (dev keys), wei. */
  balances?: Readonly<Record<Hex, bigint>> | undefined
  /** Default 901. */
  chainId?: number | undefined
  /** `block.timestamp` seen by constructors (and the genesis timestamp you should use). Default 0. */
  timestamp?: bigint | undefined
  /** Gas for each constructor / call at build time. Default 30,000,000. */
  gasLimit?: bigint | undefined
}

export type BuildKeystoreGenesisReturnType = {
  /** Address (lowercase) → { code, storage (32-byte hex keys and values), balance, nonce }; sorted. */
  alloc: GenesisAlloc
  /** Predeploy name → address (checksummed), OP predeploys included. */
  predeploys: Record<string, Hex>
  /** The state root of `alloc` (what a node's genesis block must carry). */
  stateRoot: Hex
}

export class GenesisBuildError extends RollupError {
  override name = 'GenesisBuildError'
}

const DEFAULT_GAS = 30_000_000n

/**
 * Builds the keystore chain's genesis state: the OP predeploys (L1Block, L2ToL1MessagePasser,
 * L2CrossDomainMessenger from contracts-bedrock, see {@link opPredeploys}), our own predeploys and
 * funded accounts. Every predeploy's creation code runs at its own address in a scratch
 * @ethereumjs VM (Osaka rules, chain id `chainId`), so constructors run and immutables are set;
 * then its `calls` (e.g. `initialize`) run. Every account the build wrote is dumped with its
 * code, nonce, balance and storage. Same parameters → same alloc → same state root.
 *
 * Threat model: the genesis is trusted input (it fixes which L1 messenger may speak for L1 and
 * what code the predeploys run); build it from reviewed parameters and pin its state root.
 *
 * @param parameters - {@link BuildKeystoreGenesisParameters}
 * @returns `{ alloc, predeploys, stateRoot }`
 * @throws {GenesisBuildError} on invalid input (bad/duplicate address, empty init code) or when a
 *   constructor or call reverts (with the revert reason).
 * @example
 * const { alloc, predeploys } = await buildKeystoreGenesis({
 *   l1CrossDomainMessenger: addresses.l1.L1CrossDomainMessengerProxy,
 *   predeploys: [{ name: 'L1Blocks', address: L1_BLOCKS, initCode: encodeDeployData({ abi, bytecode, args: [8191n] }) }],
 *   balances: { [dev]: 10n ** 21n },
 * })
 * const node = await KeystoreNode.create({ alloc, allowedRecipients: [predeploys.L2Keystore] })
 */
export async function buildKeystoreGenesis(
  parameters: BuildKeystoreGenesisParameters,
): Promise<BuildKeystoreGenesisReturnType> {
  const chainId = parameters.chainId ?? KEYSTORE_CHAIN_ID
  const gasLimit = parameters.gasLimit ?? DEFAULT_GAS
  const l1Messenger = checkAddress(parameters.l1CrossDomainMessenger, 'l1CrossDomainMessenger')
  if (l1Messenger === zeroAddress)
    throw new GenesisBuildError('l1CrossDomainMessenger is the zero address.', {
      details: 'pass the L1CrossDomainMessenger proxy of the keystore chain on L1',
      input: parameters.l1CrossDomainMessenger,
    })
  const all = [...opPredeploys({ l1CrossDomainMessenger: l1Messenger }), ...(parameters.predeploys ?? [])]
  const specs = validatePredeploys(all)
  const balances = validateBalances(parameters.balances ?? {}, specs)

  const common = createKeystoreCommon({ chainId })
  const sm = new MerkleStateManager({ common })
  const written = recordWrites(sm)
  const vm = await createVM({ common, stateManager: sm })
  const block = createBlock(
    { header: { number: 0n, timestamp: parameters.timestamp ?? 0n, gasLimit } },
    { common },
  )

  for (const spec of specs) {
    const address = new Address(hexToBytes(spec.address))
    const deployer = new Address(hexToBytes(spec.deployer))
    await vm.evm.journal.cleanup()
    await vm.evm.journal.checkpoint()
    // A contract created by CREATE starts with nonce 1 (EIP-161).
    await vm.evm.journal.putAccount(address, new Account(1n, spec.balance))
    const result = await vm.evm.runCode({
      code: hexToBytes(spec.initCode),
      data: new Uint8Array(),
      to: address,
      caller: deployer,
      origin: deployer,
      gasLimit,
      block,
    })
    if (result.exceptionError) {
      await vm.evm.journal.revert()
      throw new GenesisBuildError(`The constructor of ${spec.name} failed.`, {
        details: describeFailure(result.exceptionError.error, result.returnValue, spec.abi),
        input: { name: spec.name, address: spec.address },
      })
    }
    await vm.evm.journal.commit()
    if (result.returnValue.length === 0)
      throw new GenesisBuildError(`The constructor of ${spec.name} returned no runtime code.`, {
        input: { name: spec.name, address: spec.address },
      })
    if (!spec.keepConstructorStorage) await sm.clearStorage(address)
    await sm.putCode(address, result.returnValue)
    for (const [i, call] of spec.calls.entries()) await runSetupCall(vm, spec, i, call, block, gasLimit)
  }
  await vm.evm.journal.cleanup()

  const alloc = await dumpAlloc(sm, written, balances)
  const stateRoot = bytesToHex(
    await applyGenesisAlloc(new MerkleStateManager({ common: createKeystoreCommon({ chainId }) }), alloc),
  ) as Hex
  const predeploys: Record<string, Hex> = {}
  for (const spec of specs) predeploys[spec.name] = getAddress(spec.address)
  return { alloc, predeploys, stateRoot }
}

type CheckedPredeploy = {
  name: string
  address: Hex
  initCode: Hex
  keepConstructorStorage: boolean
  calls: { data: Hex; from: Hex }[]
  deployer: Hex
  balance: bigint
  abi: Abi
}

function checkAddress(value: unknown, what: string): Hex {
  if (typeof value !== 'string' || !isAddress(value, { strict: false }))
    throw new GenesisBuildError(`${what} is not an address.`, { input: value })
  return value.toLowerCase() as Hex
}

function validatePredeploys(specs: readonly GenesisPredeploy[]): CheckedPredeploy[] {
  const names = new Set<string>()
  const addresses = new Map<string, string>()
  return specs.map((spec) => {
    if (typeof spec.name !== 'string' || spec.name.length === 0)
      throw new GenesisBuildError('A predeploy has no name.', { input: spec })
    if (names.has(spec.name))
      throw new GenesisBuildError(`Two predeploys are named "${spec.name}".`, { input: spec.name })
    names.add(spec.name)
    const address = checkAddress(spec.address, `predeploy ${spec.name}: address`)
    const clash = addresses.get(address)
    if (clash)
      throw new GenesisBuildError(`Predeploys ${clash} and ${spec.name} have the same address.`, {
        input: address,
      })
    addresses.set(address, spec.name)
    if (!isHex(spec.initCode, { strict: true }) || spec.initCode.length <= 2 || spec.initCode.length % 2)
      throw new GenesisBuildError(`predeploy ${spec.name}: initCode is not non-empty hex bytes.`, {
        input: spec.initCode,
      })
    if (spec.balance !== undefined && spec.balance < 0n)
      throw new GenesisBuildError(`predeploy ${spec.name}: negative balance.`, { input: spec.balance })
    const calls = (spec.calls ?? []).map((call, i) => {
      if (!isHex(call.data, { strict: true }) || call.data.length % 2)
        throw new GenesisBuildError(`predeploy ${spec.name}: call ${i} data is not hex bytes.`, {
          input: call.data,
        })
      return { data: call.data, from: checkAddress(call.from ?? zeroAddress, `${spec.name} call ${i}: from`) }
    })
    return {
      name: spec.name,
      address,
      initCode: spec.initCode,
      keepConstructorStorage: spec.keepConstructorStorage ?? true,
      calls,
      deployer: checkAddress(spec.deployer ?? zeroAddress, `predeploy ${spec.name}: deployer`),
      balance: spec.balance ?? 0n,
      abi: spec.abi ?? [],
    }
  })
}

function validateBalances(
  balances: Readonly<Record<Hex, bigint>>,
  specs: readonly CheckedPredeploy[],
): Map<Hex, bigint> {
  const out = new Map<Hex, bigint>()
  const predeployed = new Set(specs.map((s) => s.address))
  for (const [key, value] of Object.entries(balances)) {
    const address = checkAddress(key, 'balances: key')
    if (typeof value !== 'bigint' || value < 0n)
      throw new GenesisBuildError(`balances[${key}] is not a non-negative bigint.`, { input: value })
    if (predeployed.has(address))
      throw new GenesisBuildError(`balances[${key}] is a predeploy address.`, {
        details: "set the predeploy's own `balance` instead",
        input: key,
      })
    if (out.has(address)) throw new GenesisBuildError(`balances lists ${key} twice.`, { input: key })
    out.set(address, value)
  }
  return out
}

async function runSetupCall(
  vm: VM,
  spec: CheckedPredeploy,
  index: number,
  call: { data: Hex; from: Hex },
  block: ReturnType<typeof createBlock>,
  gasLimit: bigint,
): Promise<void> {
  const from = new Address(hexToBytes(call.from))
  await vm.evm.journal.cleanup()
  const result = await vm.evm.runCall({
    caller: from,
    origin: from,
    to: new Address(hexToBytes(spec.address)),
    data: hexToBytes(call.data),
    gasLimit,
    block,
    // a build step, not a transaction: the caller's nonce stays as it is
    skipNonceIncrement: true,
  })
  const error = result.execResult.exceptionError
  if (error)
    throw new GenesisBuildError(`Setup call ${index} on ${spec.name} failed.`, {
      details: describeFailure(error.error, result.execResult.returnValue, spec.abi),
      input: { name: spec.name, call: call.data, from: call.from },
    })
}

function describeFailure(error: string, returnValue: Uint8Array, abi: Abi): string {
  const data = bytesToHex(returnValue) as Hex
  if (data === '0x') return error
  try {
    const decoded = decodeErrorResult({ abi, data })
    return `${error}: ${decoded.errorName}(${decoded.args?.map(String).join(', ') ?? ''})`
  } catch {
    return `${error}: ${data}`
  }
}

type Written = { addresses: Set<Hex>; slots: Map<Hex, Set<Hex>> }

/**
 * Records every address and storage slot the build writes, so the dump can read them back (the
 * state trie hashes its keys; this keeps the preimages).
 */
function recordWrites(sm: MerkleStateManager): Written {
  const written: Written = { addresses: new Set(), slots: new Map() }
  const note = (address: Address) => written.addresses.add(address.toString().toLowerCase() as Hex)
  const putAccount = sm.putAccount.bind(sm)
  sm.putAccount = (address, account) => {
    note(address)
    return putAccount(address, account)
  }
  const putCode = sm.putCode.bind(sm)
  sm.putCode = (address, value) => {
    note(address)
    return putCode(address, value)
  }
  const modifyAccountFields = sm.modifyAccountFields.bind(sm)
  sm.modifyAccountFields = (address, fields) => {
    note(address)
    return modifyAccountFields(address, fields)
  }
  const putStorage = sm.putStorage.bind(sm)
  sm.putStorage = (address, key, value) => {
    note(address)
    const a = address.toString().toLowerCase() as Hex
    const slots = written.slots.get(a) ?? new Set<Hex>()
    written.slots.set(a, slots)
    slots.add(bytesToHex(setLengthLeft(key, 32)) as Hex)
    return putStorage(address, key, value)
  }
  return written
}

async function dumpAlloc(
  sm: MerkleStateManager,
  written: Written,
  balances: Map<Hex, bigint>,
): Promise<GenesisAlloc> {
  const accounts = new Map<Hex, GenesisAlloc[Hex]>()
  for (const a of written.addresses) {
    const address = new Address(hexToBytes(a))
    const account = await sm.getAccount(address)
    if (!account) continue
    const code = await sm.getCode(address)
    const storage: Record<Hex, Hex> = {}
    for (const slot of [...(written.slots.get(a) ?? [])].sort()) {
      const value = await sm.getStorage(address, hexToBytes(slot))
      if (value.length > 0) storage[slot] = bytesToHex(setLengthLeft(value, 32)) as Hex
    }
    const hasStorage = Object.keys(storage).length > 0
    // EIP-161: an account with no nonce, balance, code or storage does not exist.
    if (account.nonce === 0n && account.balance === 0n && code.length === 0 && !hasStorage) continue
    accounts.set(a, {
      nonce: account.nonce,
      balance: account.balance,
      ...(code.length > 0 ? { code: bytesToHex(code) as Hex } : {}),
      ...(hasStorage ? { storage } : {}),
    })
  }
  for (const [address, balance] of balances) {
    const existing = accounts.get(address)
    accounts.set(address, { nonce: 0n, ...existing, balance: (existing?.balance ?? 0n) + balance })
  }
  const alloc: GenesisAlloc = {}
  for (const address of [...accounts.keys()].sort()) alloc[address] = accounts.get(address)!
  return alloc
}
