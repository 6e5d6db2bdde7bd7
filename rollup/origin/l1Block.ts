/**
 * The OP-Stack L1Block predeploy (genuine bytecode from @eth-optimism/contracts-bedrock) and the
 * packed calldata of `setL1BlockValuesEcotone()`, which the sequencer's L1-attributes deposit
 * sends at the start of every L2 block.
 */
import { type Address, type Block, encodePacked, type Hex, pad, toFunctionSelector } from 'viem'
import { getCode, impersonateAccount, setBalance, setCode } from 'viem/actions'
import { opL1BlockDeployedBytecode } from '../../contracts/generated/index.js'
import type { AnvilClient } from '../devnet/clients.js'

/** The L1Block predeploy. */
export const L1_BLOCK_ADDRESS: Address = '0x4200000000000000000000000000000000000015'
/** The depositor account: the only caller L1Block accepts. */
export const DEPOSITOR_ACCOUNT: Address = '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001'

export const SET_L1_BLOCK_VALUES_ECOTONE_SELECTOR = toFunctionSelector('setL1BlockValuesEcotone()')

export type L1BlockValuesEcotone = {
  baseFeeScalar: number
  blobBaseFeeScalar: number
  /** L2 blocks since the start of the epoch (0 for the first L2 block of a new L1 origin). */
  sequenceNumber: bigint
  timestamp: bigint
  number: bigint
  basefee: bigint
  blobBaseFee: bigint
  hash: Hex
  batcherHash: Hex
}

/**
 * Encodes `setL1BlockValuesEcotone()` calldata exactly as L1Block.sol reads it:
 * selector ‖ uint32 baseFeeScalar ‖ uint32 blobBaseFeeScalar ‖ uint64 sequenceNumber ‖
 * uint64 timestamp ‖ uint64 number ‖ uint256 basefee ‖ uint256 blobBaseFee ‖ bytes32 hash ‖
 * bytes32 batcherHash (164 bytes).
 *
 * @example
 * const data = encodeSetL1BlockValuesEcotone({ ...values })
 */
export function encodeSetL1BlockValuesEcotone(values: L1BlockValuesEcotone): Hex {
  return encodePacked(
    ['bytes4', 'uint32', 'uint32', 'uint64', 'uint64', 'uint64', 'uint256', 'uint256', 'bytes32', 'bytes32'],
    [
      SET_L1_BLOCK_VALUES_ECOTONE_SELECTOR,
      values.baseFeeScalar,
      values.blobBaseFeeScalar,
      values.sequenceNumber,
      values.timestamp,
      values.number,
      values.basefee,
      values.blobBaseFee,
      values.hash,
      values.batcherHash,
    ],
  )
}

/** Prague's BLOB_BASE_FEE_UPDATE_FRACTION (EIP-7691). Cancun's was 3338477. */
export const BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE = 5007716n

/** EIP-4844 `fake_exponential(1, excessBlobGas, fraction)`: the blob base fee of a block. */
export function blobBaseFee(excessBlobGas: bigint, fraction = BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE): bigint {
  let i = 1n
  let output = 0n
  let accum = fraction // factor (1) * denominator
  while (accum > 0n) {
    output += accum
    accum = (accum * excessBlobGas) / (fraction * i)
    i++
  }
  return output / fraction
}

/** The L1Block values for an L1 block (sequence number 0: the first L2 block of the epoch). */
export function l1BlockValuesFromBlock(
  block: Pick<Block, 'number' | 'timestamp' | 'baseFeePerGas' | 'excessBlobGas' | 'hash'>,
  parameters: { baseFeeScalar: number; blobBaseFeeScalar: number; batcher: Address },
): L1BlockValuesEcotone {
  if (block.number === null || block.hash === null) throw new Error('pending block has no number/hash')
  return {
    baseFeeScalar: parameters.baseFeeScalar,
    blobBaseFeeScalar: parameters.blobBaseFeeScalar,
    sequenceNumber: 0n,
    timestamp: block.timestamp,
    number: block.number,
    basefee: block.baseFeePerGas ?? 0n,
    blobBaseFee: blobBaseFee(block.excessBlobGas ?? 0n),
    hash: block.hash,
    batcherHash: pad(parameters.batcher, { size: 32 }),
  }
}

/**
 * Devnet: puts the genuine L1Block bytecode at 0x4200…0015 on an anvil L2 (if not there yet),
 * and impersonates and funds the depositor account so it can send the attribute updates.
 *
 * @returns Whether the code was installed now (false: already present).
 */
export async function installL1Block(client: AnvilClient): Promise<boolean> {
  const code = await getCode(client, { address: L1_BLOCK_ADDRESS })
  const install = !code || code === '0x'
  if (install) await setCode(client, { address: L1_BLOCK_ADDRESS, bytecode: opL1BlockDeployedBytecode })
  await impersonateAccount(client, { address: DEPOSITOR_ACCOUNT })
  await setBalance(client, { address: DEPOSITOR_ACCOUNT, value: 10n ** 24n })
  return install
}
