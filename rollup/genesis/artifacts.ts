/**
 * Loads OP-Stack contract artifacts from `@eth-optimism/contracts-bedrock` (its `forge-artifacts/`,
 * compiled by Optimism and shipped in the npm package): the genuine bytecode of the predeploys.
 *
 * Small and local on purpose (rollup/opstack/ loads the L1 side); the two can be merged later.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { type Abi, encodeDeployData, type Hex, isHex } from 'viem'
import { RollupError } from '../shared/errors.js'

/** The contracts-bedrock version whose artifacts (and storage layouts) this code was checked against. */
export const CONTRACTS_BEDROCK_VERSION = '0.17.3'

export type BedrockArtifact = {
  name: string
  abi: Abi
  /** Creation code (constructor included, no arguments). */
  bytecode: Hex
  /** Runtime code (immutables not filled in: run the creation code to get them). */
  deployedBytecode: Hex
  /** solc's storage layout: label → slot/offset, as shipped in the artifact. */
  storageLayout: { storage: { label: string; slot: string; offset: number; type: string }[] }
}

export class BedrockArtifactError extends RollupError {
  override name = 'BedrockArtifactError'
}

const cache = new Map<string, BedrockArtifact>()

/** The `forge-artifacts` directory of the installed @eth-optimism/contracts-bedrock. */
export function bedrockArtifactsDir(): string {
  const require = createRequire(import.meta.url)
  let pkg: string
  try {
    pkg = require.resolve('@eth-optimism/contracts-bedrock/package.json')
  } catch (cause) {
    throw new BedrockArtifactError('@eth-optimism/contracts-bedrock is not installed.', {
      details: `install @eth-optimism/contracts-bedrock@${CONTRACTS_BEDROCK_VERSION} (npm ci)`,
      cause,
    })
  }
  return join(dirname(pkg), 'forge-artifacts')
}

/**
 * The artifact `forge-artifacts/<name>.sol/<name>.json`, validated: creation and runtime code are
 * hex and need no library linking (an unlinked artifact would deploy placeholder addresses).
 *
 * @example
 * const { abi, bytecode } = loadBedrockArtifact('L2CrossDomainMessenger')
 */
export function loadBedrockArtifact(name: string): BedrockArtifact {
  const hit = cache.get(name)
  if (hit) return hit
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new BedrockArtifactError(`Invalid artifact name "${name}".`, { input: name })
  const path = join(bedrockArtifactsDir(), `${name}.sol`, `${name}.json`)
  let json: {
    abi?: unknown
    bytecode?: { object?: unknown; linkReferences?: Record<string, unknown> }
    deployedBytecode?: { object?: unknown; linkReferences?: Record<string, unknown> }
    storageLayout?: BedrockArtifact['storageLayout']
  }
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new BedrockArtifactError(`No contracts-bedrock artifact "${name}".`, { details: path, cause })
  }
  const bytecode = json.bytecode?.object
  const deployedBytecode = json.deployedBytecode?.object
  if (!Array.isArray(json.abi) || !isHex(bytecode) || !isHex(deployedBytecode) || bytecode === '0x')
    throw new BedrockArtifactError(`Malformed contracts-bedrock artifact "${name}".`, {
      details: `${path}: expected abi, bytecode.object and deployedBytecode.object`,
    })
  const links = [json.bytecode?.linkReferences, json.deployedBytecode?.linkReferences]
  if (links.some((l) => l && Object.keys(l).length > 0))
    throw new BedrockArtifactError(`contracts-bedrock artifact "${name}" needs library linking.`, {
      details: 'linked libraries are not supported for predeploys',
    })
  const artifact: BedrockArtifact = {
    name,
    abi: json.abi as Abi,
    bytecode,
    deployedBytecode,
    storageLayout: json.storageLayout ?? { storage: [] },
  }
  cache.set(name, artifact)
  return artifact
}

/**
 * Creation code followed by the ABI-encoded constructor arguments (what a CREATE runs).
 *
 * @example
 * const initCode = bedrockInitCode('L2CrossDomainMessenger') // no constructor arguments
 */
export function bedrockInitCode(name: string, args: readonly unknown[] = []): Hex {
  const { abi, bytecode } = loadBedrockArtifact(name)
  return encodeDeployData({ abi, bytecode, args })
}

/** The slot of a state variable in an artifact's storage layout (e.g. `otherMessenger` → 207). */
export function storageSlotOf(name: string, label: string): { slot: bigint; offset: number } {
  const entry = loadBedrockArtifact(name).storageLayout.storage.find((s) => s.label === label)
  if (!entry) throw new BedrockArtifactError(`${name} has no storage variable "${label}".`)
  return { slot: BigInt(entry.slot), offset: entry.offset }
}
