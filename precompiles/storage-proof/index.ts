/**
 * Storage-proof verification: Merkle-Patricia-trie proofs (EIP-1186 `eth_getProof`), block
 * headers, and viem actions that return only proven values. See README.md.
 *
 * Benchmarks (`./bench.ts`) and proof synthesizers (`./testing/`) are not exported here: they
 * need dev dependencies.
 */

export { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, ZERO_WORD } from './constants.js'
export {
  type BlockHeader,
  type DecodeBlockHeaderErrorType,
  type DecodeBlockHeaderReturnType,
  decodeBlockHeader,
} from './decodeBlockHeader.js'
export {
  type EncodeBlockHeaderErrorType,
  type EncodeBlockHeaderParameters,
  type EncodeBlockHeaderReturnType,
  encodeBlockHeader,
} from './encodeBlockHeader.js'
export {
  BlockHeaderDecodeError,
  type BlockHeaderDecodeErrorType,
  BlockHeaderEncodeError,
  type BlockHeaderEncodeErrorType,
  BlockHeaderHashMismatchError,
  type BlockHeaderHashMismatchErrorType,
  BlockMismatchError,
  type BlockMismatchErrorType,
  ProofClaimMismatchError,
  type ProofClaimMismatchErrorType,
  type ProofInput,
  ProofInputError,
  type ProofInputErrorType,
  ProofNodeDecodeError,
  type ProofNodeDecodeErrorType,
  ProofNodeHashMismatchError,
  type ProofNodeHashMismatchErrorType,
  ProofResponseError,
  type ProofResponseErrorType,
  ProofTrailingNodesError,
  type ProofTrailingNodesErrorType,
  ProofTruncatedError,
  type ProofTruncatedErrorType,
  type ProofType,
  ProofValueEncodingError,
  type ProofValueEncodingErrorType,
  StorageProofError,
  type StorageProofErrorType,
  TrustedAnchorMismatchError,
  type TrustedAnchorMismatchErrorType,
} from './errors.js'
export type { TrustAnchor, VerifiedProof } from './fetchVerifiedProof.js'
export {
  type GetProofForContractErrorType,
  type GetProofForContractParameters,
  type GetProofForContractReturnType,
  getProofForContract,
} from './getProofForContract.js'
export {
  type GetVerifiedStorageErrorType,
  type GetVerifiedStorageParameters,
  type GetVerifiedStorageReturnType,
  getVerifiedStorage,
} from './getVerifiedStorage.js'
export { keccak256, keccakBackend } from './keccak.js'
export { type PackProofErrorType, packProof, unpackProof } from './packProof.js'
export {
  type VerifyAccountProofErrorType,
  type VerifyAccountProofParameters,
  type VerifyAccountProofReturnType,
  verifyAccountProof,
} from './verifyAccountProof.js'
export {
  type VerifyBlockHeaderErrorType,
  type VerifyBlockHeaderParameters,
  type VerifyBlockHeaderReturnType,
  verifyBlockHeader,
} from './verifyBlockHeader.js'
export {
  type VerifyProofErrorType,
  type VerifyProofParameters,
  type VerifyProofReturnType,
  verifyProof,
} from './verifyProof.js'
export {
  type ProofResponse,
  type VerifiedAccount,
  type VerifiedSlot,
  type VerifyProofResponseErrorType,
  type VerifyProofResponseParameters,
  type VerifyProofResponseReturnType,
  verifyProofResponse,
} from './verifyProofResponse.js'
export {
  type VerifyStorageProofErrorType,
  type VerifyStorageProofParameters,
  type VerifyStorageProofReturnType,
  verifyStorageProof,
} from './verifyStorageProof.js'
