/**
 * A real passkey in a real browser: headless Chromium (Debian's `chromium`, driven by
 * playwright-core) with a virtual WebAuthn authenticator (Chrome DevTools Protocol
 * `WebAuthn.addVirtualAuthenticator`: the browser's own WebAuthn stack, only the authenticator
 * hardware is virtual) creates a P-256 passkey in a small page served on localhost and signs a
 * UserOperation hash with `navigator.credentials.get`; the SDK turns the assertion into the struct
 * the wallet contract verifies and checks it as the contract will.
 *
 * Needs /usr/bin/chromium (or KEYSTORE_CHROMIUM): `.ci/run` installs Debian's package. Without
 * it the test is skipped with a warning (under CI=true it fails, unless .ci/run reported that it
 * could not install Chromium).
 */
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Browser, chromium } from 'playwright-core'
import { type Hex, keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  checkWebAuthnAuth,
  encodeWebAuthnAuth,
  parseWebAuthnAssertion,
  passkeyOwner,
  passkeyPublicKeyFromSpki,
} from '../sdk/webauthn.js'

const executablePath = process.env.KEYSTORE_CHROMIUM ?? '/usr/bin/chromium'
const available = existsSync(executablePath)
// Skipped only when there is no Chromium, with a warning; under CI only if .ci/run could not
// install it (it then sets KEYSTORE_SKIP_BROWSER and says so in its output).
if (!available) {
  if (process.env.CI && !process.env.KEYSTORE_SKIP_BROWSER)
    throw new Error(`${executablePath} is missing: .ci/run installs Debian's chromium`)
  console.warn(`passkey browser test skipped: no Chromium at ${executablePath} (apt-get install chromium)`)
}

// The page: create a passkey (ES256, resident, user verification required) and sign a challenge.
const PAGE = `<!doctype html><meta charset="utf-8"><title>passkey</title><script>
const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0))
window.createPasskey = async () => {
  const cred = await navigator.credentials.create({ publicKey: {
    challenge: crypto.getRandomValues(new Uint8Array(32)),
    rp: { id: 'localhost', name: 'keystore wallet' },
    user: { id: crypto.getRandomValues(new Uint8Array(16)), name: 'alice', displayName: 'Alice' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  } })
  return { id: b64(cred.rawId), spki: b64(cred.response.getPublicKey()), alg: cred.response.getPublicKeyAlgorithm() }
}
window.signChallenge = async ({ id, challenge }) => {
  const cred = await navigator.credentials.get({ publicKey: {
    challenge: unb64(challenge), rpId: 'localhost', userVerification: 'required',
    allowCredentials: [{ type: 'public-key', id: unb64(id) }],
  } })
  const r = cred.response
  return { authenticatorData: b64(r.authenticatorData), clientDataJSON: b64(r.clientDataJSON), signature: b64(r.signature) }
}
</script>`

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'))

describe.skipIf(!available)('a passkey in headless Chromium', () => {
  let server: Server
  let browser: Browser
  let url: string

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(PAGE)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    // WebAuthn needs a secure context: http://localhost is one, and is the rpId.
    url = `http://localhost:${(server.address() as AddressInfo).port}/`
    browser = await chromium.launch({
      executablePath,
      headless: true,
      // No sandbox as root; no background traffic to Google's hosts (the network here is closed).
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    server?.close()
  })

  test('creates a passkey, signs a UserOperation hash, and the SDK verifies it as the wallet will', async () => {
    const page = await browser.newPage()
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('WebAuthn.enable')
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    })
    await page.goto(url)
    const created = await page.evaluate(() =>
      (
        globalThis as unknown as { createPasskey(): Promise<{ id: string; spki: string; alg: number }> }
      ).createPasskey(),
    )
    expect(created.alg).toBe(-7) // ES256: P-256 with SHA-256
    const publicKey = passkeyPublicKeyFromSpki(bytes(created.spki))
    expect(passkeyOwner(publicKey)).toMatch(/^0x[0-9a-f]{128}$/)

    const sign = async (challenge: Hex) => {
      const out = await page.evaluate(
        (args) =>
          (
            globalThis as unknown as {
              signChallenge(a: { id: string; challenge: string }): Promise<Record<string, string>>
            }
          ).signChallenge(args),
        { id: created.id, challenge: Buffer.from(challenge.slice(2), 'hex').toString('base64') },
      )
      return parseWebAuthnAssertion({
        authenticatorData: bytes(out.authenticatorData!),
        clientDataJSON: bytes(out.clientDataJSON!),
        signature: bytes(out.signature!),
      })
    }
    const userOpHash = keccak256(toHex('a UserOperation of the keystore wallet'))
    const auth = await sign(userOpHash)
    // What the browser wrote, as the contract will read it.
    expect(JSON.parse(auth.clientDataJSON)).toMatchObject({ type: 'webauthn.get', origin: url.slice(0, -1) })
    expect(
      checkWebAuthnAuth(auth, { challenge: userOpHash, publicKey, requireUserVerification: true }),
    ).toBeUndefined()
    expect(encodeWebAuthnAuth(auth)).toMatch(/^0x/)
    // Bound to this operation and this passkey.
    const other = keccak256(toHex('another operation'))
    expect(checkWebAuthnAuth(auth, { challenge: other, publicKey, requireUserVerification: true })).toBe(
      'challenge',
    )
    const second = await sign(other)
    expect(
      checkWebAuthnAuth(second, { challenge: other, publicKey, requireUserVerification: true }),
    ).toBeUndefined()
    expect(BigInt(`0x${second.authenticatorData.slice(2 + 66, 2 + 74)}`)).toBeGreaterThan(
      BigInt(`0x${auth.authenticatorData.slice(2 + 66, 2 + 74)}`),
    ) // the signature counter moved on
    await page.close()
  }, 60_000)
})
