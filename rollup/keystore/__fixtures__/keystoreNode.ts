/**
 * Child process for the keystore-chain crash test: a sequencing keystore node on a data directory
 * with JSON-RPC; prints `READY <url>` and runs until killed (the test sends SIGKILL).
 * argv: inputsJsonPath l1RpcUrl dataDir
 */
import { readFileSync } from 'node:fs'
import { createDevnetClient, makeChain } from '../../devnet/clients.js'
import { createKeystoreChainNode, type KeystoreChainInputs } from '../keystoreChain.js'

const [inputsPath, l1Url, dataDir] = process.argv.slice(2) as [string, string, string]
const inputs = JSON.parse(readFileSync(inputsPath, 'utf8')) as KeystoreChainInputs
const l1 = createDevnetClient({
  chain: makeChain({ name: 'l1', chainId: 900, rpcUrl: l1Url }),
  pollingIntervalMs: 100,
})
const node = await createKeystoreChainNode({
  ...inputs,
  l1,
  confirmations: 0,
  dataDir,
  produceBlocks: true,
  rpc: { port: 0 },
})
await node.start()
process.stdout.write(`READY ${node.rpcUrl}\n`)
