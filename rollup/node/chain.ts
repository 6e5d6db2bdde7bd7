import { type Common, type CustomCrypto, createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { Account, Address, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import type { Hex } from 'viem'

export const KEYSTORE_CHAIN_ID = 901
export const KEYSTORE_CHAIN_NAME = 'keystore'

/**
 * The keystore chain's Common: mainnet rules at Osaka (Prague + P256VERIFY at 0x100), chain id 901.
 * @param parameters optional `customCrypto` (e.g. a native `ecrecover`, DESIGN §10).
 */
export function createKeystoreCommon(
  parameters: { chainId?: number; customCrypto?: CustomCrypto } = {},
): Common {
  return createCustomCommon(
    { chainId: parameters.chainId ?? KEYSTORE_CHAIN_ID, name: KEYSTORE_CHAIN_NAME },
    Mainnet,
    {
      hardfork: Hardfork.Osaka,
      ...(parameters.customCrypto ? { customCrypto: parameters.customCrypto } : {}),
    },
  )
}

/** One genesis account: runtime code, storage slots (32-byte keys/values as hex), balance, nonce. */
export type GenesisAccount = {
  code?: Hex | undefined
  storage?: Record<Hex, Hex> | undefined
  balance?: bigint | undefined
  nonce?: bigint | undefined
}
export type GenesisAlloc = Record<Hex, GenesisAccount>

/** Writes `alloc` into `stateManager` and returns the resulting state root. */
export async function applyGenesisAlloc(
  stateManager: MerkleStateManager,
  alloc: GenesisAlloc,
): Promise<Uint8Array> {
  await stateManager.checkpoint()
  for (const [address, account] of Object.entries(alloc) as [Hex, GenesisAccount][]) {
    const a = new Address(hexToBytes(address))
    await stateManager.putAccount(
      a,
      new Account(account.nonce ?? (account.code ? 1n : 0n), account.balance ?? 0n),
    )
    if (account.code && account.code !== '0x') await stateManager.putCode(a, hexToBytes(account.code))
    for (const [slot, value] of Object.entries(account.storage ?? {}) as [Hex, Hex][]) {
      await stateManager.putStorage(a, setLengthLeft(hexToBytes(slot), 32), hexToBytes(value))
    }
  }
  await stateManager.commit()
  return stateManager.getStateRoot()
}
