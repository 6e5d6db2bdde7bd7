/**
 * chain — runs one chain of a configuration on anvil (block time, chain id, OP mode from the
 * configuration), until SIGINT/SIGTERM. docker-compose runs one per container.
 *
 *   tsx scripts/chain.ts --chain l2a [--host 0.0.0.0] [--port 8545]
 */
import { Option } from 'commander'
import { loadConfig } from '../rollup/config/load.js'
import { startAnvil } from '../rollup/devnet/anvil.js'
import { RollupError } from '../rollup/shared/errors.js'
import {
  type CommonOptions,
  createCommand,
  loggerFor,
  parseInteger,
  runMain,
  stopOnSignals,
} from './lib/cli.js'

type Options = CommonOptions & { chain: string; host: string; port?: number; blockTime?: number }

const program = createCommand('chain', 'Run one chain of the configuration on anvil.')
  .addOption(
    new Option('--chain <name>', 'chain name (l1, l2a, …)').env('DEVNET_CHAIN').makeOptionMandatory(),
  )
  .addOption(new Option('--host <address>', 'listen address').env('DEVNET_HOST').default('127.0.0.1'))
  .addOption(
    new Option('--port <port>', "override the chain's port").env('DEVNET_PORT').argParser(parseInteger),
  )
  .addOption(
    new Option('--block-time <seconds>', "override the chain's block time")
      .env('DEVNET_BLOCK_TIME')
      .argParser(Number),
  )

runMain(async () => {
  const options = program.parse().opts<Options>()
  const logger = loggerFor(options)
  const config = loadConfig(options.config)
  const chain = options.chain === 'l1' ? config.l1 : config.l2s[options.chain]
  if (!chain) throw new RollupError(`Unknown chain "${options.chain}".`)
  const port = options.port ?? chain.port
  if (port === undefined) throw new RollupError(`Chain ${options.chain} has no port; pass --port.`)
  const anvil = await startAnvil({
    name: options.chain,
    chainId: chain.chainId,
    port,
    host: options.host,
    blockTime: options.blockTime ?? chain.blockTime,
    optimism: options.chain !== 'l1' && (config.l2s[options.chain]?.optimism ?? true),
    logger,
  })
  logger.info('chain running', {
    chain: options.chain,
    chainId: chain.chainId,
    rpcUrl: anvil.rpcUrl,
    pid: anvil.pid,
  })
  stopOnSignals(() => anvil.stop(), logger)
})
