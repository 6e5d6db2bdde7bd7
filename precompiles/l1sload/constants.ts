/** RIP-7728 constants, as DESIGN §4 states them. */

/** The precompile's address (RIP-7728, in the EIP-7587 RIP range). */
export const L1SLOAD_ADDRESS = '0x0000000000000000000000000000000000000101' as const
/** Charged once per call. */
export const L1SLOAD_FIXED_GAS = 2000n
/** Charged per storage key. */
export const L1SLOAD_PER_KEY_GAS = 2000n
/** Keys one call may read. */
export const L1SLOAD_MAX_KEYS = 5
