import { MerkleStateManager } from '@ethereumjs/statemanager'
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import {
  type Abi,
  decodeFunctionResult,
  encodeDeployData,
  encodeFunctionData,
  type Hex,
  pad,
  toHex,
} from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import { l1BlocksAbi, l1BlocksBytecode, l1BlocksDeployedBytecode } from '../../contracts/generated/index.js'
import { applyGenesisAlloc, createKeystoreCommon } from '../node/chain.js'
import { KeystoreNode } from '../node/KeystoreNode.js'
import { loadBedrockArtifact, storageSlotOf } from './artifacts.js'
import {
  type BuildKeystoreGenesisReturnType,
  buildKeystoreGenesis,
  GenesisBuildError,
} from './buildKeystoreGenesis.js'
import { DEFAULT_L2_SENDER, OP_PREDEPLOY_ADDRESSES } from './predeploys.js'

const L1_MESSENGER: Hex = '0x5f5a404A5edabcDD80DB05E8e54A78c9EBF000C2'
const L1_BLOCKS: Hex = '0x42000000000000000000000000000000000000b1'
const DEV: Hex = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const messenger = loadBedrockArtifact('L2CrossDomainMessenger')

const params = {
  l1CrossDomainMessenger: L1_MESSENGER,
  predeploys: [
    {
      name: 'L1Blocks',
      address: L1_BLOCKS,
      initCode: encodeDeployData({ abi: l1BlocksAbi, bytecode: l1BlocksBytecode, args: [8191n] }),
      abi: l1BlocksAbi,
    },
  ],
  balances: { [DEV]: 10n ** 21n },
}

async function read(node: KeystoreNode, address: Hex, abi: Abi, functionName: string): Promise<unknown> {
  const { returnValue } = await node.call(
    { to: address, data: encodeFunctionData({ abi, functionName }) },
    node.head,
  )
  return decodeFunctionResult({ abi, functionName, data: returnValue })
}

