/**
 * Compiles a thin harness around OP's `SecureMerkleTrie.get` (contracts-bedrock, unmodified
 * sources from node_modules) with the project's solc-js, for side-by-side gas measurements.
 *
 * Why here and not in forge: contracts-bedrock pins `RLPErrors.sol` to `pragma solidity 0.8.15`,
 * and this project compiles with solc 0.8.30 only (offline). The sources are read as shipped;
 * only that exact pragma is relaxed to `^0.8.15` in the in-memory compiler input.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hex } from 'viem'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const bedrock = join(root, 'node_modules/@eth-optimism/contracts-bedrock')

const HARNESS = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.15;

import { SecureMerkleTrie } from "src/libraries/trie/SecureMerkleTrie.sol";

/// Gas baseline: OP's SecureMerkleTrie.get behind an external function.
contract SecureMerkleTrieBaseline {
    function get(bytes memory key, bytes[] memory proof, bytes32 root) external pure returns (bytes memory) {
        return SecureMerkleTrie.get(key, proof, root);
    }

    /// Gas of the library call alone (after ABI decoding copied the proof to memory).
    function getGas(bytes memory key, bytes[] memory proof, bytes32 root)
        external
        view
        returns (bytes memory value, uint256 gasUsed)
    {
        uint256 before = gasleft();
        value = SecureMerkleTrie.get(key, proof, root);
        gasUsed = before - gasleft();
    }
}
`

export type OpBaseline = { contract: string; compiler: string; settings: unknown; deployedBytecode: Hex }

/**
 * @returns The runtime bytecode of `SecureMerkleTrieBaseline` and how it was compiled.
 * @example
 * const { deployedBytecode } = compileOpBaseline()
 */
export function compileOpBaseline(): OpBaseline {
  const require = createRequire(import.meta.url)
  const solc = require('solc') as { compile(input: string, cb: object): string; version(): string }
  const settings = {
    evmVersion: 'prague',
    optimizer: { enabled: true, runs: 10000 },
    metadata: { bytecodeHash: 'none', appendCBOR: false },
    outputSelection: { '*': { SecureMerkleTrieBaseline: ['evm.deployedBytecode.object'] } },
  }
  const input = {
    language: 'Solidity',
    sources: { 'SecureMerkleTrieBaseline.sol': { content: HARNESS } },
    settings,
  }
  const findImports = (path: string) => {
    try {
      const source = readFileSync(join(bedrock, path), 'utf8')
      return { contents: source.replace(/^pragma solidity 0\.8\.15;/m, 'pragma solidity ^0.8.15;') }
    } catch {
      return { error: `not found: ${path}` }
    }
  }
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts: Record<string, Record<string, { evm: { deployedBytecode: { object: string } } }>>
  }
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const object =
    out.contracts['SecureMerkleTrieBaseline.sol']?.SecureMerkleTrieBaseline?.evm.deployedBytecode.object
  if (!object) throw new Error('SecureMerkleTrieBaseline: no bytecode')
  return {
    contract: 'SecureMerkleTrieBaseline (harness around contracts-bedrock SecureMerkleTrie.get)',
    compiler: `solc ${solc.version()}`,
    settings: { evmVersion: settings.evmVersion, optimizer: settings.optimizer },
    deployedBytecode: `0x${object}`,
  }
}
