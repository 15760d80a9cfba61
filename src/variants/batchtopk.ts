// SAE variant batchtopk: pre where pre > 0 and pre >= the batch threshold (the (k B)-th largest max(pre, 0)
// of the batch, from the pre-pass sae_batch_topk.wgsl), L1 penalty. WGSL: batchtopk.wgsl.
import { FLAG } from '../core/wire';
import { L1_TWIN } from './l1';
import type { SaeVariant } from './variant';

export const batchtopk = {
  name: 'batchtopk',
  summary: 'pre where it is among the k B largest of the batch (sae.k; threshold pre-pass), L1 penalty',
  wgsl: 'variants/batchtopk.wgsl',
  flag: FLAG.BATCH_TOPK,
  needsK: true,
  matches: (cfg) => (cfg.flags & FLAG.BATCH_TOPK) !== 0,
  prepass: 'sae_batch_topk.wgsl',
  // the CPU-shaped steps and evaluation find the threshold themselves (lib/batch_threshold.wgsl); v1 / v2 have no such pass
  sharedMisfit: 'it has no BatchTopK threshold pass (the modular path and the CPU-shaped steps have)',
  wide: { select: 'batchtopk', auxk: true },
  checks: [
    { name: 'k = 2 per sample on average', in: ['fd'], k: 2 },
    { name: 'k = 2, ghost grads', in: ['kernel', 'train'], options: FLAG.GHOST, k: 2, rho: 0, manyModels: true },
    { name: 'k = 2', in: ['eval', 'detect', 'probe'], k: 2, manyModels: true },
  ],
  twin: {
    ...L1_TWIN,
    activation: (_cfg, pre, _lp, bthr) => Array.from(pre, (v) => (v > 0 && v >= bthr ? v : 0)),
  },
} as const satisfies SaeVariant;
