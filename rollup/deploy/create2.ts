/**
 * Deterministic deployment through the CREATE2 deployer at 0x4e59b448…956c (Arachnid's
 * deterministic-deployment-proxy: calldata = salt ‖ initCode, returns the 20-byte address). It
 * exists on most public chains and anvil ships it; the address of a contract depends only on
 * salt and init code, so it is the same on every chain.
 */
import { type Address, concat, getContractAddress, type Hex, keccak256, toHex } from 'viem'
import { getCode, setCode } from 'viem/actions'
import type { AnvilClient, ChainClient } from '../devnet/clients.js'
import { RollupError } from '../shared/errors.js'
import type { TxSender } from '../shared/txSender.js'

export const CREATE2_DEPLOYER: Address = '0x4e59b44847b379578588920ca78fbf26c0b4956c'
/** Runtime code of the deployer (what anvil has at genesis), installed on chains that lack it. */
export const CREATE2_DEPLOYER_RUNTIME: Hex =
  '0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3'

export class DeployError extends RollupError {
  override name = 'DeployError'
}

/** The salt for a label: keccak256 of its UTF-8 bytes. */
export function saltOf(label: string): Hex {
  return keccak256(toHex(label))
}

/** The CREATE2 address of `initCode` deployed with `salt` by the deployer. */
export function create2Address(salt: Hex, initCode: Hex): Address {
  return getContractAddress({ opcode: 'CREATE2', from: CREATE2_DEPLOYER, salt, bytecode: initCode })
}

/**
 * Checks that the CREATE2 deployer is present; on an anvil chain (`anvil` given) installs it if not.
 *
 * @returns `present` or `installed`.
 * @throws DeployError on a real chain without the deployer.
 */
export async function ensureCreate2Deployer(
  client: ChainClient,
  parameters: { chainName: string; anvil?: AnvilClient | undefined },
): Promise<'present' | 'installed'> {
  const code = await getCode(client, { address: CREATE2_DEPLOYER })
  if (code && code !== '0x') {
    if (code.toLowerCase() !== CREATE2_DEPLOYER_RUNTIME)
      throw new DeployError(`Unexpected code at the CREATE2 deployer on ${parameters.chainName}.`, {
        details: `${CREATE2_DEPLOYER} holds ${code.slice(0, 20)}…, not the deterministic-deployment-proxy`,
      })
    return 'present'
  }
  if (!parameters.anvil)
    throw new DeployError(`No CREATE2 deployer on ${parameters.chainName}.`, {
      details: `deploy ${CREATE2_DEPLOYER} with its pre-signed transaction (github.com/Arachnid/deterministic-deployment-proxy) first`,
    })
  await setCode(parameters.anvil, { address: CREATE2_DEPLOYER, bytecode: CREATE2_DEPLOYER_RUNTIME })
  return 'installed'
}

export type DeployCreate2Parameters = {
  client: ChainClient
  sender: TxSender
  salt: Hex
  initCode: Hex
  /** For error messages. */
  label: string
}

export type DeployCreate2ReturnType = {
  address: Address
  status: 'deployed' | 'present'
  transactionHash?: Hex
}

/**
 * Deploys `initCode` with `salt` unless code is already at its address (idempotent).
 *
 * @returns The address and whether it was deployed now.
 * @example
 * const { address } = await deployCreate2({ client, sender, salt: saltOf('v1/L1Blocks'), initCode, label: 'L1Blocks' })
 */
export async function deployCreate2(parameters: DeployCreate2Parameters): Promise<DeployCreate2ReturnType> {
  const address = create2Address(parameters.salt, parameters.initCode)
  const code = await getCode(parameters.client, { address })
  if (code && code !== '0x') return { address, status: 'present' }
  const receipt = await parameters.sender.send({
    to: CREATE2_DEPLOYER,
    data: concat([parameters.salt, parameters.initCode]),
  })
  const deployed = await getCode(parameters.client, { address })
  if (receipt.status !== 'success' || !deployed || deployed === '0x')
    throw new DeployError(`Deploying ${parameters.label} failed.`, {
      details: `tx ${receipt.transactionHash} (${receipt.status}); did the constructor revert?`,
      input: { salt: parameters.salt, address },
    })
  return { address, status: 'deployed', transactionHash: receipt.transactionHash }
}