describe('buildKeystoreGenesis', () => {
  let genesis: BuildKeystoreGenesisReturnType
  let node: KeystoreNode
  beforeAll(async () => {
    genesis = await buildKeystoreGenesis(params)
    node = await KeystoreNode.create({ alloc: genesis.alloc, allowedRecipients: [] })
  })

  test('the OP predeploys answer from their addresses in a KeystoreNode', async () => {
    const cdm = OP_PREDEPLOY_ADDRESSES.L2CrossDomainMessenger
    expect(await read(node, cdm, messenger.abi, 'OTHER_MESSENGER')).toBe(L1_MESSENGER)
    expect(await read(node, cdm, messenger.abi, 'l1CrossDomainMessenger')).toBe(L1_MESSENGER)
    expect(await read(node, cdm, messenger.abi, 'otherMessenger')).toBe(L1_MESSENGER)
    // version 1 in the top two bytes, nonce 0
    expect(await read(node, cdm, messenger.abi, 'messageNonce')).toBe(1n << 240n)
    expect(await read(node, cdm, messenger.abi, 'version')).toBe('2.1.0')
    const passer = loadBedrockArtifact('L2ToL1MessagePasser')
    const mp = OP_PREDEPLOY_ADDRESSES.L2ToL1MessagePasser
    expect(await read(node, mp, passer.abi, 'messageNonce')).toBe(1n << 240n)
    expect(await read(node, mp, passer.abi, 'version')).toBe('1.1.0')
    const l1Block = loadBedrockArtifact('L1Block')
    expect(await read(node, OP_PREDEPLOY_ADDRESSES.L1Block, l1Block.abi, 'version')).toBe('1.4.1-beta.1')
    expect(await read(node, OP_PREDEPLOY_ADDRESSES.L1Block, l1Block.abi, 'DEPOSITOR_ACCOUNT')).toBe(
      '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001',
    )
    expect(genesis.predeploys).toEqual({
      L1Block: OP_PREDEPLOY_ADDRESSES.L1Block,
      L2ToL1MessagePasser: OP_PREDEPLOY_ADDRESSES.L2ToL1MessagePasser,
      L2CrossDomainMessenger: OP_PREDEPLOY_ADDRESSES.L2CrossDomainMessenger,
      L1Blocks: L1_BLOCKS,
    })
  })

  test('L2CrossDomainMessenger storage is that of an initialized messenger (storage layout of 0.17.3)', () => {
    const storage = genesis.alloc[OP_PREDEPLOY_ADDRESSES.L2CrossDomainMessenger]?.storage ?? {}
    const slot = (label: string) =>
      pad(toHex(storageSlotOf('L2CrossDomainMessenger', label).slot), { size: 32 })
    expect(storage[slot('otherMessenger')]).toBe(pad(L1_MESSENGER.toLowerCase() as Hex, { size: 32 }))
    expect(storage[slot('xDomainMsgSender')]).toBe(pad(DEFAULT_L2_SENDER.toLowerCase() as Hex, { size: 32 }))
    // OpenZeppelin's `_initialized` (uint8 at byte offset 20 of slot 0) = 1, `_initializing` = false
    expect(storageSlotOf('L2CrossDomainMessenger', '_initialized')).toEqual({ slot: 0n, offset: 20 })
    expect(storage[slot('_initialized')]).toBe(pad(toHex(1n << 160n), { size: 32 }))
    expect(Object.keys(storage)).toHaveLength(3)
  })

  test('the messenger cannot be initialized again, and no message is being relayed', async () => {
    const data = encodeFunctionData({ abi: messenger.abi, functionName: 'initialize', args: [DEV] })
    await expect(
      node.call({ to: OP_PREDEPLOY_ADDRESSES.L2CrossDomainMessenger, data }, node.head),
    ).rejects.toMatchObject({ code: 3 })
    await expect(
      read(node, OP_PREDEPLOY_ADDRESSES.L2CrossDomainMessenger, messenger.abi, 'xDomainMessageSender'),
    ).rejects.toMatchObject({ code: 3 })
  })

  test('constructors run: L1Blocks has its immutable RING_SIZE, so its code differs from the template', async () => {
    expect(await read(node, L1_BLOCKS, l1BlocksAbi, 'RING_SIZE')).toBe(8191n)
    const code = genesis.alloc[L1_BLOCKS.toLowerCase() as Hex]?.code
    expect(code).toBeDefined()
    expect(code).not.toBe(l1BlocksDeployedBytecode)
    expect(code?.length).toBe(l1BlocksDeployedBytecode.length)
    // no immutables in L1Block: the runtime code is the artifact's
    expect(genesis.alloc[OP_PREDEPLOY_ADDRESSES.L1Block]?.code).toBe(
      loadBedrockArtifact('L1Block').deployedBytecode,
    )
  })

  test('contracts have nonce 1, dev accounts their balance; nothing else is allocated', async () => {
    expect(Object.keys(genesis.alloc)).toEqual(
      [
        OP_PREDEPLOY_ADDRESSES.L2CrossDomainMessenger,
        OP_PREDEPLOY_ADDRESSES.L1Block,
        OP_PREDEPLOY_ADDRESSES.L2ToL1MessagePasser,
        L1_BLOCKS,
        DEV,
      ]
        .map((a) => a.toLowerCase())
        .sort(),
    )
    for (const address of Object.values(genesis.predeploys))
      expect(genesis.alloc[address.toLowerCase() as Hex]?.nonce).toBe(1n)
    expect(genesis.alloc[DEV.toLowerCase() as Hex]).toEqual({ nonce: 0n, balance: 10n ** 21n })
    const sm = await node.stateAt(node.head)
    expect((await sm.getAccount(new Address(hexToBytes(DEV))))?.balance).toBe(10n ** 21n)
  })

  test('deterministic: same parameters → same alloc and state root; the root is the alloc’s', async () => {
    const again = await buildKeystoreGenesis(params)
    const json = (g: BuildKeystoreGenesisReturnType) =>
      JSON.stringify(g, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))
    expect(json(again)).toBe(json(genesis))
    expect(bytesToHex(node.head.header.stateRoot)).toBe(genesis.stateRoot)
    const common = createKeystoreCommon()
    const root = await applyGenesisAlloc(new MerkleStateManager({ common }), again.alloc)
    expect(bytesToHex(root)).toBe(genesis.stateRoot)
    const other = await buildKeystoreGenesis({ ...params, l1CrossDomainMessenger: DEV })
    expect(other.stateRoot).not.toBe(genesis.stateRoot)
  })
})

