export { L1BlockNotAvailableError, SyncStaleBlockError, SyncTransactionRevertedError } from './errors.js'
export { keystoreKeySlot, walletImplementationSlot } from './keySlot.js'
export {
  type SyncKeysErrorType,
  type SyncKeysParameters,
  type SyncKeysReturnType,
  syncKeys,
} from './syncKeys.js'
export { type WaitForL1BlockParameters, waitForL1Block } from './waitForL1Block.js'
export {
  base64url,
  checkWebAuthnAuth,
  createSoftwarePasskey,
  encodeWebAuthnAuth,
  type PasskeyPublicKey,
  parseWebAuthnAssertion,
  passkeyOwner,
  passkeyPublicKeyFromSpki,
  type WebAuthnAssertion,
  WebAuthnAssertionError,
  type WebAuthnAuth,
  webAuthnAuthAbi,
} from './webauthn.js'
