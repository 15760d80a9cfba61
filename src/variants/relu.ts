// SAE variant relu (the study's): f = max(pre, 0), L1 penalty. WGSL: relu.wgsl.
import { L1_TWIN } from './l1';
import type { SaeVariant } from './variant';

export const relu = {
  name: 'relu',
  summary: 'f = max(pre, 0), L1 penalty (the study)',
  wgsl: 'variants/relu.wgsl',
  flag: 0,
  needsK: false,
  matches: () => true,
  wide: { select: 'relu', auxk: false },
  // its settings are the runtime options' (ghost grads, pre-bias, the cosine penalties, batch FVU): the checks' own lists
  checks: [],
  twin: {
    ...L1_TWIN,
    activation: (_cfg, pre) => Array.from(pre, (v) => Math.max(v, 0)),
  },
} as const satisfies SaeVariant;
