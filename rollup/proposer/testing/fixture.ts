/**
 * A minimal, isolated test fixture for the proposer and the output checker (not the network's
 * deployment: rollup/opstack/ owns that). Two anvils:
 *
 * - **L1**: the genuine contracts-bedrock `L2OutputOracle` behind the genuine `Proxy`, initialized
 *   through `upgradeToAndCall` as the OP deployment does.
 * - **"L2"**: a stand-in for the keystore chain that serves real blocks and `eth_getProof`, with
 *   the genuine `L2ToL1MessagePasser` runtime code at 0x4200…0016 and a fixed block time
 *   (`anvil_setBlockTimestampInterval`), so block n has timestamp `genesis + n · l2BlockTime`,
 *   exactly what the oracle's `computeL2Timestamp` assumes.
 */
import { type Address, encodeFunctionData, type Hex, parseEventLogs } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  opL2OutputOracleAbi,
  opL2OutputOracleBytecode,
  opL2ToL1MessagePasserAbi,
  opL2ToL1MessagePasserDeployedBytecode,
  opProxyAbi,
  opProxyBytecode,
} from '../../../contracts/generated/index.js'
import { type Anvil, getFreePort, startAnvil } from '../../devnet/anvil.js'
import { ANVIL_DEV_KEYS, createDevnetClient, type DevnetClient, makeChain } from '../../devnet/clients.js'
import { L2_TO_L1_MESSAGE_PASSER } from '../computeOutputRoot.js'

/** Anvil's well-known dev keys #2 and #3: the oracle's proposer and challenger in tests. */
export const FIXTURE_KEYS = {
  deployer: ANVIL_DEV_KEYS.deployer,
  proposer: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  challenger: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
} as const

export const proposerAccount = privateKeyToAccount(FIXTURE_KEYS.proposer)
export const challengerAccount = privateKeyToAccount(FIXTURE_KEYS.challenger)

export type OracleConfig = {
  submissionInterval: bigint
  l2BlockTime: bigint
  startingBlockNumber: bigint
  startingTimestamp: bigint
  proposer: Address
  challenger: Address
  finalizationPeriodSeconds: bigint
}

/**
 * Deploys L2OutputOracle behind a Proxy (admin: the client's account) and initializes it.
 *
 * @returns The proxy's address (use it as the oracle) and the L1 block it was initialized in.
 * @example
 * const { address } = await deployL2OutputOracle(l1, { submissionInterval: 4n, … })
 */
export async function deployL2OutputOracle(
  l1: DevnetClient,
  config: OracleConfig,
): Promise<{ address: Address; implementation: Address; deployBlock: bigint }> {
  const account = l1.account!
  const implHash = await l1.deployContract({
    abi: opL2OutputOracleAbi,
    bytecode: opL2OutputOracleBytecode,
    account,
    chain: l1.chain,
  })
  const implementation = (await l1.waitForTransactionReceipt({ hash: implHash })).contractAddress!
  const proxyHash = await l1.deployContract({
    abi: opProxyAbi,
    bytecode: opProxyBytecode,
    args: [account.address],
    account,
    chain: l1.chain,
  })
  const address = (await l1.waitForTransactionReceipt({ hash: proxyHash })).contractAddress!
  const initialize = encodeFunctionData({
    abi: opL2OutputOracleAbi,
    functionName: 'initialize',
    args: [
      config.submissionInterval,
      config.l2BlockTime,
      config.startingBlockNumber,
      config.startingTimestamp,
      config.proposer,
      config.challenger,
      config.finalizationPeriodSeconds,
    ],
  })
  const upgrade = await l1.writeContract({
    address,
    abi: opProxyAbi,
    functionName: 'upgradeToAndCall',
    args: [implementation, initialize],
    account,
    chain: l1.chain,
  })
  const receipt = await l1.waitForTransactionReceipt({ hash: upgrade })
  if (receipt.status !== 'success') throw new Error('L2OutputOracle initialize reverted')
  return { address, implementation, deployBlock: receipt.blockNumber }
}

