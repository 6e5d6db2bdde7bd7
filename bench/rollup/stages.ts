/** The stages `e2e.keystore_to_l2.s` is split into (bench/rollup/e2eKeystore.ts). */
export const E2E_STAGES = [
  ['included', 'included in a keystore-chain block'],
  ['batched', 'its batch on L1 (the node’s safe head)'],
  ['output', 'an output root proposed covering the block'],
  ['proven', 'withdrawal proven on L1 (Relayer)'],
  ['window', 'finalization period over (L1 time)'],
  ['finalized', 'finalized on L1: the value is in L1Keystore'],
  ['l1blocks', 'L1Blocks on l2a and l2b reach that L1 block'],
  ['synced', 'syncKeys proven on l2a and l2b'],
] as const
export type E2EStage = (typeof E2E_STAGES)[number][0]
