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
  type NodePrecompile,
  type StoredBlock,
  type StoredReceipt,
} from './KeystoreNode.js'
export { Mempool, type PendingTx } from './mempool.js'
export { startRpcServer } from './rpcServer.js'
