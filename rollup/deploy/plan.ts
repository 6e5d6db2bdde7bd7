/**
 * Turns the `deploy` section of a configuration (contracts, chains, salts, constructor args as
 * data) into a concrete plan: init code, salt and CREATE2 address of every deployment, in
 * dependency order. Addresses are computed, not looked up, so any tool (feeder, demo, tests)
 * knows where everything is from the configuration and the build alone.
 */
import { type AbiParameter, type Address, encodeDeployData, getAddress, type Hex } from 'viem'
import type { Config, DeployArg, Deployment } from '../config/schema.js'
import { type OpStackL1Addresses, planOpStackL1 } from '../opstack/plan.js'
import { type Artifact, findArtifact as defaultFindArtifact } from './artifacts.js'
import { create2Address, DeployError, saltOf } from './create2.js'

export type PlannedDeployment = {
  name: string
  artifact: string
  chains: string[]
  saltLabel: string
  salt: Hex
  args: unknown[]
  initCode: Hex
  address: Address
}

export type SkippedDeployment = { name: string; chains: string[]; reason: string }

export type DeploymentPlan = {
  /** In dependency order (a deployment comes after those it references). */
  deployments: PlannedDeployment[]
  /** Deployments without an artifact yet, or depending on one. */
  skipped: SkippedDeployment[]
}

export type PlanDeploymentsParameters = {
  /** Artifact lookup (default: contracts/generated). */
  findArtifact?: ((name: string) => Artifact | undefined) | undefined
  /**
   * The deployer of the keystore chain's L1 contracts, which `{ opstack: … }` arguments refer to
   * (their addresses depend on it; see rollup/opstack/plan.ts). Default: `accounts.deployer`'s address.
   */
  deployer?: Address | undefined
}

/** The chain names a deployment targets. */
export function deploymentChains(config: Config, deployment: Deployment): string[] {
  if (deployment.chains === 'l1') return ['l1']
  if (deployment.chains === 'l2s') return Object.keys(config.l2s)
  return deployment.chains
}

function convertArg(value: unknown, input: AbiParameter, where: string): unknown {
  const type = input.type
  try {
    if (/^u?int\d*$/.test(type)) {
      if (typeof value === 'boolean') throw new Error('boolean for an integer')
      return BigInt(value as string | number)
    }
    if (type === 'address') return getAddress(String(value))
    if (type === 'bool') {
      if (typeof value !== 'boolean') throw new Error('expected true/false')
      return value
    }
    return value
  } catch (error) {
    throw new DeployError(`Bad constructor argument ${where}.`, {
      details: `${JSON.stringify(value)} is not a valid ${type}: ${(error as Error).message}`,
      input: value,
    })
  }
}

/**
 * Resolves the configuration's deployments.
 *
 * @param config a validated configuration.
 * @returns The plan: deployments with addresses, and the skipped ones with a reason.
 * @throws DeployError on a reference cycle or constructor arguments that do not fit the ABI;
 *   OpStackPlanError when an `{ opstack: … }` argument has no keystore section or deployer.
 * @example
 * const { deployments } = planDeployments(loadConfig())
 * deployments.find((d) => d.name === 'L1Blocks')?.address
 */
export function planDeployments(config: Config, parameters: PlanDeploymentsParameters = {}): DeploymentPlan {
  const find = parameters.findArtifact ?? defaultFindArtifact
  const specs = new Map(config.deploy.contracts.map((d) => [d.name, d]))
  const planned = new Map<string, PlannedDeployment>()
  const skipped = new Map<string, SkippedDeployment>()
  const visiting = new Set<string>()

  const resolve = (name: string): PlannedDeployment | undefined => {
    const done = planned.get(name)
    if (done) return done
    if (skipped.has(name)) return undefined
    const spec = specs.get(name)
    if (!spec) throw new DeployError(`Unknown deployment "${name}".`)
    if (visiting.has(name)) throw new DeployError(`Deployment references form a cycle through ${name}.`)
    visiting.add(name)
    const chains = deploymentChains(config, spec)
    const skip = (reason: string) => {
      skipped.set(name, { name, chains, reason })
      visiting.delete(name)
      return undefined
    }
    const artifactName = spec.artifact ?? spec.name
    const artifact = find(artifactName)
    if (!artifact)
      return skip(
        `no bytecode for ${artifactName} in contracts/generated (not written yet, or run npm run build:contracts)`,
      )
    const ctor = artifact.abi.find((x) => x.type === 'constructor')
    const inputs = ctor && 'inputs' in ctor ? ctor.inputs : []
    if (inputs.length !== spec.args.length)
      throw new DeployError(
        `${name}: constructor takes ${inputs.length} arguments, the configuration gives ${spec.args.length}.`,
        {
          details: `constructor(${inputs.map((i) => `${i.type} ${i.name ?? ''}`.trim()).join(', ')})`,
          input: spec.args,
        },
      )
    const args: unknown[] = []
    for (const [i, arg] of spec.args.entries()) {
      const input = inputs[i]!
      const where = `${i} (${input.name ?? input.type}) of ${name}`
      const raw = resolveArg(arg)
      if (raw === undefined) return skip(`depends on ${(arg as { ref: string }).ref}, which is skipped`)
      args.push(convertArg(raw, input, where))
    }
    const initCode = encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args })
    const saltLabel = spec.salt ?? `${config.deploy.saltPrefix}/${spec.name}`
    const salt = saltOf(saltLabel)
    const deployment: PlannedDeployment = {
      name,
      artifact: artifactName,
      chains,
      saltLabel,
      salt,
      args,
      initCode,
      address: create2Address(salt, initCode),
    }
    visiting.delete(name)
    planned.set(name, deployment)
    return deployment
  }

  let opstack: OpStackL1Addresses | undefined
  const resolveArg = (arg: DeployArg): unknown => {
    if (typeof arg !== 'object') return arg
    if ('ref' in arg) return resolve(arg.ref)?.address
    if ('opstack' in arg) {
      opstack ??= planOpStackL1(config, { deployer: parameters.deployer }).addresses
      return opstack[arg.opstack]
    }
    return config.deploy.params[arg.param]
  }

  for (const spec of config.deploy.contracts) resolve(spec.name)
  return { deployments: [...planned.values()], skipped: [...skipped.values()] }
}