export type ProposerFixture = {
  l1Anvil: Anvil
  l2Anvil: Anvil
  l1: DevnetClient
  l2: DevnetClient
  /** The L2's genesis timestamp. */
  l2Genesis: bigint
  l2BlockTime: bigint
  /** Mines `blocks` empty L2 blocks. */
  mineL2(blocks: number): Promise<bigint>
  /** Sends a withdrawal through L2ToL1MessagePasser (its storage grows); returns the withdrawal hash. */
  withdraw(data?: Hex): Promise<{ withdrawalHash: Hex; blockNumber: bigint }>
  /** A fresh oracle; `startingBlockNumber` defaults to 0 and `startingTimestamp` to the L2 genesis. */
  deployOracle(
    overrides?: Partial<OracleConfig>,
  ): Promise<{ address: Address; deployBlock: bigint; config: OracleConfig }>
  stop(): Promise<void>
}

/**
 * Starts the two anvils. By default the L2's genesis is an hour before the L1's clock, so the
 * oracle's timestamps are always in the L1's past; `l2GenesisAtL1Now` puts it at the L1's current
 * time instead (outputs then wait for the L1 clock).
 *
 * @example
 * const fx = await startProposerFixture()
 * const { address } = await fx.deployOracle({ submissionInterval: 4n })
 * await fx.stop()
 */
export async function startProposerFixture(
  options: { l2BlockTime?: bigint; l2GenesisAtL1Now?: boolean } = {},
): Promise<ProposerFixture> {
  const l2BlockTime = options.l2BlockTime ?? 2n
  const account = privateKeyToAccount(FIXTURE_KEYS.deployer)
  const l1Anvil = await startAnvil({ name: 'l1', chainId: 900, port: await getFreePort() })
  let l2Anvil: Anvil | undefined
  try {
    const l1 = createDevnetClient({
      chain: makeChain({ name: 'l1', chainId: 900, rpcUrl: l1Anvil.rpcUrl }),
      account,
      pollingIntervalMs: 20,
    })
    const l1Now = (await l1.getBlock()).timestamp
    const l2Genesis = options.l2GenesisAtL1Now ? l1Now : l1Now - 3600n
    l2Anvil = await startAnvil({
      name: 'keystore',
      chainId: 901,
      port: await getFreePort(),
      args: ['--timestamp', l2Genesis.toString()],
    })
    const l2 = createDevnetClient({
      chain: makeChain({ name: 'keystore', chainId: 901, rpcUrl: l2Anvil.rpcUrl }),
      account,
      pollingIntervalMs: 20,
    })
    await l2.request({ method: 'anvil_setBlockTimestampInterval', params: [Number(l2BlockTime)] } as never)
    await l2.setCode({ address: L2_TO_L1_MESSAGE_PASSER, bytecode: opL2ToL1MessagePasserDeployedBytecode })
    const l2Anvil_ = l2Anvil
    return {
      l1Anvil,
      l2Anvil: l2Anvil_,
      l1,
      l2,
      l2Genesis,
      l2BlockTime,
      async mineL2(blocks) {
        await l2.mine({ blocks })
        return l2.getBlockNumber({ cacheTime: 0 })
      },
      async withdraw(data = '0x') {
        const hash = await l2.writeContract({
          address: L2_TO_L1_MESSAGE_PASSER,
          abi: opL2ToL1MessagePasserAbi,
          functionName: 'initiateWithdrawal',
          args: [account.address, 100_000n, data],
          value: 1n,
          account,
          chain: l2.chain,
        })
        const receipt = await l2.waitForTransactionReceipt({ hash })
        const [event] = parseEventLogs({
          abi: opL2ToL1MessagePasserAbi,
          eventName: 'MessagePassed',
          logs: receipt.logs,
        })
        if (!event) throw new Error('no MessagePassed event')
        return { withdrawalHash: event.args.withdrawalHash, blockNumber: receipt.blockNumber }
      },
      async deployOracle(overrides = {}) {
        const config: OracleConfig = {
          submissionInterval: 4n,
          l2BlockTime,
          startingBlockNumber: 0n,
          startingTimestamp: l2Genesis,
          proposer: proposerAccount.address,
          challenger: challengerAccount.address,
          finalizationPeriodSeconds: 600n,
          ...overrides,
        }
        const { address, deployBlock } = await deployL2OutputOracle(l1, config)
        return { address, deployBlock, config }
      },
      async stop() {
        await Promise.all([l1Anvil.stop(), l2Anvil_.stop()])
      },
    }
  } catch (error) {
    await Promise.all([l1Anvil.stop(), l2Anvil?.stop()])
    throw error
  }
}
