// SAE variant matryoshka-batchtopk: dictionary_learning's and SAELens's Matryoshka BatchTopK SAE (BatchTopK's
// activation and threshold pre-pass, nested reconstructions from sae.matryoshka; AuxK through sae.auxk).
// WGSL: matryoshka-batchtopk.wgsl.
import { FLAG } from '../core/wire';
import { batchtopk } from './batchtopk';
import { MATRYOSHKA_SECTION, matryoshkaGroups } from './matryoshka-groups';
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
} as const satisfies SaeVariant;
