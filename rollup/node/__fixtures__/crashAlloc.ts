import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { GenesisAlloc } from '../chain.js'

/** Test predeploy: calldata word0 → sstore(0, word0) and LOG1(0x2a, word0); empty calldata → sload(0). */
export const STORE_CODE: Hex = '0x36600f5760005460005260206000f35b60003580600055600052602a60206000a100'
export const CRASH_STORE: Hex = '0x4200000000000000000000000000000000000042'
/** Senders of the crash test (anvil's dev keys 1-4). */
export const crashSenders = [
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
].map((k) => privateKeyToAccount(k as Hex))

export const crashAlloc: GenesisAlloc = {
  [CRASH_STORE]: { code: STORE_CODE },
  ...Object.fromEntries(crashSenders.map((a) => [a.address, { balance: 10n ** 21n }])),
}
