import { generateKeyPairSync } from 'node:crypto'
import { p256 } from '@noble/curves/nist.js'
import { decodeAbiParameters, type Hex, keccak256, toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import {
  checkWebAuthnAuth,
  createSoftwarePasskey,
  encodeWebAuthnAuth,
  parseWebAuthnAssertion,
  passkeyPublicKeyFromSpki,
  WebAuthnAssertionError,
  webAuthnAuthAbi,
} from './webauthn.js'

const N = p256.Point.CURVE().n
const challenge = keccak256(toHex('a UserOperation hash'))

describe('software passkey → WebAuthnAuth', () => {
  test('parses, normalizes s to the low half, and passes every check the contract makes', () => {
    const passkey = createSoftwarePasskey()
    // Sign until both halves of s have been seen: the struct always carries the low one.
    const seen = new Set<boolean>()
    for (let i = 0; i < 64 && seen.size < 2; i++) {
      const assertion = passkey.sign(challenge)
      const raw = p256.Signature.fromBytes(assertion.signature, 'der')
      seen.add(raw.s > N / 2n)
      const auth = parseWebAuthnAssertion(assertion)
      expect(BigInt(auth.s) <= N / 2n).toBe(true)
      expect(BigInt(auth.s)).toBe(raw.s > N / 2n ? N - raw.s : raw.s)
      expect(
        checkWebAuthnAuth(auth, { challenge, publicKey: passkey.publicKey, requireUserVerification: true }),
      ).toBeUndefined()
    }
    expect(seen.size).toBe(2)
  })

  test('each tampering fails the check that guards it', () => {
    const passkey = createSoftwarePasskey()
    const auth = parseWebAuthnAssertion(passkey.sign(challenge))
    const check = (a: typeof auth, c: Hex = challenge, requireUserVerification = true) =>
      checkWebAuthnAuth(a, { challenge: c, publicKey: passkey.publicKey, requireUserVerification })
    expect(check(auth, keccak256(toHex('another operation')))).toBe('challenge')
    expect(check({ ...auth, typeIndex: auth.typeIndex + 1n })).toBe('type')
    expect(check({ ...auth, s: toHex(N - BigInt(auth.s), { size: 32 }) })).toBe('high or zero s')
    const flipped =
      `${auth.authenticatorData.slice(0, -2)}${auth.authenticatorData.endsWith('00') ? '01' : '00'}` as Hex
    expect(check({ ...auth, authenticatorData: flipped })).toBe('signature')
    const other = createSoftwarePasskey()
    expect(
      checkWebAuthnAuth(auth, { challenge, publicKey: other.publicKey, requireUserVerification: true }),
    ).toBe('signature')
    const notVerified = parseWebAuthnAssertion(passkey.sign(challenge, { userVerified: false }))
    expect(check(notVerified)).toBe('user-verified flag')
    expect(check(notVerified, challenge, false)).toBeUndefined()
  })

  test('malformed assertions get a specific error', () => {
    const passkey = createSoftwarePasskey()
    const good = passkey.sign(challenge)
    const bad = (patch: Partial<typeof good>) => () => parseWebAuthnAssertion({ ...good, ...patch })
    expect(bad({ signature: good.signature.subarray(1) })).toThrow(WebAuthnAssertionError)
    expect(bad({ signature: good.signature.subarray(1) })).toThrow(/DER/)
    expect(bad({ authenticatorData: good.authenticatorData.subarray(0, 36) })).toThrow(/37 bytes/)
    const json = (text: string) => bad({ clientDataJSON: new TextEncoder().encode(text) })
    expect(json('{"type":"webauthn.create","challenge":"x"}')).toThrow(/webauthn.get/)
    expect(json('{"type":"webauthn.get"}')).toThrow(/challenge/)
    expect(bad({ clientDataJSON: Uint8Array.of(0xff, 0xfe) })).toThrow()
  })

  test('the ABI encoding decodes back to the struct', () => {
    const auth = parseWebAuthnAssertion(createSoftwarePasskey().sign(challenge))
    const [decoded] = decodeAbiParameters(webAuthnAuthAbi, encodeWebAuthnAuth(auth))
    expect(decoded).toEqual(auth)
  })

  test('a public key from SubjectPublicKeyInfo (what getPublicKey() returns) is the same point', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))
    const jwk = publicKey.export({ format: 'jwk' })
    const point = passkeyPublicKeyFromSpki(spki)
    expect(point.x).toBe(toHex(Buffer.from(jwk.x as string, 'base64url')))
    expect(point.y).toBe(toHex(Buffer.from(jwk.y as string, 'base64url')))
  })

  test('a passkey from a fixed private key is deterministic in its public key (scripts, fixtures)', () => {
    const d = `0x${'11'.repeat(32)}` as Hex
    const a = createSoftwarePasskey({ privateKey: d })
    const b = createSoftwarePasskey({ privateKey: d })
    expect(a.owner).toBe(b.owner)
    expect(a.owner).toBe(toHex(p256.getPublicKey(Buffer.from('11'.repeat(32), 'hex'), false).subarray(1)))
    const auth = parseWebAuthnAssertion(a.sign(challenge))
    expect(
      checkWebAuthnAuth(auth, { challenge, publicKey: b.publicKey, requireUserVerification: true }),
    ).toBeUndefined()
  })
})
