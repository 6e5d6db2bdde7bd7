/**
 * Test-only: an output root computed without the code under test — the message passer's storage
 * root is rebuilt from its slots with @ethereumjs/mpt (not from eth_getProof), and the hash is
 * ethers' `solidityPackedKeccak256`.
 */
import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { solidityPackedKeccak256, ZeroHash } from 'ethers'
import { encodeAbiParameters, type Hex, hexToBytes, keccak256, numberToHex, pad, trim } from 'viem'
import type { DevnetClient } from '../../devnet/clients.js'
import { L2_TO_L1_MESSAGE_PASSER } from '../computeOutputRoot.js'

/** The storage slots L2ToL1MessagePasser writes: `sentMessages[hash]` (slot 0 mapping) and `msgNonce` (slot 1). */
export function messagePasserSlots(withdrawalHashes: readonly Hex[]): Hex[] {
  return [
    ...withdrawalHashes.map((h) =>
      keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [h, 0n])),
    ),
    pad(numberToHex(1), { size: 32 }),
  ]
}

export async function independentOutputRoot(
  l2: DevnetClient,
  blockNumber: bigint,
  withdrawalHashes: readonly Hex[],
): Promise<{ outputRoot: Hex; storageRoot: Hex; blockHash: Hex; stateRoot: Hex }> {
  const block = await l2.getBlock({ blockNumber })
  const trie = await createMPT({ useKeyHashing: true })
  for (const slot of messagePasserSlots(withdrawalHashes)) {
    const value = await l2.getStorageAt({ address: L2_TO_L1_MESSAGE_PASSER, slot, blockNumber })
    const trimmed = trim(value ?? '0x00')
    if (trimmed === '0x00' || trimmed === '0x') continue
    await trie.put(hexToBytes(slot), RLP.encode(hexToBytes(trimmed)))
  }
  const storageRoot = `0x${Buffer.from(trie.root()).toString('hex')}` as Hex
  const outputRoot = solidityPackedKeccak256(
    ['bytes32', 'bytes32', 'bytes32', 'bytes32'],
    [ZeroHash, block.stateRoot, storageRoot, block.hash],
  ) as Hex
  return { outputRoot, storageRoot, blockHash: block.hash, stateRoot: block.stateRoot }
}
