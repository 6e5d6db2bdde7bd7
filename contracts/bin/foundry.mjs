#!/usr/bin/env node
// Runs a Foundry tool (forge, cast, anvil) from its platform package
// (@foundry-rs/<tool>-<os>-<arch>) and exits with the tool's own status.
// The npm packages' `bin` wrappers exit 0 even when the tool fails (seen with forge 1.7.1),
// which would turn failing builds and tests green; this wrapper does not.
// Usage: foundry.mjs <tool> [args...]   (or via the `forge` shim beside this file)
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const ARCH = { x64: 'amd64', arm64: 'arm64' }
const OS = { linux: 'linux', darwin: 'darwin', win32: 'win32' }

export function foundryBinary(tool) {
  const os = OS[process.platform]
  const arch = ARCH[process.arch]
  if (!os || !arch) throw new Error(`Foundry: unsupported platform ${process.platform}/${process.arch}`)
  const pkg = `@foundry-rs/${tool}-${os}-${arch}`
  let dir
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`))
  } catch {
    throw new Error(`Foundry: ${pkg} is not installed (run npm ci)`)
  }
  return join(dir, 'bin', process.platform === 'win32' ? `${tool}.exe` : tool)
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [tool, ...args] = process.argv.slice(2)
  if (!tool) {
    console.error('usage: foundry.mjs <forge|cast|anvil> [args...]')
    process.exit(2)
  }
  const child = spawn(foundryBinary(tool), args, { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)))
}
