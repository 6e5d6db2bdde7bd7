export {
  applyGenesisAlloc,
  createKeystoreCommon,
  type GenesisAccount,
  type GenesisAlloc,
  KEYSTORE_CHAIN_ID,
} from './chain.js'
export { JsonRpcError, KeystoreTxRejectedError, type KeystoreTxRejectReason } from './errors.js'
export {
  KeystoreNode,
  type KeystoreNodeHealth,
  type KeystoreNodeParameters,
  type L1SloadReadPredictor,
  type NodeL1Sload,
  type NodePrecompile,
  type StoredBlock,
  type StoredReceipt,
} from './KeystoreNode.js'
export { Mempool, type PendingTx } from './mempool.js'
export { orderedTrieRoot } from './orderedTrie.js'
export { startRpcServer } from './rpcServer.js'
