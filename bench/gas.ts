/**
 * Gas of reading an L1Keystore key on an L2 through storage proofs, with mainnet-shaped proofs,
 * side by side with OP's SecureMerkleTrie verifying the same proofs.
 *
 * No local chain has a mainnet-sized state, so the proofs are synthesized (full 16-child branches
 * down to the leaf, valid for the synthesized roots) for the real L2Keystore's L1_KEYSTORE address
 * and the real key slots. The state root reaches L1Blocks exactly as on the devnet: a header
 * carrying it is made the L2's L1 origin in the genuine OP L1Block (set by the depositor), then
 * submitted to L1Blocks. Execution gas is measured through GasMeter (EIP-7623's calldata floor makes
 * receipts useless for this): the gas of a CALL to the target minus that of the same CALL to an
 * address without code, for ours and the baseline alike.
 */
import { type Address, encodeFunctionData, type Hex, keccak256, pad, size, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  gasMeterAbi,
  gasMeterBytecode,
  l1BlocksAbi,
  l1BlocksBytecode,
  l2KeystoreAbi,
  l2KeystoreBytecode,
  opTrieBaselineAbi,
  opTrieBaselineBytecode,
} from '../contracts/generated/index.js'
import { encodeBlockHeader, packProof } from '../precompiles/storage-proof/index.js'
import { exampleBlock } from '../precompiles/storage-proof/testing/header.js'
import { synthesizeMultiSlotProofs } from '../precompiles/storage-proof/testing/synthProof.js'
import { createDevnetClient, getFreePort, makeChain, startAnvil } from '../rollup/devnet/index.js'
import {
  DEPOSITOR_ACCOUNT,
  encodeSetL1BlockValuesEcotone,
  installL1Block,
  L1_BLOCK_ADDRESS,
} from '../rollup/origin/l1Block.js'
import { keystoreKeySlot } from '../sdk/index.js'

const DEV_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const L1_KEYSTORE: Address = '0x00000000000000000000000000000000000c0ffe'
/** An address with no code on the bench chain: calibrates the meter's overhead. */
const CODELESS: Address = '0x000000000000000000000000000000000000dEaD'

export type GasResults = {
  'read.cold.gas': number
  'read.cold.baseline.gas': number
  'read.cold.calldata_bytes': number
  'read.cold.baseline.calldata_bytes': number
  'read.warm.gas': number
  'read.warm.sync.gas': number
}

