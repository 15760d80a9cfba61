// SAE variant lp: the study's ReLU with the penalty lambda sum_k f_k^p at one fixed p < 1 (Lp^p): p-annealing's
// penalty without its schedule (Karvonen et al. 2024 anneal p down from 1 because starting below 1 trains
// poorly; this is that ablation). WGSL: lp.wgsl (panneal.wgsl's functions: with no updates, pa_n = 0, every step
// trains at p_start and lambda stays as given). Its p rides on Config.p_start / p_end.
import { z } from 'zod';
import { FLAG } from '../core/wire';
import { panneal } from './panneal';
import type { SaeVariant } from './variant';

/** its wire bit (none of core/wire's FLAG, which test/unit/variants.test.ts checks) */
const LP = 1 << 14;

export const LpSchema = z.object({ p: z.number().gt(0, 'must be > 0').lt(1, 'must be < 1 (p = 1 is relu)').default(0.5) }).strict();

export const lp = {
  name: 'lp',
  summary: 'f = max(pre, 0), penalty sum f^p at a fixed p < 1 (sae.lp.p)',
  wgsl: 'variants/lp.wgsl',
  flag: LP,
  needsK: false,
  matches: (cfg) => (cfg.flags & LP) !== 0,
  section: { key: 'lp', schema: LpSchema },
  wire: (section) => {
    const { p } = LpSchema.parse(section ?? {});
    return { pa_n: 0, p_start: p, p_end: p };
  },
  checks: [
    { name: 'p = 0.5', in: ['fd', 'kernel', 'eval'], cfg: { p_start: 0.5, p_end: 0.5 }, manyModels: true },
    {
      name: 'p = 0.7, ghost grads, pre-bias',
      in: ['fd', 'train'],
      options: FLAG.GHOST | FLAG.PRE_BIAS,
      dead: true,
      cool: 4,
      cfg: { p_start: 0.7, p_end: 0.7 },
    },
  ],
  checkRtol: panneal.checkRtol,
  twin: panneal.twin,
} as const satisfies SaeVariant;
