// SAE variant matryoshka: the study's ReLU + L1 with Matryoshka's nested reconstructions (Bussmann et al. 2025;
// prefixes and weights: sae.matryoshka, matryoshka-groups.ts). WGSL: matryoshka.wgsl (relu's activation; the
// nested loss is compiled from the job's groups, lib/sae_sample.wgsl).
import { FLAG } from '../core/wire';
import { L1_TWIN } from './l1';
import { checkGroups, MATRYOSHKA_SECTION, matryoshkaGroups } from './matryoshka-groups';
import { relu } from './relu';
import type { SaeVariant } from './variant';

export const matryoshka = {
  name: 'matryoshka',
  summary: 'f = max(pre, 0), L1 penalty, loss summed over nested prefixes of the latents (sae.matryoshka)',
  wgsl: 'variants/matryoshka.wgsl',
  flag: FLAG.MATRYOSHKA,
  needsK: false,
  matches: (cfg) => (cfg.flags & FLAG.MATRYOSHKA) !== 0,
  section: MATRYOSHKA_SECTION,
  groups: matryoshkaGroups,
  inferenceAs: 'relu',
  wide: { select: 'relu', auxk: false },
  checks: [
    { name: 'pre-bias, cosine penalty', in: ['fd'], options: FLAG.PRE_BIAS | FLAG.COS_ABS, cos: 0.7, nested: checkGroups },
    { name: 'ghost grads', in: ['fd'], options: FLAG.GHOST, dead: true, cool: 4, nested: checkGroups },
    { name: 'ghost grads, pre-bias', in: ['kernel'], options: FLAG.GHOST | FLAG.PRE_BIAS, nested: checkGroups },
    { name: '', in: ['eval', 'detect'], nested: checkGroups },
    {
      name: 'nested 1/2/4, uniform weights, ghost grads',
      in: ['train'],
      options: FLAG.GHOST,
      nested: (S) => ({ ends: [1, S >> 1, S], weights: [1 / 3, 1 / 3, 1 / 3] }),
    },
  ],
  twin: { ...L1_TWIN, activation: relu.twin.activation },
} as const satisfies SaeVariant;
