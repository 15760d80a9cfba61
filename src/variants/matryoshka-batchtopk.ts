// SAE variant matryoshka-batchtopk: dictionary_learning's and SAELens's Matryoshka BatchTopK SAE (BatchTopK's
// activation and threshold pre-pass, nested reconstructions from sae.matryoshka; AuxK through sae.auxk).
// WGSL: matryoshka-batchtopk.wgsl.
import { FLAG } from '../core/wire';
import { batchtopk } from './batchtopk';
import { checkGroups, MATRYOSHKA_SECTION, matryoshkaGroups } from './matryoshka-groups';
import type { SaeVariant } from './variant';

export const matryoshkaBatchtopk = {
  ...batchtopk,
  name: 'matryoshka-batchtopk',
  summary: 'BatchTopK (sae.k) with the loss summed over nested prefixes of the latents (sae.matryoshka)',
  wgsl: 'variants/matryoshka-batchtopk.wgsl',
  flag: FLAG.MATRYOSHKA | FLAG.BATCH_TOPK,
  matches: (cfg) => (cfg.flags & FLAG.MATRYOSHKA) !== 0 && (cfg.flags & FLAG.BATCH_TOPK) !== 0,
  section: MATRYOSHKA_SECTION,
  groups: matryoshkaGroups,
  inferenceAs: 'batchtopk',
  checks: [
    { name: 'k = 2, AuxK, batch FVU', in: ['fd'], options: FLAG.AUXK | FLAG.BATCH_FVU, k: 2, dead: true, nested: checkGroups },
    { name: 'k = 2, AuxK', in: ['kernel'], options: FLAG.AUXK, k: 2, nested: checkGroups, manyModels: true },
    { name: 'k = 1', in: ['eval'], k: 1, onehot: 0, nested: (S) => ({ ends: [1, S >> 1, S], weights: [0.4, 0.3, 0.3] }) },
    {
      name: 'k = 2, AuxK, nested 2/4 (weights 1/1)',
      in: ['train'],
      options: FLAG.AUXK,
      k: 2,
      rho: 0,
      nested: (S) => ({ ends: [S >> 1, S], weights: [1, 1] }),
    },
  ],
} as const satisfies SaeVariant;
