/**
 * Benchmarks compare our MPT verifier with OP's `SecureMerkleTrie` from
 * @eth-optimism/contracts-bedrock. One of its files (`RLPErrors.sol`) pins `pragma solidity
 * 0.8.15`, and the project compiles with one pinned solc (0.8.30). This step derives the
 * baseline's sources from the installed package at build time into contracts/src/bench/op/
 * (gitignored, never committed), relaxing only that pragma to `^0.8.15`. The code is otherwise
 * byte-for-byte OP's.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const from = join(root, 'node_modules/@eth-optimism/contracts-bedrock/src')
const to = join(root, 'contracts/src/bench/op')
const FILES = [
  'libraries/trie/SecureMerkleTrie.sol',
  'libraries/trie/MerkleTrie.sol',
  'libraries/Bytes.sol',
  'libraries/rlp/RLPReader.sol',
  'libraries/rlp/RLPErrors.sol',
]
for (const file of FILES) {
  const source = readFileSync(join(from, file), 'utf8').replace(
    /pragma solidity 0\.8\.15;/,
    'pragma solidity ^0.8.15;',
  )
  mkdirSync(dirname(join(to, file)), { recursive: true })
  writeFileSync(
    join(to, file),
    `// Derived at build time from @eth-optimism/contracts-bedrock/src/${file}; do not edit.\n${source}`,
  )
}
console.log(`prepare-op-baseline: ${FILES.length} files -> contracts/src/bench/op`)
