/**
 * Generates contracts/test/fixtures/wallet/webauthn.json: one WebAuthn assertion made with
 * node:crypto (P-256, independent of forge's signP256), for KeystoreAccount's passkey tests.
 *
 * The assertion signs sha256(authenticatorData ‖ sha256(clientDataJSON)) as an authenticator
 * does; the challenge is a fixed 32-byte hash (base64url in clientDataJSON), the flags say user
 * present + user verified. s is normalized to the lower half of the curve order (OpenZeppelin's
 * P256 rejects high s). Run: npx tsx scripts/gen-webauthn-fixture.ts (output is deterministic
 * except for the key and signature; the committed file is the reference vector).
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest()
const hex = (b: Buffer) => `0x${b.toString('hex')}`

const challenge = createHash('sha256').update('keystore-rollup webauthn vector').digest()
const authenticatorData = Buffer.concat([
  sha256(Buffer.from('keystore.example')),
  Buffer.from([0x05, 0, 0, 0, 1]),
])
const clientDataJSON = JSON.stringify({
  type: 'webauthn.get',
  challenge: challenge.toString('base64url'),
  origin: 'https://keystore.example',
  crossOrigin: false,
})
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwk = publicKey.export({ format: 'jwk' })
const message = Buffer.concat([authenticatorData, sha256(Buffer.from(clientDataJSON))])
const sig = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' })
let s = BigInt(hex(sig.subarray(32)))
if (s > N / 2n) s = N - s

const fixture = {
  challenge: hex(challenge),
  x: hex(Buffer.from(jwk.x as string, 'base64url')),
  y: hex(Buffer.from(jwk.y as string, 'base64url')),
  r: hex(sig.subarray(0, 32)),
  s: `0x${s.toString(16).padStart(64, '0')}`,
  challengeIndex: clientDataJSON.indexOf('"challenge":'),
  typeIndex: clientDataJSON.indexOf('"type":'),
  authenticatorData: hex(authenticatorData),
  clientDataJSON,
}
const out = join(root, 'contracts/test/fixtures/wallet/webauthn.json')
writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`)
console.log(`gen-webauthn-fixture: ${out}`)
