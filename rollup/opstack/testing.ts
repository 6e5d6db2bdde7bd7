/**
 * An anvil chain as a stand-in OP L2 for tests that need L2 → L1 messages without the keystore
 * node: the genuine L2ToL1MessagePasser, L2CrossDomainMessenger (initialized against our L1
 * messenger) and L1Block (the messenger reads the gas-paying token from it) at their predeploy
 * addresses. Withdrawals sent there are provable on L1 once an output root of the chain is proposed.
 */
import { type Address, encodeFunctionData } from 'viem'
import { getCode, readContract, setCode } from 'viem/actions'
import {
  opL2CrossDomainMessengerAbi,
  opL2CrossDomainMessengerDeployedBytecode,
  opL2ToL1MessagePasserDeployedBytecode,
} from '../../contracts/generated/index.js'
import type { AnvilClient } from '../devnet/clients.js'
import { installL1Block } from '../origin/l1Block.js'
import type { TxSender } from '../shared/txSender.js'
import { L2_CROSS_DOMAIN_MESSENGER, L2_TO_L1_MESSAGE_PASSER } from './contracts.js'

/**
 * Installs the messaging predeploys on an anvil L2 and initializes the messenger (idempotent).
 *
 * @param parameters the L1CrossDomainMessenger (proxy) the L2 messenger pairs with, and a sender on the L2.
 * @example
 * await installL2Messaging(l2, { l1CrossDomainMessenger: addresses.L1CrossDomainMessenger, sender })
 */
export async function installL2Messaging(
  l2: AnvilClient,
  parameters: { l1CrossDomainMessenger: Address; sender: TxSender },
): Promise<void> {
  await installL1Block(l2)
  for (const [address, bytecode] of [
    [L2_TO_L1_MESSAGE_PASSER, opL2ToL1MessagePasserDeployedBytecode],
    [L2_CROSS_DOMAIN_MESSENGER, opL2CrossDomainMessengerDeployedBytecode],
  ] as const) {
    const code = await getCode(l2, { address })
    if (!code || code === '0x') await setCode(l2, { address, bytecode })
  }
  const other = await readContract(l2, {
    address: L2_CROSS_DOMAIN_MESSENGER,
    abi: opL2CrossDomainMessengerAbi,
    functionName: 'OTHER_MESSENGER',
  })
  if (BigInt(other) !== 0n) return
  // the genuine contract's own initializer, as the L2 genesis would have run it behind its proxy
  const receipt = await parameters.sender.send({
    to: L2_CROSS_DOMAIN_MESSENGER,
    data: encodeFunctionData({
      abi: opL2CrossDomainMessengerAbi,
      functionName: 'initialize',
      args: [parameters.l1CrossDomainMessenger],
    }),
  })
  if (receipt.status !== 'success') throw new Error('L2CrossDomainMessenger.initialize reverted')
}
