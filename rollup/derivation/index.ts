export {
  applyL1ToL2Alias,
  DEPOSIT_TX_TYPE,
  type DepositLog,
  type DepositTx,
  decodeDepositLog,
  decodeDepositTx,
  depositTxHash,
  encodeDepositTx,
  type FetchDepositsParameters,
  fetchDeposits,
  L1_TO_L2_ALIAS_OFFSET,
  l1InfoDepositSourceHash,
  SOURCE_HASH_DOMAIN,
  TRANSACTION_DEPOSITED_TOPIC,
  undoL1ToL2Alias,
  userDepositSourceHash,
} from './deposits.js'
export {
  DepositDecodeError,
  type DepositDecodeReason,
  DepositFetchError,
  type DepositFetchReason,
} from './errors.js'
export {
  type BuildL1AttributesDepositParameters,
  batcherHashOf,
  buildL1AttributesDeposit,
  L1_ATTRIBUTES_GAS_LIMIT,
} from './l1Attributes.js'