export async function benchGas(log: (line: string) => void): Promise<GasResults> {
  const anvil = await startAnvil({
    name: 'bench-l2',
    chainId: 902,
    port: await getFreePort(),
    optimism: true,
  })
  try {
    const client = createDevnetClient({
      chain: makeChain({ name: 'bench-l2', chainId: 902, rpcUrl: anvil.rpcUrl, blockTime: 0 }),
      account: privateKeyToAccount(DEV_KEY),
    })
    const deploy = async (abi: readonly unknown[], bytecode: Hex, args: unknown[] = []) => {
      // biome-ignore lint/suspicious/noExplicitAny: generic deploy over generated artifacts
      const hash = await client.deployContract({ abi, bytecode, args } as any)
      const receipt = await client.waitForTransactionReceipt({ hash })
      return receipt.contractAddress!
    }
    await installL1Block(client)
    const l1Blocks = await deploy(l1BlocksAbi, l1BlocksBytecode, [8192n])
    const l2Keystore = await deploy(l2KeystoreAbi, l2KeystoreBytecode, [L1_KEYSTORE, l1Blocks])
    const meter = await deploy(gasMeterAbi, gasMeterBytecode)
    const baseline = await deploy(opTrieBaselineAbi, opTrieBaselineBytecode)

    const account: Address = '0x1111111111111111111111111111111111111111'
    const keys = [keccak256(toHex('owner-0')), keccak256(toHex('owner-1'))]
    const slots = keys.map((k) => keystoreKeySlot(account, k))
    const p = synthesizeMultiSlotProofs({ seed: 2026, address: L1_KEYSTORE, slots })

    // Anchor a header carrying the synthesized state root: L1Block (as the OP sequencer) → L1Blocks.
    const number = 21_000_000n
    const header = encodeBlockHeader({ ...exampleBlock, number, stateRoot: p.stateRoot } as never)
    const hash = keccak256(header)
    await client.impersonateAccount({ address: DEPOSITOR_ACCOUNT })
    await client.setBalance({ address: DEPOSITOR_ACCOUNT, value: 10n ** 18n })
    const setOrigin = await client.sendTransaction({
      account: DEPOSITOR_ACCOUNT,
      to: L1_BLOCK_ADDRESS,
      data: encodeSetL1BlockValuesEcotone({
        baseFeeScalar: 0,
        blobBaseFeeScalar: 0,
        sequenceNumber: 0n,
        timestamp: BigInt(exampleBlock.timestamp),
        number,
        basefee: 1n,
        blobBaseFee: 1n,
        hash,
        batcherHash: pad('0x', { size: 32 }),
      }),
    } as never)
    await client.waitForTransactionReceipt({ hash: setOrigin })
    const submit = await client.writeContract({
      address: l1Blocks,
      abi: l1BlocksAbi,
      functionName: 'setL1BlockHeader',
      args: [header],
    } as never)
    await client.waitForTransactionReceipt({ hash: submit })

    const measure = async (target: Address, data: Hex) => {
      const { result } = await client.simulateContract({
        address: meter,
        abi: gasMeterAbi,
        functionName: 'measure',
        args: [target, data],
      } as never)
      const [gasUsed, ok, ret] = result as unknown as [bigint, boolean, Hex]
      if (!ok) throw new Error(`bench: measured call to ${target} reverted: ${ret}`)
      // The meter's own cost (the CALL with its cold access, copying `data`) is what the same
      // call to an address without code costs; subtracting it leaves the callee's execution gas,
      // i.e. what a transaction sent straight to the target spends beyond its intrinsic gas.
      const { result: empty } = await client.simulateContract({
        address: meter,
        abi: gasMeterAbi,
        functionName: 'measure',
        args: [CODELESS, data],
      } as never)
      return Number(gasUsed - (empty as unknown as [bigint])[0])
    }

    const coldData = encodeFunctionData({
      abi: l2KeystoreAbi,
      functionName: 'syncKeys',
      args: [number, account, [keys[0]!], packProof(p.accountProof), [packProof(p.storageProofs[0]!)]],
    })
    const baselineData = encodeFunctionData({
      abi: opTrieBaselineAbi,
      functionName: 'verify',
      args: [p.stateRoot, L1_KEYSTORE, p.accountProof, slots[0]!, p.storageProofs[0]!],
    })
    const cold = await measure(l2Keystore, coldData)
    const coldBaseline = await measure(baseline, baselineData)

    // Persist the cold sync, then measure another key at the same L1 block (storage root cached).
    const tx = await client.sendTransaction({ to: l2Keystore, data: coldData } as never)
    const receipt = await client.waitForTransactionReceipt({ hash: tx })
    if (receipt.status !== 'success') throw new Error('bench: cold sync transaction reverted')
    const warmData = encodeFunctionData({
      abi: l2KeystoreAbi,
      functionName: 'syncKeys',
      args: [number, account, [keys[1]!], '0x', [packProof(p.storageProofs[1]!)]],
    })
    const warmSync = await measure(l2Keystore, warmData)
    // The in-transaction read: the same storage proof against the cached root, nothing written.
    const warm = await measure(
      l2Keystore,
      encodeFunctionData({
        abi: l2KeystoreAbi,
        functionName: 'loadKeyWithProof',
        args: [number, account, keys[1]!, packProof(p.storageProofs[1]!)],
      }),
    )
    const [value] = (await client.readContract({
      address: l2Keystore,
      abi: l2KeystoreAbi,
      functionName: 'loadKeyWithBlock',
      args: [account, keys[0]!],
    })) as [Hex, bigint]
    if (value !== p.values[0]) throw new Error('bench: the synced value does not match the synthesized one')
    log(`gas: cold ${cold} vs OP SecureMerkleTrie ${coldBaseline}; warm read ${warm}, warm sync ${warmSync}`)
    return {
      'read.cold.gas': cold,
      'read.cold.baseline.gas': coldBaseline,
      'read.cold.calldata_bytes': size(coldData),
      'read.cold.baseline.calldata_bytes': size(baselineData),
      'read.warm.gas': warm,
      'read.warm.sync.gas': warmSync,
    }
  } finally {
    await anvil.stop()
  }
}