describe('buildKeystoreGenesis rejects bad input', () => {
  const l1BlocksInit = encodeDeployData({ abi: l1BlocksAbi, bytecode: l1BlocksBytecode, args: [1n] })
  const build = (extra: Partial<Parameters<typeof buildKeystoreGenesis>[0]>) =>
    buildKeystoreGenesis({ l1CrossDomainMessenger: L1_MESSENGER, ...extra })

  test.each([
    ['a zero L1 messenger', { l1CrossDomainMessenger: '0x0000000000000000000000000000000000000000' }, /zero/],
    ['a malformed L1 messenger', { l1CrossDomainMessenger: '0x1234' }, /not an address/],
    [
      'a predeploy on an OP predeploy address',
      { predeploys: [{ name: 'X', address: OP_PREDEPLOY_ADDRESSES.L1Block, initCode: l1BlocksInit }] },
      /L1Block and X have the same address/,
    ],
    [
      'two predeploys with one name',
      {
        predeploys: [
          { name: 'A', address: L1_BLOCKS, initCode: l1BlocksInit },
          { name: 'A', address: DEV, initCode: l1BlocksInit },
        ],
      },
      /named "A"/,
    ],
    ['empty init code', { predeploys: [{ name: 'A', address: L1_BLOCKS, initCode: '0x' }] }, /initCode/],
    ['a negative balance', { balances: { [DEV]: -1n } }, /non-negative/],
    [
      'a balance on a predeploy',
      { balances: { [OP_PREDEPLOY_ADDRESSES.L1Block]: 1n } },
      /is a predeploy address/,
    ],
  ] as const)('%s', async (_name, extra, message) => {
    const error = await build(extra as never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GenesisBuildError)
    expect((error as Error).message).toMatch(message)
  })

  test('a reverting constructor fails the build with its custom error decoded', async () => {
    const error = await build({
      predeploys: [
        {
          name: 'L1Blocks',
          address: L1_BLOCKS,
          initCode: encodeDeployData({ abi: l1BlocksAbi, bytecode: l1BlocksBytecode, args: [0n] }),
          abi: l1BlocksAbi,
        },
      ],
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GenesisBuildError)
    expect((error as GenesisBuildError).shortMessage).toBe('The constructor of L1Blocks failed.')
    expect((error as GenesisBuildError).details).toBe('revert: L1BlocksInvalidRingSize(0)')
  })

  test('a reverting constructor with Error(string) shows the reason', async () => {
    // init code: CODECOPY the 100-byte Error("boom") payload appended after it, REVERT with it
    const reason = `0x08c379a0${'20'.padStart(64, '0')}${'4'.padStart(64, '0')}${Buffer.from('boom').toString('hex').padEnd(64, '0')}`
    const initCode = `0x6064600c60003960646000fd${reason.slice(2)}` as Hex
    const error = await build({ predeploys: [{ name: 'Boom', address: L1_BLOCKS, initCode }] }).catch(
      (e: unknown) => e,
    )
    expect((error as GenesisBuildError).details).toBe('revert: Error(boom)')
  })

  test('a reverting setup call fails the build', async () => {
    const error = await build({
      predeploys: [
        {
          name: 'Messenger2',
          address: L1_BLOCKS,
          initCode: loadBedrockArtifact('L2CrossDomainMessenger').bytecode,
          // the constructor already initialized it, and its storage is kept: initialize reverts
          calls: [
            {
              data: encodeFunctionData({ abi: messenger.abi, functionName: 'initialize', args: [DEV] }),
            },
          ],
        },
      ],
    }).catch((e: unknown) => e)
    expect((error as GenesisBuildError).shortMessage).toBe('Setup call 0 on Messenger2 failed.')
    expect((error as GenesisBuildError).details).toMatch(/already initialized/)
  })

  test('the L2CrossDomainMessenger storage layout is the one of contracts-bedrock 0.17.3', () => {
    // guards the slot numbers relied on above against a silently different contracts-bedrock
    const layout = loadBedrockArtifact('L2CrossDomainMessenger').storageLayout.storage.map(
      (s) => `${s.label}:${s.slot}:${s.offset}`,
    )
    expect(layout.slice(-6)).toEqual([
      'successfulMessages:203:0',
      'xDomainMsgSender:204:0',
      'msgNonce:205:0',
      'failedMessages:206:0',
      'otherMessenger:207:0',
      '__gap:208:0',
    ])
  })
})
