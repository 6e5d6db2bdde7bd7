/** Test helpers (internal): a real @ethereumjs/evm with the precompile, and a contract that STATICCALLs it. */
import { type CustomPrecompile, createEVM, type EVM } from '@ethereumjs/evm'
import { Account, Address, hexToBytes } from '@ethereumjs/util'
import type { Hex } from 'viem'
import { L1SLOAD_ADDRESS } from './constants.js'

/** Copies calldata, STATICCALLs 0x101 with all gas, returns its output (reverts if the call failed). */
export const STATICCALL_L1SLOAD_CODE: Hex = '0x365f5f375f5f365f6101015afa3d5f5f3e6017575f5ffd5b3d5ff3'
export const CALLER_ADDRESS = new Address(hexToBytes('0x00000000000000000000000000000000000c0de1'))

export async function evmWith(precompile: CustomPrecompile): Promise<EVM> {
  const evm = await createEVM({ customPrecompiles: [precompile] })
  await evm.stateManager.putAccount(CALLER_ADDRESS, new Account())
  await evm.stateManager.putCode(CALLER_ADDRESS, hexToBytes(STATICCALL_L1SLOAD_CODE))
  return evm
}

/** Calls 0x101 directly (`via: 'direct'`) or through the STATICCALL contract. */
export async function callL1Sload(evm: EVM, data: Hex, { gasLimit = 1_000_000n, via = 'direct' } = {}) {
  const to = via === 'direct' ? new Address(hexToBytes(L1SLOAD_ADDRESS)) : CALLER_ADDRESS
  const { execResult } = await evm.runCall({ to, data: hexToBytes(data), gasLimit })
  return execResult
}
