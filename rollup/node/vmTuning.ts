/**
 * Speed-ups of @ethereumjs internals (exact versions pinned in package.json) that change no
 * result, only how often the same work is redone. Measured on the keystore chain's workload
 * (an `updateKey` is ~4,800 EVM steps in 7 messages through OP's messenger): see
 * rollup/node/README.md "Performance". Each is covered by the node's tests (block hashes of a
 * replaying node must equal the sequencer's, historical state, gas estimates).
 */
import type { Common } from '@ethereumjs/common'
import { createEVM } from '@ethereumjs/evm'
import { paramsTx } from '@ethereumjs/tx'

/**
 * `Common.isActivatedEIP` scans an array of ~100 EIP numbers; the EVM asks it several times per
 * step. This answers from a Set built once per activation list (the list object is replaced when
 * the hardfork or EIPs change, so a changed Common gets a new Set).
 */
export function fastEipLookup(common: Common): Common {
  const sets = new WeakMap<number[], Set<number>>()
  let lastList: number[] | undefined
  let lastSet = new Set<number>()
  const c = common as unknown as { _activatedEIPsCache: number[]; isActivatedEIP(eip: number): boolean }
  c.isActivatedEIP = function (this: { _activatedEIPsCache: number[] }, eip: number): boolean {
    const list = this._activatedEIPsCache
    if (list !== lastList) {
      lastSet = sets.get(list) ?? new Set(list)
      sets.set(list, lastSet)
      lastList = list
    }
    return lastSet.has(eip)
  }
  return common
}

/**
 * A Common for decoding transactions: every @ethereumjs/tx constructor copies the Common it is
 * given and re-merges the transaction parameters into the copy (a JSON round trip, ~100 µs per
 * transaction). Transactions never change their Common otherwise, so one prepared copy, shared,
 * gives the same transactions.
 */
export function sharedTxCommon(common: Common): Common {
  const shared = common.copy()
  shared.updateParams(paramsTx)
  const s = shared as unknown as { copy(): Common; updateParams(p: unknown): void }
  s.copy = () => shared
  s.updateParams = () => {}
  return shared
}

type JumpAnalysis = { jumps: Uint8Array; pushes: Record<number, bigint>; opcodesCached: unknown[] }
type InterpreterProto = { _getValidJumpDestinations(this: unknown, code: Uint8Array): JumpAnalysis }

let installed: Promise<void> | undefined
let interpreterProto: InterpreterProto | undefined

/**
 * Caches the interpreter's jump-destination analysis per contract code. The interpreter redoes it
 * for every message that jumps: a pass over the whole code that allocates an entry per byte and a
 * bigint per PUSH (for OP's messenger, ~10 KB per call, several calls per transaction). The result
 * depends only on the code bytes and the EVM's opcode table (per hardfork): it is cached by the
 * identity of both (code arrays come from the state manager's code cache and are never mutated;
 * a code read again from disk is a new array, analysed again). The analysis is read-only
 * afterwards (JUMP checks, PUSH values).
 *
 * The Interpreter class is not exported; its prototype is taken from a live instance, through a
 * custom opcode run once on a throwaway EVM. Process-wide and idempotent.
 */
export function installJumpAnalysisCache(): Promise<void> {
  installed ??= (async () => {
    let proto: InterpreterProto | undefined
    const evm = await createEVM({
      customOpcodes: [
        {
          opcode: 0x21,
          opcodeName: 'CAPTURE',
          baseFee: 0,
          logicFunction: (runState) => {
            proto = Object.getPrototypeOf(runState.interpreter) as InterpreterProto
          },
        },
      ],
    })
    await evm.runCode({ code: Uint8Array.of(0x21, 0x00) })
    if (!proto || typeof proto._getValidJumpDestinations !== 'function')
      throw new Error('@ethereumjs/evm changed: Interpreter._getValidJumpDestinations not found')
    interpreterProto = proto
    const original = proto._getValidJumpDestinations
    const cache = new WeakMap<object, WeakMap<Uint8Array, JumpAnalysis>>()
    proto._getValidJumpDestinations = function (this: unknown, code: Uint8Array): JumpAnalysis {
      const self = this as { _evm: { _opcodeMap: object }; common: Common }
      // EIP-8024 (not in Osaka) makes the analysis depend on more than the opcode table: not cached.
      if (self.common.isActivatedEIP(8024)) return original.call(this, code)
      const table = self._evm._opcodeMap
      let byCode = cache.get(table)
      if (!byCode) {
        byCode = new WeakMap()
        cache.set(table, byCode)
      }
      let analysis = byCode.get(code)
      if (!analysis) {
        analysis = original.call(this, code)
        byCode.set(code, analysis)
      }
      return analysis
    }
  })()
  return installed
}

