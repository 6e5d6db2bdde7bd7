/**
 * Test support (not exported from index.ts): the smallest real OP-Stack L1 deposit path on an
 * anvil chain — SystemConfig, OptimismPortal and L1CrossDomainMessenger from contracts-bedrock
 * 0.17.3, each behind an OP `Proxy` and initialized the way OP's deploy script does (their
 * constructors lock the implementations). No L2OutputOracle or SuperchainConfig: deposits and
 * `sendMessage` do not read them (withdrawals would). The full deployment is rollup/opstack/'s job.
 */
import { createRequire } from 'node:module'
import { type Abi, type Address, encodeFunctionData, type Hex, maxUint128, pad, zeroAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type Anvil, getFreePort, startAnvil } from '../devnet/anvil.js'
import { ANVIL_DEV_KEYS, createDevnetClient, type DevnetClient, makeChain } from '../devnet/clients.js'
import { loadBedrockArtifact } from '../genesis/artifacts.js'

export type DepositContracts = {
  systemConfig: Address
  portal: Address
  l1CrossDomainMessenger: Address
}

async function deploy(client: DevnetClient, name: string, args: readonly unknown[] = []): Promise<Address> {
  const { abi, bytecode } = loadBedrockArtifact(name)
  const hash = await client.deployContract({
    abi,
    bytecode,
    args,
    account: client.account!,
    chain: client.chain,
  })
  const receipt = await client.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`deploying ${name} failed`)
  return receipt.contractAddress
}

async function proxied(client: DevnetClient, name: string, initialize: { abi: Abi; args: unknown[] }) {
  const implementation = await deploy(client, name)
  const proxy = await deploy(client, 'Proxy', [client.account!.address])
  const data = encodeFunctionData({ abi: initialize.abi, functionName: 'initialize', args: initialize.args })
  const hash = await client.writeContract({
    address: proxy,
    abi: loadBedrockArtifact('Proxy').abi,
    functionName: 'upgradeToAndCall',
    args: [implementation, data],
    account: client.account!,
    chain: client.chain,
  })
  const receipt = await client.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`initializing ${name} failed`)
  return proxy
}

/** Deploys SystemConfig, OptimismPortal and L1CrossDomainMessenger (proxied, initialized). */
export async function deployDepositContracts(client: DevnetClient): Promise<DepositContracts> {
  const systemConfig = await proxied(client, 'SystemConfig', {
    abi: loadBedrockArtifact('SystemConfig').abi,
    args: [
      client.account!.address, // owner
      1368, // basefeeScalar
      810949, // blobbasefeeScalar
      pad(client.account!.address, { size: 32 }), // batcherHash
      30_000_000n, // gasLimit
      zeroAddress, // unsafeBlockSigner
      {
        // contracts-bedrock Constants.DEFAULT_RESOURCE_CONFIG
        maxResourceLimit: 20_000_000,
        elasticityMultiplier: 10,
        baseFeeMaxChangeDenominator: 8,
        minimumBaseFee: 1_000_000_000,
        systemTxMaxGas: 1_000_000,
        maximumBaseFee: maxUint128,
      },
      '0xff00000000000000000000000000000000000901', // batch inbox
      {
        l1CrossDomainMessenger: zeroAddress,
        l1ERC721Bridge: zeroAddress,
        l1StandardBridge: zeroAddress,
        disputeGameFactory: zeroAddress,
        optimismPortal: zeroAddress,
        optimismMintableERC20Factory: zeroAddress,
        gasPayingToken: zeroAddress, // ETH
      },
    ],
  })
  const portal = await proxied(client, 'OptimismPortal', {
    abi: loadBedrockArtifact('OptimismPortal').abi,
    args: [zeroAddress, systemConfig, zeroAddress],
  })
  const l1CrossDomainMessenger = await proxied(client, 'L1CrossDomainMessenger', {
    abi: loadBedrockArtifact('L1CrossDomainMessenger').abi,
    args: [zeroAddress, portal, systemConfig],
  })
  return { systemConfig, portal, l1CrossDomainMessenger }
}

export type TestL1 = {
  anvil: Anvil
  client: DevnetClient
  contracts: DepositContracts
  stop(): Promise<void>
}

/** Starts an anvil L1 (chain 900, a block per transaction) with the deposit contracts deployed. */
export async function startTestL1(): Promise<TestL1> {
  const anvil = await startAnvil({ name: 'l1-deposits', chainId: 900, port: await getFreePort() })
  try {
    const client = createDevnetClient({
      chain: makeChain({ name: 'l1', chainId: 900, rpcUrl: anvil.rpcUrl }),
      account: privateKeyToAccount(ANVIL_DEV_KEYS.deployer as Hex),
      pollingIntervalMs: 50,
    })
    const contracts = await deployDepositContracts(client)
    return { anvil, client, contracts, stop: () => anvil.stop() }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}

/**
 * Contracts for tests, compiled with solc-js (evm version prague):
 * - `RelayTarget`: `relayed(payload)` reads `xDomainMessageSender()` from its caller (the
 *   L2CrossDomainMessenger), stores it and emits `Relayed`; `writeThenRevert()` writes then
 *   reverts; `clearScratch()` zeroes a slot its constructor set (an SSTORE refund).
 * - `FakePortal`: emits a `TransactionDeposited` event of the portal's exact signature from
 *   another address (derivation must ignore it).
 */
export const TEST_CONTRACTS_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IMessenger {
    function xDomainMessageSender() external view returns (address);
}

contract RelayTarget {
    address public lastSender;
    bytes32 public lastPayload;
    uint256 public calls;
    uint256 public scratch = 1;

    event Relayed(address indexed sender, bytes payload, uint256 value);

    function relayed(bytes calldata payload) external payable {
        lastSender = IMessenger(msg.sender).xDomainMessageSender();
        lastPayload = keccak256(payload);
        calls += 1;
        emit Relayed(lastSender, payload, msg.value);
    }

    function writeThenRevert() external {
        calls = 99;
        revert("RelayTarget: reverted");
    }

    function clearScratch() external {
        scratch = 0;
    }
}

contract FakePortal {
    event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData);

    function fake(address to, uint256 mint) external {
        emit TransactionDeposited(msg.sender, to, 0, abi.encodePacked(mint, uint256(0), uint64(100000), false, bytes("")));
    }
}
`

export type CompiledContract = { abi: Abi; bytecode: Hex }
let compiled: { RelayTarget: CompiledContract; FakePortal: CompiledContract } | undefined

/** Compiles {@link TEST_CONTRACTS_SOURCE} once. */
export function compileTestContracts(): { RelayTarget: CompiledContract; FakePortal: CompiledContract } {
  if (compiled) return compiled
  const require = createRequire(import.meta.url)
  const solc = require('solc') as { compile(input: string): string }
  const out = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: 'Solidity',
        sources: { 'TestContracts.sol': { content: TEST_CONTRACTS_SOURCE } },
        settings: { evmVersion: 'prague', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
      }),
    ),
  ) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
  }
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const get = (name: string): CompiledContract => {
    const c = out.contracts['TestContracts.sol']?.[name]
    if (!c) throw new Error(`${name}: no output`)
    return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }
  }
  compiled = { RelayTarget: get('RelayTarget'), FakePortal: get('FakePortal') }
  return compiled
}

/** The RelayTarget test contract. */
export function compileRelayTarget(): CompiledContract {
  return compileTestContracts().RelayTarget
}
