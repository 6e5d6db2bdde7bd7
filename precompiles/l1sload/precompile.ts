/** Shared by the live and the replay precompile (internal): input, gas and result handling. */
import { EVMError, type ExecResult, type PrecompileFunc, type PrecompileInput } from '@ethereumjs/evm'
import { type Address, concatBytes, type Hex, hexToBytes } from 'viem'
import { L1SLOAD_ADDRESS } from './constants.js'
import { l1SloadGas, parseL1SloadInput } from './parseL1SloadInput.js'

/** The trusted L1 origin: in the node it comes from the L1Blocks predeploy's state. */
export type L1Origin = { number: bigint; stateRoot: Hex }

/** Returns the L1 origin the current block reads at; gets the precompile input (EVM, state). */
export type GetL1Origin = (input: PrecompileInput) => Promise<L1Origin> | L1Origin

/** `{ address, function }`, ready for `createEVM({ customPrecompiles: [it] })`. */
export type L1SloadPrecompile = { address: typeof L1SLOAD_ADDRESS; function: PrecompileFunc }

/** Answers the keys with 32-byte words, in order, or throws `L1SloadUnavailableError`. */
export type ResolveValues = (origin: L1Origin, address: Address, keys: Hex[]) => Promise<Hex[]>

/** All gas consumed, like ethereumjs's own precompiles on bad input or too little gas. */
function exceptionalHalt(gasLimit: bigint, error: ConstructorParameters<typeof EVMError>[0]): ExecResult {
  return { returnValue: new Uint8Array(0), executionGasUsed: gasLimit, exceptionError: new EVMError(error) }
}

export function makeL1SloadPrecompile(getL1Origin: GetL1Origin, resolve: ResolveValues): L1SloadPrecompile {
  const run = async (input: PrecompileInput): Promise<ExecResult> => {
    const parsed = parseL1SloadInput(input.data)
    if (parsed === undefined)
      return exceptionalHalt(input.gasLimit, EVMError.errorMessages.INVALID_INPUT_LENGTH)
    const gas = l1SloadGas(parsed.keys.length)
    // Gas is checked before L1 is asked: a call that cannot pay never triggers a fetch or a witness entry.
    if (input.gasLimit < gas) return exceptionalHalt(input.gasLimit, EVMError.errorMessages.OUT_OF_GAS)
    const origin = await getL1Origin(input)
    const values = await resolve(origin, parsed.address, parsed.keys)
    return { executionGasUsed: gas, returnValue: concatBytes(values.map((v) => hexToBytes(v, { size: 32 }))) }
  }
  return { address: L1SLOAD_ADDRESS, function: run }
}
