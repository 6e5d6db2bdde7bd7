/**
 * Looks up contract artifacts in contracts/generated (produced by `npm run build:contracts`) by
 * contract name. Contracts that are not written yet simply have no artifact: callers skip them.
 */
import type { Abi, Hex } from 'viem'
import * as generated from '../../contracts/generated/index.js'

export type Artifact = { name: string; abi: Abi; bytecode: Hex; deployedBytecode: Hex }

/** `L1Keystore` -> `l1Keystore`, `MPTVerifier` -> `mptVerifier` (the codegen's naming). */
export function artifactPrefix(name: string): string {
  const m = /^[A-Z]+(?=[A-Z][a-z]|\d|$)/.exec(name)
  if (m && m[0].length > 1) return m[0].toLowerCase() + name.slice(m[0].length)
  return name.charAt(0).toLowerCase() + name.slice(1)
}

/**
 * The generated artifact of a contract, or undefined when there is none or it has no bytecode
 * (interfaces, abstract contracts).
 *
 * @example
 * findArtifact('L1Blocks')?.bytecode
 */
export function findArtifact(name: string): Artifact | undefined {
  const modules = generated as Record<string, unknown>
  const prefix = artifactPrefix(name)
  const abi = modules[`${prefix}Abi`] as Abi | undefined
  const bytecode = modules[`${prefix}Bytecode`] as Hex | undefined
  const deployedBytecode = modules[`${prefix}DeployedBytecode`] as Hex | undefined
  if (!abi || !bytecode || bytecode === '0x' || !deployedBytecode) return undefined
  return { name, abi, bytecode, deployedBytecode }
}
