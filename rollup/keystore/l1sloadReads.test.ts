import { createEVM } from '@ethereumjs/evm'
import { Account, Address, hexToBytes } from '@ethereumjs/util'
import {
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  type Hex,
  keccak256,
  pad,
  toHex,
} from 'viem'
import { expect, it } from 'vitest'
import {
  keystoreChainL2KeystoreAbi,
  keystoreChainL2KeystoreBytecode,
} from '../../contracts/generated/index.js'
import { L1SLOAD_ADDRESS, parseL1SloadInput } from '../../precompiles/l1sload/index.js'
import { KEYSTORE_RESERVED, keystoreL1SloadReads } from './l1sloadReads.js'

const L1_KEYSTORE: Hex = '0x00000000000000000000000000000000000c0ffe'
const account: Hex = '0x1111111111111111111111111111111111111111'
const eoa: Hex = '0x2222222222222222222222222222222222222222'
const deployer: Hex = '0x3333333333333333333333333333333333333333'
const key = keccak256(toHex('a key'))
const v = (s: string) => keccak256(toHex(s))

it('predicts exactly the L1Keystore slots KeystoreChainL2Keystore asks L1SLOAD for', async () => {
  // The genuine contract in a real EVM, with an L1SLOAD that records what it is asked (and
  // answers zeros: the reads come before any check that could use them).
  const asked: { address: Hex; keys: Hex[] }[] = []
  const evm = await createEVM({
    customPrecompiles: [
      {
        address: new Address(hexToBytes(L1SLOAD_ADDRESS)),
        function: async (input) => {
          const parsed = parseL1SloadInput(input.data)
          if (parsed) asked.push({ address: parsed.address, keys: parsed.keys })
          return { executionGasUsed: 0n, returnValue: new Uint8Array(32 * (parsed?.keys.length ?? 0)) }
        },
      },
    ],
  })
  const from = new Address(hexToBytes(deployer))
  await evm.stateManager.putAccount(from, new Account(0n, 10n ** 18n))
  const created = await evm.runCall({
    caller: from,
    data: hexToBytes(
      encodeDeployData({
        abi: keystoreChainL2KeystoreAbi,
        bytecode: keystoreChainL2KeystoreBytecode,
        args: [L1_KEYSTORE, '0x0000000000000000000000000000000000000000'],
      }),
    ),
    gasLimit: 10_000_000n,
  })
  const l2Keystore = created.createdAddress?.toString() as Hex
  expect(l2Keystore).toBe(getContractAddress({ from: deployer, nonce: 0n }).toLowerCase())
  const predict = keystoreL1SloadReads({ l2Keystore, l1Keystore: L1_KEYSTORE, chainId: 1n })

  const cases: [string, Hex, Hex][] = [
    [
      'updateKey by a bound EOA',
      eoa,
      encodeFunctionData({
        abi: keystoreChainL2KeystoreAbi,
        functionName: 'updateKey',
        args: [account, key, v('old'), v('new')],
      }),
    ],
    [
      'updateKey by the account',
      account,
      encodeFunctionData({
        abi: keystoreChainL2KeystoreAbi,
        functionName: 'updateKey',
        args: [account, key, v('old'), v('new')],
      }),
    ],
    [
      'writeKey by a bound EOA',
      eoa,
      encodeFunctionData({
        abi: keystoreChainL2KeystoreAbi,
        functionName: 'writeKey',
        args: [account, key, v('new')],
      }),
    ],
    [
      'writeKey of zero (refused before reading)',
      eoa,
      encodeFunctionData({
        abi: keystoreChainL2KeystoreAbi,
        functionName: 'writeKey',
        args: [account, key, pad('0x')],
      }),
    ],
    [
      'updateKey of a reserved key (refused before reading)',
      eoa,
      encodeFunctionData({
        abi: keystoreChainL2KeystoreAbi,
        functionName: 'updateKey',
        args: [account, KEYSTORE_RESERVED.SALT_KEY, v('old'), v('new')],
      }),
    ],
    [
      'updateAccess by a bound EOA',
      eoa,
      encodeFunctionData({
        abi: keystoreChainL2KeystoreAbi,
        functionName: 'updateAccess',
        args: [account, l2Keystore, eoa],
      }),
    ],
    [
      'updateAccess by the account',
      account,
      encodeFunctionData({
        abi: keystoreChainL2KeystoreAbi,
        functionName: 'updateAccess',
        args: [account, l2Keystore, eoa],
      }),
    ],
  ]
  // The chain id the contract uses is the EVM's (1 here): the predictor is given the same.
  for (const [what, caller, data] of cases) {
    asked.length = 0
    const c = new Address(hexToBytes(caller))
    await evm.stateManager.putAccount(c, new Account(0n, 10n ** 18n))
    await evm.runCall({
      caller: c,
      origin: c,
      to: new Address(hexToBytes(l2Keystore)),
      data: hexToBytes(data),
      gasLimit: 1_000_000n,
    })
    const predicted = predict({ from: caller, to: l2Keystore, data: hexToBytes(data) })
    expect(predicted, what).toEqual(asked.map((a) => ({ address: L1_KEYSTORE, keys: a.keys })))
    expect(
      asked.every((a) => a.address === L1_KEYSTORE),
      what,
    ).toBe(true)
  }
  // Other calls and other contracts: unknown (the node dry-runs them).
  const load = encodeFunctionData({
    abi: keystoreChainL2KeystoreAbi,
    functionName: 'loadKey',
    args: [account, key],
  })
  expect(predict({ from: eoa, to: l2Keystore, data: hexToBytes(load) })).toBeUndefined()
  expect(predict({ from: eoa, to: deployer, data: hexToBytes(load) })).toBeUndefined()
  expect(predict({ from: eoa, to: l2Keystore, data: new Uint8Array([1, 2]) })).toBeUndefined()
})
