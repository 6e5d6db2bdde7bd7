/**
 * Child process for the crash test: a KeystoreNode on a data directory with its JSON-RPC server
 * and slot production; prints `READY <url>` and runs until killed (the test sends SIGKILL).
 * argv: dataDir genesisTimestamp
 */
import { KeystoreNode } from '../KeystoreNode.js'
import { CRASH_STORE, crashAlloc } from './crashAlloc.js'

const [dataDir, genesisTimestamp] = process.argv.slice(2) as [string, string]
const node = await KeystoreNode.create({
  alloc: crashAlloc,
  allowedRecipients: [CRASH_STORE],
  dataDir,
  genesisTimestamp: BigInt(genesisTimestamp),
  blockTime: 1,
  produceBlocks: true,
  rpc: { port: 0 },
})
await node.start()
process.stdout.write(`READY ${node.rpcUrl}\n`)
