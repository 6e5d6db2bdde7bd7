/**
 * The L1-attributes deposited transaction: the first transaction of every keystore-chain block,
 * writing the block's L1 origin into the `L1Block` predeploy.
 *
 * Spec: ethereum-optimism/specs `specs/protocol/deposits.md` ("L1 Attributes Deposited
 * Transaction": from the depositor account 0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001 to
 * 0x4200…0015, mint 0, value 0, gas 1,000,000 and isSystemTx false after Regolith) and
 * `specs/protocol/ecotone/l1-attributes.md` (packed `setL1BlockValuesEcotone()` calldata, 164 bytes;
 * blobBaseFee = 1 when the L1 block has no blobs). Source hash: domain 1 with the sequence number.
 */
import { type Hex, isHex, pad, size } from 'viem'
import { DEPOSITOR_ACCOUNT, encodeSetL1BlockValuesEcotone, L1_BLOCK_ADDRESS } from '../origin/l1Block.js'
import { type DepositTx, l1InfoDepositSourceHash } from './deposits.js'
import { DepositDecodeError } from './errors.js'

/** Gas limit of the L1-attributes deposit since Regolith (150,000,000 before). */
export const L1_ATTRIBUTES_GAS_LIMIT = 1_000_000n

export type BuildL1AttributesDepositParameters = {
  /** The L1 origin block. */
  number: bigint
  timestamp: bigint
  baseFee: bigint
  /** The origin's blob base fee (from its `excessBlobGas`; 1 if it predates blobs). */
  blobBaseFee: bigint
  hash: Hex
  /** L2 blocks since the first L2 block of this L1 origin (0 for that first block). */
  sequenceNumber: bigint
  /** Versioned batcher commitment: version 0 is the batcher address left-padded to 32 bytes. */
  batcherHash: Hex
  baseFeeScalar: number
  blobBaseFeeScalar: number
}

const UINT64_MAX = (1n << 64n) - 1n
const UINT256_MAX = (1n << 256n) - 1n
const UINT32_MAX = 2 ** 32 - 1

/**
 * The L1-attributes deposit for an L2 block with L1 origin `number`/`hash`…: from the depositor
 * account to L1Block, gas 1,000,000, calldata `setL1BlockValuesEcotone()` (packed).
 *
 * @throws {DepositDecodeError} (`bad-field`) if a value does not fit its Solidity type.
 * @example
 * const tx = buildL1AttributesDeposit({ number, timestamp, baseFee, blobBaseFee, hash,
 *   sequenceNumber: 0n, batcherHash: batcherHashOf(batcher), baseFeeScalar: 1368, blobBaseFeeScalar: 810949 })
 */
export function buildL1AttributesDeposit(parameters: BuildL1AttributesDepositParameters): DepositTx {
  const p = parameters
  const fail = (field: string, why: string) =>
    new DepositDecodeError('bad-field', `L1 attributes: ${field} ${why}.`, { input: parameters })
  for (const [field, value] of [
    ['number', p.number],
    ['timestamp', p.timestamp],
    ['sequenceNumber', p.sequenceNumber],
  ] as const)
    if (value < 0n || value > UINT64_MAX) throw fail(field, 'is not a uint64')
  for (const [field, value] of [
    ['baseFee', p.baseFee],
    ['blobBaseFee', p.blobBaseFee],
  ] as const)
    if (value < 0n || value > UINT256_MAX) throw fail(field, 'is not a uint256')
  for (const [field, value] of [
    ['baseFeeScalar', p.baseFeeScalar],
    ['blobBaseFeeScalar', p.blobBaseFeeScalar],
  ] as const)
    if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) throw fail(field, 'is not a uint32')
  for (const [field, value] of [
    ['hash', p.hash],
    ['batcherHash', p.batcherHash],
  ] as const)
    if (!isHex(value, { strict: true }) || size(value) !== 32) throw fail(field, 'is not 32 bytes of hex')
  return {
    sourceHash: l1InfoDepositSourceHash({ l1BlockHash: p.hash, sequenceNumber: p.sequenceNumber }),
    from: DEPOSITOR_ACCOUNT,
    to: L1_BLOCK_ADDRESS,
    mint: 0n,
    value: 0n,
    gas: L1_ATTRIBUTES_GAS_LIMIT,
    isSystemTx: false,
    data: encodeSetL1BlockValuesEcotone({
      baseFeeScalar: p.baseFeeScalar,
      blobBaseFeeScalar: p.blobBaseFeeScalar,
      sequenceNumber: p.sequenceNumber,
      timestamp: p.timestamp,
      number: p.number,
      basefee: p.baseFee,
      blobBaseFee: p.blobBaseFee,
      hash: p.hash,
      batcherHash: p.batcherHash,
    }),
  }
}

/** Version-0 batcher hash: the batcher address left-padded to 32 bytes (system config spec). */
export function batcherHashOf(batcher: Hex): Hex {
  return pad(batcher.toLowerCase() as Hex, { size: 32 })
}
