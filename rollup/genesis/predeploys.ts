/**
 * The OP-Stack predeploys the keystore chain carries, at their standard addresses, built from the
 * contracts-bedrock artifacts.
 */
import { type Abi, encodeFunctionData, type Hex } from 'viem'
import { bedrockInitCode, loadBedrockArtifact } from './artifacts.js'

/** OP-Stack predeploy addresses (contracts-bedrock `Predeploys.sol`). */
export const OP_PREDEPLOY_ADDRESSES = {
  L2CrossDomainMessenger: '0x4200000000000000000000000000000000000007',
  L1Block: '0x4200000000000000000000000000000000000015',
  L2ToL1MessagePasser: '0x4200000000000000000000000000000000000016',
} as const satisfies Record<string, Hex>

/**
 * `CrossDomainMessenger.xDomainMsgSender` when no message is being relayed
 * (contracts-bedrock `Constants.DEFAULT_L2_SENDER`).
 */
export const DEFAULT_L2_SENDER: Hex = '0x000000000000000000000000000000000000dEaD'

/**
 * A contract placed in the genesis state. Its creation code runs **at `address`** in a scratch
 * EVM at build time (so constructors run and immutables are filled in), then `calls` run in order;
 * the resulting code, storage and balances become the genesis allocation.
 */
export type GenesisPredeploy = {
  /** Key in the returned `predeploys` map (unique). */
  name: string
  address: Hex
  /** Creation bytecode ‖ ABI-encoded constructor arguments (viem `encodeDeployData`). */
  initCode: Hex
  /**
   * Keep the storage the constructor wrote at `address` (default true). `false` starts from
   * empty storage, the way an OP proxy sees a fresh implementation: needed for contracts whose
   * constructor locks their `initializer` (contracts-bedrock's constructors call `initialize` with
   * zero values), so that `calls` can initialize them for real.
   */
  keepConstructorStorage?: boolean | undefined
  /** Calls made after construction, in order (e.g. `initialize(...)`); a revert fails the build. */
  calls?: readonly { data: Hex; from?: Hex | undefined }[] | undefined
  /** Constructor `msg.sender` / `tx.origin`. Default: the zero address. */
  deployer?: Hex | undefined
  /** Wei at `address` (credited before the constructor runs). */
  balance?: bigint | undefined
  /** The contract's ABI, only to name its custom errors when a constructor or call reverts. */
  abi?: Abi | undefined
}

/**
 * The three OP predeploys the keystore chain needs, from contracts-bedrock:
 * - `L1Block` (0x4200…0015): the L1 attributes, written by the depositor account each block.
 * - `L2ToL1MessagePasser` (0x4200…0016): withdrawals; its storage root goes into output roots.
 * - `L2CrossDomainMessenger` (0x4200…0007), initialized with the L1CrossDomainMessenger (proxy)
 *   on L1 as `otherMessenger`. Its 0.17.3 constructor calls `initialize(address(0))`, which sets
 *   OpenZeppelin's `_initialized` and would make a second `initialize` revert, so the
 *   constructor's storage is dropped (as for an implementation behind OP's proxy) and
 *   `initialize(l1CrossDomainMessenger)` runs on fresh storage: `_initialized = 1`,
 *   `xDomainMsgSender = DEFAULT_L2_SENDER`, `otherMessenger = l1CrossDomainMessenger`.
 *
 * Unlike OP's own genesis these are not behind `Proxy` contracts (no ProxyAdmin predeploy): the
 * code is placed directly, so upgrading one needs a state override in a hard fork.
 */
export function opPredeploys(parameters: { l1CrossDomainMessenger: Hex }): GenesisPredeploy[] {
  return [
    {
      name: 'L1Block',
      address: OP_PREDEPLOY_ADDRESSES.L1Block,
      initCode: bedrockInitCode('L1Block'),
      abi: loadBedrockArtifact('L1Block').abi,
    },
    {
      name: 'L2ToL1MessagePasser',
      address: OP_PREDEPLOY_ADDRESSES.L2ToL1MessagePasser,
      initCode: bedrockInitCode('L2ToL1MessagePasser'),
      abi: loadBedrockArtifact('L2ToL1MessagePasser').abi,
    },
    {
      name: 'L2CrossDomainMessenger',
      address: OP_PREDEPLOY_ADDRESSES.L2CrossDomainMessenger,
      initCode: bedrockInitCode('L2CrossDomainMessenger'),
      abi: loadBedrockArtifact('L2CrossDomainMessenger').abi,
      keepConstructorStorage: false,
      calls: [
        {
          data: encodeFunctionData({
            abi: loadBedrockArtifact('L2CrossDomainMessenger').abi,
            functionName: 'initialize',
            args: [parameters.l1CrossDomainMessenger],
          }),
        },
      ],
    },
  ]
}
