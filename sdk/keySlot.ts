import { type Address, encodeAbiParameters, type Hex, keccak256 } from 'viem'

/** Storage slot of `L1Keystore.accounts` (slot 0 in its layout, as in seed 003). */
export const L1_KEYSTORE_ACCOUNTS_SLOT = 0n
/** Storage slot of `L1Keystore.walletRegistry` (slot 1). */
export const L1_KEYSTORE_WALLET_REGISTRY_SLOT = 1n

/**
 * The L1Keystore storage slot holding `accounts[account].keys[key]`.
 *
 * `accounts` is a mapping at slot 0 to a struct whose first member is the `keys` mapping, so the
 * struct's base slot is `keccak256(account . 0)` and the key's slot is `keccak256(key . base)`.
 * Identical to `L2Keystore.keySlot`.
 *
 * @param account - the wallet account
 * @param key - the keystore key
 * @returns the 32-byte storage slot in L1Keystore
 * @example
 * const slot = keystoreKeySlot('0x…', '0x00…01')
 */
export function keystoreKeySlot(account: Address, key: Hex): Hex {
  const base = keccak256(
    encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [account, L1_KEYSTORE_ACCOUNTS_SLOT]),
  )
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }], [key, base]))
}

/**
 * The L1Keystore storage slot holding `walletRegistry[walletId].implementations[chainId]`.
 *
 * @param walletId - the wallet id
 * @param chainId - the chain whose implementation is wanted
 * @returns the 32-byte storage slot in L1Keystore
 */
export function walletImplementationSlot(walletId: Hex, chainId: bigint | number): Hex {
  const entry = BigInt(
    keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'uint256' }],
        [walletId, L1_KEYSTORE_WALLET_REGISTRY_SLOT],
      ),
    ),
  )
  return keccak256(
    encodeAbiParameters([{ type: 'uint64' }, { type: 'uint256' }], [BigInt(chainId), entry + 1n]),
  )
}
