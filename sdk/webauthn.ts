/**
 * Passkeys (WebAuthn, P-256) for keystore wallets: turn an authenticator's assertion into the
 * `WebAuthnAuth` struct that OpenZeppelin's `WebAuthn.verify` (contracts/, issue 4's wallet)
 * checks on chain, check it the same way off chain first, and a software authenticator for tests
 * and scripts (Node). In a person's browser the assertion comes from `navigator.credentials.get`
 * (test/passkey.browser.test.ts drives a real Chromium passkey through it).
 *
 * What the contract checks, and so what is checked here (WebAuthn Level 2 §7.2, the subset a
 * wallet needs): `type` is "webauthn.get" at `typeIndex` of clientDataJSON, `challenge` is the
 * base64url of the signed hash at `challengeIndex`, the authenticator data's user-present flag
 * (and user-verified when required) is set, and the P-256 signature over
 * sha256(authenticatorData ‖ sha256(clientDataJSON)) verifies with a LOW s: OpenZeppelin's P256
 * rejects s > n/2 (malleability), while authenticators return either half, so `s` is normalized.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { p256 } from '@noble/curves/nist.js'
import {
  BaseError,
  bytesToHex,
  concatBytes as concat,
  encodeAbiParameters,
  type Hex,
  hexToBytes,
  pad,
  parseAbiParameters,
  toHex,
} from 'viem'

/** OpenZeppelin `WebAuthn.WebAuthnAuth`, field for field. */
export type WebAuthnAuth = {
  r: Hex
  s: Hex
  challengeIndex: bigint
  typeIndex: bigint
  authenticatorData: Hex
  clientDataJSON: string
}

/** A passkey's public key: the P-256 point (x, y), 32 bytes each; the wallet's 64-byte owner is x ‖ y. */
export type PasskeyPublicKey = { x: Hex; y: Hex }

/** An authenticator's answer to `navigator.credentials.get` (AuthenticatorAssertionResponse), as bytes. */
export type WebAuthnAssertion = {
  authenticatorData: Uint8Array
  clientDataJSON: Uint8Array
  /** ASN.1 DER ECDSA signature, as authenticators return it. */
  signature: Uint8Array
}

/** The assertion is not one a wallet can accept; `reason` says which check failed. */
export class WebAuthnAssertionError extends BaseError {
  override name = 'WebAuthnAssertionError'
  readonly reason: string
  constructor(reason: string, details?: string) {
    super(`Invalid WebAuthn assertion: ${reason}.`, details ? { details } : {})
    this.reason = reason
  }
}

const N = p256.Point.CURVE().n
const FLAG_USER_PRESENT = 0x01
const FLAG_USER_VERIFIED = 0x04

/** base64url without padding, as WebAuthn encodes the challenge in clientDataJSON. */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url')
}

/**
 * Parses an assertion into the on-chain struct: r and low-s from the DER signature, and the
 * positions of `"type":"webauthn.get"` and `"challenge":"…"` in clientDataJSON.
 *
 * @param assertion - the authenticator's response bytes — {@link WebAuthnAssertion}
 * @returns the struct the wallet's signature carries — {@link WebAuthnAuth}
 * @example
 * const auth = parseWebAuthnAssertion({ authenticatorData, clientDataJSON, signature })
 */
export function parseWebAuthnAssertion(assertion: WebAuthnAssertion): WebAuthnAuth {
  let sig: ReturnType<typeof p256.Signature.fromBytes>
  try {
    sig = p256.Signature.fromBytes(assertion.signature, 'der')
  } catch (error) {
    throw new WebAuthnAssertionError('signature is not DER-encoded ECDSA', (error as Error).message)
  }
  if (assertion.authenticatorData.length < 37)
    throw new WebAuthnAssertionError('authenticator data shorter than 37 bytes')
  const clientDataJSON = new TextDecoder('utf-8', { fatal: true }).decode(assertion.clientDataJSON)
  const typeIndex = clientDataJSON.indexOf('"type":"webauthn.get"')
  if (typeIndex < 0) throw new WebAuthnAssertionError('clientDataJSON has no "type":"webauthn.get"')
  const challengeIndex = clientDataJSON.indexOf('"challenge":"')
  if (challengeIndex < 0) throw new WebAuthnAssertionError('clientDataJSON has no challenge')
  const s = sig.s > N / 2n ? N - sig.s : sig.s
  return {
    r: pad(toHex(sig.r)),
    s: pad(toHex(s)),
    // indexOf counts UTF-16 units; the contract counts bytes. clientDataJSON before these keys is
    // ASCII in every browser (`{"type":…` comes first), which the check below makes sure of.
    challengeIndex: BigInt(byteIndex(clientDataJSON, challengeIndex)),
    typeIndex: BigInt(byteIndex(clientDataJSON, typeIndex)),
    authenticatorData: bytesToHex(assertion.authenticatorData),
    clientDataJSON,
  }
}

function byteIndex(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8')
}

/** OpenZeppelin's `WebAuthn.WebAuthnAuth` as an ABI parameter (a tuple). */
export const webAuthnAuthAbi = parseAbiParameters(
  '(bytes32 r, bytes32 s, uint256 challengeIndex, uint256 typeIndex, bytes authenticatorData, string clientDataJSON)',
)

/** ABI encoding of the struct, as the wallet's passkey signature carries it. */
export function encodeWebAuthnAuth(auth: WebAuthnAuth): Hex {
  return encodeAbiParameters(webAuthnAuthAbi, [auth])
}

