// SAE variant matryoshka-topk: TopK's per-sample activation (sae.k) with Matryoshka's nested reconstructions
// (sae.matryoshka). Its own files and one list entry: the activation is topk's, the loss is matryoshka's.
// WGSL: matryoshka-topk.wgsl.
import { FLAG } from '../core/wire';
import { MATRYOSHKA_SECTION, matryoshkaGroups } from './matryoshka-groups';
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
} as const satisfies SaeVariant;
