#!/usr/bin/env node
// Keeps package-lock.json valid for `npm ci` when the registry lacks some platform builds.
//
// Foundry and biome ship one optional package per platform (e.g. @foundry-rs/anvil-darwin-arm64).
// The registry this project is developed against lacks some of them, so `npm install` leaves
// them out of the lock and `npm ci` then refuses the lock ("Missing: … from lock file"). This
// script records each missing optional platform package with its `os`/`cpu` (and `libc`), which
// is what `npm ci` needs to skip it on other platforms; where a registry has it, npm fetches it
// by version.
//   node scripts/lockfile-platforms.mjs          # fix the lock (run after `npm install`)
//   node scripts/lockfile-platforms.mjs --check  # fail if the lock needs fixing (npm run lint)
import { readFileSync, writeFileSync } from 'node:fs'

const check = process.argv.includes('--check')
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'))
const packages = lock.packages
const missing = []
for (const entry of Object.values(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`
    if (packages[key]) continue
    const m = /-(linux|darwin|win32|android)-(x64|amd64|arm64)(-musl)?$/.exec(name)
    if (!m) throw new Error(`lockfile-platforms: ${name} is not a platform package I know how to describe`)
    missing.push(name)
    packages[key] = {
      version,
      cpu: [m[2] === 'amd64' ? 'x64' : m[2]],
      optional: true,
      os: [m[1]],
      ...(m[3] ? { libc: ['musl'] } : {}),
    }
  }
}
if (check) {
  if (missing.length) {
    console.error(
      `package-lock.json lacks ${missing.length} optional platform packages (${missing.join(', ')}):`,
    )
    console.error('run `node scripts/lockfile-platforms.mjs` after `npm install`, or `npm ci` will fail.')
    process.exit(1)
  }
  process.exit(0)
}
const sorted = Object.keys(packages).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
lock.packages = Object.fromEntries(sorted.map((k) => [k, packages[k]]))
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`)
console.log(`lockfile-platforms: recorded ${missing.length} optional platform packages`)
