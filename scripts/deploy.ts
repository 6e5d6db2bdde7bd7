/**
 * deploy — deterministic deployments for a network configuration.
 *
 * Deploys every contract of the configuration's `deploy` section through the CREATE2 deployer
 * (same address on every chain), skipping contracts already there, and writes the addresses
 * file. With a `keystore` section it also deploys the keystore chain's L1 contracts (OP Bedrock:
 * OptimismPortal, L2OutputOracle, L1CrossDomainMessenger, SystemConfig, SuperchainConfig behind
 * proxies; rollup/opstack), whose addresses depend on the deployer. On anvil chains it also
 * installs what a devnet needs: the CREATE2 deployer if missing, Multicall3 on L1, and the genuine
 * L1Block predeploy on L2s with `emulateL1Origin`.
 *
 *   tsx scripts/deploy.ts [--config node-config/devnet.json] [--rpc l1=…,l2a=…] [--dry-run]
 */
import { Option } from 'commander'
import { privateKeyToAccount } from 'viem/accounts'
import { chainRpcUrl } from '../rollup/config/load.js'
import { buildAddresses, defaultAddressesPath, writeAddresses } from '../rollup/deploy/addresses.js'
import { deployAll } from '../rollup/deploy/deploy.js'
import { planDeployments } from '../rollup/deploy/plan.js'
import { deployOpStackL1 } from '../rollup/opstack/deploy.js'
import { installMulticall3 } from '../rollup/opstack/multicall3.js'
import { planOpStackL1 } from '../rollup/opstack/plan.js'
import { installL1Block } from '../rollup/origin/l1Block.js'
import { RollupError } from '../rollup/shared/errors.js'
import { TxSender } from '../rollup/shared/txSender.js'
import {
  type CommonOptions,
  checkChainIds,
  clientsFor,
  createCommand,
  isAnvil,
  loadCliConfig,
  loggerFor,
  parseInteger,
  runMain,
} from './lib/cli.js'

type Options = CommonOptions & {
  deployerKey?: string
  addresses?: string
  dryRun?: boolean
  installL1block: boolean
  genesisTimestamp?: number
}

const program = createCommand('deploy', 'Deterministic (CREATE2) deployment of the keystore contracts.')
  .addOption(
    new Option('--deployer-key <hex>', 'deployer private key (default: accounts.deployer)').env(
      'DEPLOYER_PRIVATE_KEY',
    ),
  )
  .addOption(
    new Option(
      '--addresses <path>',
      'addresses file to write (default node-config/<name>.addresses.json)',
    ).env('KEYSTORE_ADDRESSES'),
  )
  .addOption(new Option('--dry-run', 'print the plan (addresses) and send nothing').env('DEPLOY_DRY_RUN'))
  .addOption(
    new Option('--no-install-l1block', 'anvil L2s: do not install the L1Block predeploy').env(
      'DEPLOY_NO_INSTALL_L1BLOCK',
    ),
  )
  .addOption(
    new Option(
      '--genesis-timestamp <seconds>',
      "the keystore chain's genesis timestamp (L2OutputOracle.startingTimestamp; default keystore.genesis.timestamp, else the L1 head's)",
    )
      .env('KEYSTORE_GENESIS_TIMESTAMP')
      .argParser(parseInteger),
  )

runMain(async () => {
  const options = program.parse().opts<Options>()
  const logger = loggerFor(options)
  const config = loadCliConfig(options)
  const key = options.deployerKey ?? config.accounts.deployer
  const account = key ? privateKeyToAccount(key as `0x${string}`) : undefined
  const plan = planDeployments(config, { deployer: account?.address })
  if (options.dryRun) {
    for (const d of plan.deployments)
      process.stdout.write(
        `${d.name.padEnd(22)} ${d.address}  on ${d.chains.join(', ')}  salt "${d.saltLabel}"\n`,
      )
    for (const s of plan.skipped) process.stdout.write(`${s.name.padEnd(22)} skipped: ${s.reason}\n`)
    if (config.keystore) {
      const op = planOpStackL1(config, { deployer: account?.address })
      process.stdout.write(
        `${'ProxyAdmin'.padEnd(22)} ${op.proxyAdmin.address}  on l1  owner ${op.deployer}\n`,
      )
      for (const [name, p] of Object.entries(op.proxies))
        process.stdout.write(
          `${name.padEnd(22)} ${p.address}  on l1  (proxy; implementation ${op.implementations[name as keyof typeof op.implementations].address})\n`,
        )
    }
    return
  }
  if (!account)
    throw new RollupError('No deployer key.', { details: 'pass --deployer-key or set DEPLOYER_PRIVATE_KEY' })
  const clients = clientsFor(config)
  await checkChainIds(config, clients)
  const anvil = Object.fromEntries(
    await Promise.all(Object.entries(clients).map(async ([n, c]) => [n, await isAnvil(c)] as const)),
  )
  if (options.installL1block) {
    for (const [name, l2] of Object.entries(config.l2s)) {
      if (!l2.emulateL1Origin || !anvil[name]) continue
      if (await installL1Block(clients[name]!)) logger.info('installed L1Block predeploy', { chain: name })
    }
  }
  const senders = Object.fromEntries(
    Object.entries(clients).map(([name, client]) => [
      name,
      new TxSender({ client, account, logger: logger.child({ chain: name }) }),
    ]),
  )
  const deployed = await deployAll({
    config,
    plan,
    logger,
    chains: Object.fromEntries(
      Object.entries(clients).map(([name, client]) => [
        name,
        { client, anvil: anvil[name] ? client : undefined, sender: senders[name]! },
      ]),
    ),
  })
  let opstack: Awaited<ReturnType<typeof deployOpStackL1>> | undefined
  if (config.keystore) {
    const l1 = clients.l1!
    if (anvil.l1 && (await installMulticall3(l1))) logger.info('installed Multicall3', { chain: 'l1' })
    opstack = await deployOpStackL1({
      client: l1,
      sender: senders.l1!,
      config,
      anvil: anvil.l1 ? l1 : undefined,
      genesisTimestamp: options.genesisTimestamp === undefined ? undefined : BigInt(options.genesisTimestamp),
      logger,
    })
  }
  const rpcUrls = Object.fromEntries(Object.keys(clients).map((n) => [n, chainRpcUrl(config, n)]))
  // On a devnet (every chain is anvil) the dev key goes into the file for the demo; never otherwise.
  const devnet = Object.values(anvil).every(Boolean)
  const addresses = buildAddresses({
    config,
    rpcUrls,
    deployed,
    accounts: { deployer: account.address },
    deployerPrivateKey: devnet ? (key as `0x${string}`) : undefined,
    opstack,
  })
  const path = options.addresses ?? defaultAddressesPath(config)
  writeAddresses(path, addresses)
  for (const [name, c] of Object.entries(addresses.deployments))
    process.stdout.write(`${name.padEnd(22)} ${c.address}  on ${c.chains.join(', ')}\n`)
  if (opstack) {
    for (const [name, address] of Object.entries(opstack.addresses))
      process.stdout.write(`${name.padEnd(22)} ${address}  on l1\n`)
    process.stdout.write(
      `keystore genesis: L2 block ${opstack.genesis.l2BlockNumber} at ${opstack.genesis.l2Timestamp}, L1 start block ${opstack.genesis.l1StartBlock}\n`,
    )
  }
  process.stdout.write(`addresses written to ${path}\n`)
})