/**
 * Checks a parsed assertion as the contract will, so a wallet never sends a UserOperation that
 * is bound to fail. Returns the failed check, or undefined when it passes.
 *
 * @param auth - {@link WebAuthnAuth}
 * @param parameters - the signed challenge (the UserOperation hash), the passkey, whether user verification is required
 */
export function checkWebAuthnAuth(
  auth: WebAuthnAuth,
  parameters: { challenge: Hex; publicKey: PasskeyPublicKey; requireUserVerification: boolean },
): string | undefined {
  const json = Buffer.from(auth.clientDataJSON, 'utf8')
  const at = (index: bigint, text: string) =>
    json.subarray(Number(index), Number(index) + text.length).toString('utf8') === text
  if (!at(auth.typeIndex, '"type":"webauthn.get"')) return 'type'
  if (!at(auth.challengeIndex, `"challenge":"${base64url(hexToBytes(parameters.challenge))}"`))
    return 'challenge'
  const authData = hexToBytes(auth.authenticatorData)
  const flags = authData[32] ?? 0
  if ((flags & FLAG_USER_PRESENT) === 0) return 'user-present flag'
  if (parameters.requireUserVerification && (flags & FLAG_USER_VERIFIED) === 0) return 'user-verified flag'
  const s = BigInt(auth.s)
  if (s === 0n || s > N / 2n) return 'high or zero s'
  const digest = sha256(concatBytes(authData, sha256(json)))
  const point = p256.Point.fromAffine({
    x: BigInt(parameters.publicKey.x),
    y: BigInt(parameters.publicKey.y),
  })
  const signature = new p256.Signature(BigInt(auth.r), s)
  const ok = p256.verify(signature.toBytes('compact'), digest, point.toBytes(false), {
    prehash: false,
    lowS: true,
  })
  return ok ? undefined : 'signature'
}

/** The P-256 point of a credential's public key as `getPublicKey()` returns it (SubjectPublicKeyInfo, DER). */
export function passkeyPublicKeyFromSpki(spki: Uint8Array): PasskeyPublicKey {
  // An uncompressed P-256 SPKI ends with 0x04 ‖ x ‖ y; the point is checked to be on the curve.
  const raw = spki.subarray(spki.length - 65)
  if (raw[0] !== 0x04) throw new WebAuthnAssertionError('public key is not an uncompressed P-256 point')
  const point = p256.Point.fromBytes(raw)
  return { x: pad(toHex(point.x)), y: pad(toHex(point.y)) }
}

/** The wallet's 64-byte owner for a passkey: x ‖ y. */
export function passkeyOwner(publicKey: PasskeyPublicKey): Hex {
  return `0x${publicKey.x.slice(2)}${publicKey.y.slice(2)}`
}

/**
 * A software passkey (tests, scripts, servers): a P-256 key in this process answering
 * `get` requests in the byte format a platform authenticator uses (authenticator data with the
 * rpId hash, user-present and user-verified flags and a counter; clientDataJSON as browsers
 * order it; a DER signature with either s). Not for people's wallets: the key is in memory.
 */
export function createSoftwarePasskey(
  parameters: { rpId?: string; origin?: string; privateKey?: KeyObject | Hex } = {},
) {
  const rpId = parameters.rpId ?? 'localhost'
  const origin = parameters.origin ?? `https://${rpId}`
  const key =
    typeof parameters.privateKey === 'string'
      ? createPrivateKey({
          key: {
            kty: 'EC',
            crv: 'P-256',
            d: Buffer.from(hexToBytes(parameters.privateKey)).toString('base64url'),
            ...jwkPoint(p256.getPublicKey(hexToBytes(parameters.privateKey), false)),
          },
          format: 'jwk',
        })
      : (parameters.privateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)
  const jwk = key.export({ format: 'jwk' })
  const publicKey: PasskeyPublicKey = {
    x: bytesToHex(Buffer.from(jwk.x as string, 'base64url')),
    y: bytesToHex(Buffer.from(jwk.y as string, 'base64url')),
  }
  let counter = 0
  return {
    publicKey,
    owner: passkeyOwner(publicKey),
    /** Signs `challenge` (e.g. a UserOperation hash) as `navigator.credentials.get` would. */
    sign(challenge: Hex, options: { userVerified?: boolean } = {}): WebAuthnAssertion {
      counter++
      const flags = FLAG_USER_PRESENT | (options.userVerified === false ? 0 : FLAG_USER_VERIFIED)
      const authenticatorData = concatBytes(
        sha256(Buffer.from(rpId, 'utf8')),
        Uint8Array.of(flags),
        Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff),
      )
      const clientDataJSON = Buffer.from(
        JSON.stringify({
          type: 'webauthn.get',
          challenge: base64url(hexToBytes(challenge)),
          origin,
          crossOrigin: false,
        }),
        'utf8',
      )
      const signature = sign('sha256', concatBytes(authenticatorData, sha256(clientDataJSON)), key)
      return {
        authenticatorData,
        clientDataJSON: new Uint8Array(clientDataJSON),
        signature: new Uint8Array(signature),
      }
    },
  }
}

function jwkPoint(uncompressed: Uint8Array): { x: string; y: string } {
  return {
    x: Buffer.from(uncompressed.subarray(1, 33)).toString('base64url'),
    y: Buffer.from(uncompressed.subarray(33, 65)).toString('base64url'),
  }
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest())
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return concat(parts)
}
