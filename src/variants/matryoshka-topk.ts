// SAE variant matryoshka-topk: TopK's per-sample activation (sae.k) with Matryoshka's nested reconstructions
// (sae.matryoshka). Its own files and one list entry: the activation is topk's, the loss is matryoshka's.
// WGSL: matryoshka-topk.wgsl.
import { FLAG } from '../core/wire';
import { checkGroups, MATRYOSHKA_SECTION, matryoshkaGroups } from './matryoshka-groups';
import { topk } from './topk';
import type { SaeVariant } from './variant';

export const matryoshkaTopk = {
  ...topk,
  name: 'matryoshka-topk',
  summary: 'TopK per sample (sae.k) with the loss summed over nested prefixes of the latents (sae.matryoshka)',
  wgsl: 'variants/matryoshka-topk.wgsl',
  flag: FLAG.MATRYOSHKA,
  matches: (cfg) => (cfg.flags & FLAG.MATRYOSHKA) !== 0 && (cfg.flags & FLAG.BATCH_TOPK) === 0 && cfg.topk > 0,
  section: MATRYOSHKA_SECTION,
  groups: matryoshkaGroups,
  inferenceAs: 'topk',
  checks: [
    { name: 'k = 2, AuxK', in: ['fd'], options: FLAG.AUXK, k: 2, dead: true, nested: checkGroups },
    { name: 'k = 2, AuxK, nested 1/4 (weights 0.5/1)', in: ['train'], options: FLAG.AUXK, k: 2, nested: (S) => ({ ends: [1, S], weights: [0.5, 1] }) },
  ],
} as const satisfies SaeVariant;
