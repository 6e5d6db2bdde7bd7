/**
 * The keystore chain's proposer (output roots version 0 to L2OutputOracle) and the verifier's
 * output check. See README.md.
 */
export {
  type ComputeOutputRootErrorType,
  type ComputeOutputRootParameters,
  type ComputeOutputRootReturnType,
  computeOutputRoot,
  L2_TO_L1_MESSAGE_PASSER,
  OUTPUT_VERSION_V0,
  OutputRootInputError,
} from './computeOutputRoot.js'
export {
  type FetchOutputRootErrorType,
  type FetchOutputRootParameters,
  type FetchOutputRootReturnType,
  fetchOutputRoot,
  InvalidL2ResponseError,
  L2BlockNotFoundError,
} from './fetchOutputRoot.js'
export {
  type ActiveMismatch,
  type OutputCheck,
  OutputChecker,
  type OutputCheckerHealth,
  type OutputCheckerParameters,
  type OutputMismatch,
  type ProposedOutput,
} from './OutputChecker.js'
export {
  type L1Anchor,
  ProposalRevertedError,
  type ProposeOutcome,
  Proposer,
  type ProposerHealth,
  type ProposerParameters,
  ProposerSetupError,
} from './Proposer.js'
export {
  computeL2Timestamp,
  type OracleState,
  type ReadOracleStateParameters,
  readOracleState,
  revertReason,
} from './readOracleState.js'
