/**
 * The L1 storage a keystore-chain transaction will read with L1SLOAD, from its calldata: what
 * `KeystoreChainL2Keystore._authorizedRead` reads for `writeKey`, `updateKey` and `updateAccess`
 * (one L1SLOAD of up to three L1Keystore slots: the account's L2 update address, the key unless it
 * is the update address itself, the caller's binding for this chain unless the caller is the
 * account). The node uses it to prove a block's L1 reads in one `eth_getProof` before running the
 * block, instead of dry-running each transaction (rollup/node README, "Performance").
 *
 * Only a hint: a wrong or missing prediction costs time, never correctness (values are proven
 * either way and served only when the contract actually reads them). A test checks it against
 * the slots the contract asks the precompile for.
 */
import { bytesToHex, encodeAbiParameters, type Hex, hexToBigInt, keccak256, toFunctionSelector } from 'viem'
import { keystoreKeySlot } from '../../sdk/index.js'
import type { L1SloadReadPredictor } from '../node/KeystoreNode.js'

/** KeystoreLayout's reserved keys that writeKey/updateKey refuse before reading anything. */
export const KEYSTORE_RESERVED = {
  SALT_KEY: '0x415fba7a3d0cc68729f8a5e6d15e56ab06259f82f811e53300bff610a12b8961',
  WALLET_ID_KEY: '0xba2abc0c457d49241481bba48666833d02dc02206f1b34b44e5bedcb961f6800',
  L2_UPDATE_ADDRESS_KEY: '0x2c050ce82bc53344b1df802ed95b32f1484555dc00f6ccc4f5ca49bdcfb1d8f4',
} as const satisfies Record<string, Hex>

const WRITE_KEY = toFunctionSelector('writeKey(address,bytes32,bytes32)')
const UPDATE_KEY = toFunctionSelector('updateKey(address,bytes32,bytes32,bytes32)')
const UPDATE_ACCESS = toFunctionSelector('updateAccess(address,address,address)')

/** L1Keystore's slot of `accounts[account].bindings[chainId]` (KeystoreLayout.bindingSlot). */
export function keystoreBindingSlot(account: Hex, chainId: bigint): Hex {
  const base = hexToBigInt(
    keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [account, 0n])),
  )
  return keccak256(encodeAbiParameters([{ type: 'uint64' }, { type: 'uint256' }], [chainId, base + 1n]))
}

/**
 * The predictor for the keystore chain's L2Keystore at `l2Keystore`, reading `l1Keystore` on L1.
 * @example
 * keystoreL1SloadReads({ l2Keystore: KEYSTORE_PREDEPLOYS.L2Keystore, l1Keystore, chainId: 901n })
 */
export function keystoreL1SloadReads(parameters: {
  l2Keystore: Hex
  l1Keystore: Hex
  chainId: bigint
}): L1SloadReadPredictor {
  const l2Keystore = parameters.l2Keystore.toLowerCase()
  const reserved = new Set<string>(Object.values(KEYSTORE_RESERVED))
  return ({ from, to, data }) => {
    if (to.toLowerCase() !== l2Keystore || data.length < 4) return undefined
    const selector = bytesToHex(data.subarray(0, 4))
    const word = (i: number) => data.subarray(4 + 32 * i, 4 + 32 * (i + 1))
    const arity = selector === UPDATE_KEY ? 4 : selector === WRITE_KEY || selector === UPDATE_ACCESS ? 3 : 0
    if (arity === 0 || data.length < 4 + 32 * arity) return undefined
    const account = bytesToHex(word(0).subarray(12)) as Hex
    let key: Hex | undefined
    if (selector === UPDATE_ACCESS) key = undefined
    else {
      key = bytesToHex(word(1))
      if (reserved.has(key)) return [] // reverts before reading
      if (selector === WRITE_KEY && word(2).every((b) => b === 0)) return [] // zero value: reverts first
    }
    const keys: Hex[] = [keystoreKeySlot(account, KEYSTORE_RESERVED.L2_UPDATE_ADDRESS_KEY)]
    if (key !== undefined) keys.push(keystoreKeySlot(account, key))
    if (from.toLowerCase() !== account.toLowerCase())
      keys.push(keystoreBindingSlot(account, parameters.chainId))
    return [{ address: parameters.l1Keystore, keys }]
  }
}