type OpEntry = {
  opcodeInfo: { code: number; feeBigInt: bigint; dynamicGas: boolean; isAsync: boolean; isInvalid: boolean }
  opHandler: (runState: unknown, common: Common) => void
}
type RunState = {
  code: Uint8Array
  programCounter: number
  opCode: number
  validJumps: Uint8Array
  cachedPushes: Record<number, bigint>
  shouldDoJumpAnalysis: boolean
  eip7928PostTargetCallOog?: unknown
  eip8037BurnLeftoverAfterCreateHaltOntoAlive?: boolean
  gasLeft: bigint
  env: { accessWitness?: unknown }
}
type Interp = {
  _runState: RunState
  _env: { chargeCodeAccesses?: boolean }
  _evm: { DEBUG: boolean; events: { listenerCount(e: string): number }; _opcodeMap: OpEntry[] }
  common: Common
  profilerOpts?: { enabled?: boolean }
  lookupOpInfo(op: number): OpEntry
  runStep(entry?: OpEntry): Promise<void>
  useGas(amount: bigint, context?: unknown): void
  _getValidJumpDestinations(code: Uint8Array): JumpAnalysis
}

let syncInstalled = false
let syncEnabled = true

/** Switches the synchronous step loop off (the original interpreter loop runs) or back on. Tests. */
export function setSyncSteps(enabled: boolean): void {
  syncEnabled = enabled
}

/**
 * Runs an opcode whose gas is static and whose handler is synchronous without the interpreter's
 * per-step `await` (a promise and a microtask per opcode: most of an update's ~4,800 steps are
 * PUSH/DUP/SWAP/JUMP/arithmetic). Every other opcode, EOF code, tracing, profiling and the
 * stateless (verkle) EIPs go through the original code. Measured, not assumed: see
 * rollup/node/README.md "Performance".
 */
export async function installSyncSteps(): Promise<void> {
  await installJumpAnalysisCache()
  if (syncInstalled) return
  const proto = interpreterProto as unknown as {
    run(this: Interp, code: Uint8Array, opts?: { pc?: number }): Promise<unknown>
  }
  const original = proto.run
  proto.run = async function (this: Interp, code: Uint8Array, opts: { pc?: number } = {}) {
    const c = this.common
    if (
      !syncEnabled ||
      (code[0] === 0xef && c.isActivatedEIP(3540)) ||
      this._evm.DEBUG ||
      this._evm.events.listenerCount('step') > 0 ||
      this.profilerOpts?.enabled === true ||
      c.isActivatedEIP(6800) ||
      c.isActivatedEIP(7864) ||
      c.isActivatedEIP(7928) ||
      c.isActivatedEIP(8037)
    )
      return original.call(this, code, opts)
    const rs = this._runState
    rs.code = code
    rs.programCounter = opts.pc ?? rs.programCounter
    const start = rs.programCounter
    if (start !== 0 && (start < 0 || start >= code.length))
      throw new Error('Internal error: program counter not in range')
    let err: unknown
    let cached: OpEntry[] | undefined
    while (rs.programCounter < rs.code.length) {
      const pc = rs.programCounter
      let entry: OpEntry | undefined
      let opCode: number
      if (cached === undefined) {
        opCode = rs.code[pc] as number
        if (opCode === 0x56 || opCode === 0x57 || opCode === 0x5e) {
          const analysis = this._getValidJumpDestinations(rs.code)
          rs.validJumps = analysis.jumps
          rs.cachedPushes = analysis.pushes
          rs.shouldDoJumpAnalysis = false
          cached = analysis.opcodesCached as OpEntry[]
        }
      } else {
        entry = cached[pc] as OpEntry
        opCode = entry.opcodeInfo.code
      }
      rs.opCode = opCode
      try {
        const op = entry ?? this.lookupOpInfo(opCode)
        const info = op.opcodeInfo
        if (
          !info.dynamicGas &&
          !info.isAsync &&
          !info.isInvalid &&
          rs.eip7928PostTargetCallOog === undefined
        ) {
          this.useGas(info.feeBigInt, info)
          rs.programCounter++
          op.opHandler(rs, c)
        } else await this.runStep(entry)
      } catch (e) {
        const error = e as { errorType?: string; error?: string }
        if (error?.errorType !== 'EVMError') throw e
        if (error.error !== 'stop') err = e
        break
      }
    }
    return { runState: rs, exceptionError: err }
  }
  syncInstalled = true
}
