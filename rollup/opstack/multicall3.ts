/**
 * Multicall3 at its canonical address. Real L1s have it; anvil does not, and viem's op-stack
 * actions `getTimeToFinalize`, `getTimeToNextL2Output` and `getWithdrawalStatus` batch their reads
 * through it. The devnet installs OP's preinstall bytecode (contracts-bedrock Preinstalls.sol).
 */
import type { Chain } from 'viem'
import { getCode, setCode } from 'viem/actions'
import { opMulticall3Address, opMulticall3DeployedBytecode } from '../../contracts/generated/index.js'
import type { AnvilClient } from '../devnet/clients.js'

export const MULTICALL3_ADDRESS = opMulticall3Address

/** The `contracts.multicall3` entry of a viem chain that has it. */
export const multicall3Contract = {
  multicall3: { address: MULTICALL3_ADDRESS },
} as const satisfies Chain['contracts']

/**
 * Installs Multicall3 on an anvil chain if missing.
 *
 * @returns Whether it was installed now.
 * @example
 * await installMulticall3(l1)
 */
export async function installMulticall3(client: AnvilClient): Promise<boolean> {
  const code = await getCode(client, { address: MULTICALL3_ADDRESS })
  if (code && code !== '0x') return false
  await setCode(client, { address: MULTICALL3_ADDRESS, bytecode: opMulticall3DeployedBytecode })
  return true
}
