export {
  type BedrockArtifact,
  BedrockArtifactError,
  bedrockArtifactsDir,
  bedrockInitCode,
  CONTRACTS_BEDROCK_VERSION,
  loadBedrockArtifact,
  storageSlotOf,
} from './artifacts.js'
export {
  type BuildKeystoreGenesisParameters,
  type BuildKeystoreGenesisReturnType,
  buildKeystoreGenesis,
  GenesisBuildError,
} from './buildKeystoreGenesis.js'
export {
  DEFAULT_GENESIS_CONFIG_PATH,
  type GenesisConfig,
  type GenesisParametersFromConfigReturnType,
  genesisConfigSchema,
  genesisParametersFromConfig,
  loadGenesisConfig,
} from './config.js'
export {
  allocFromGethGenesis,
  type GethGenesis,
  type GethGenesisAccount,
  GethGenesisError,
  type ToGethGenesisParameters,
  toGethGenesis,
  writeGethGenesis,
} from './gethGenesis.js'
export {
  DEFAULT_L2_SENDER,
  type GenesisPredeploy,
  OP_PREDEPLOY_ADDRESSES,
  opPredeploys,
} from './predeploys.js'
