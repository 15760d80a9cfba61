// SAE variant jumprelu: f = pre [pre > theta], theta = exp(log_threshold), L0 penalty, straight-through
// threshold gradient (rectangle kernel of width eps = jump_eps). WGSL: jumprelu.wgsl.
import { FLAG } from '../core/wire';
import type { SaeVariant } from './variant';

export const jumprelu = {
  name: 'jumprelu',
  summary: 'pre where pre > theta = exp(log_threshold), L0 penalty, straight-through threshold gradient',
  wgsl: 'variants/jumprelu.wgsl',
  flag: FLAG.JUMPRELU,
  needsK: false,
  matches: (cfg) => (cfg.flags & FLAG.JUMPRELU) !== 0,
  wide: { select: 'jumprelu', auxk: false },
  checks: [
    { name: '', in: ['fd', 'train', 'eval', 'detect', 'probe'], rho: 0 },
    { name: 'ghost grads', in: ['kernel'], options: FLAG.GHOST, manyModels: true },
  ],
  // thresholds among the pre-activations; their gradient is a straight-through estimate, not the objective's
  fdBlock: { value: (k) => Math.log(0.05 + 0.1 * k), exact: false },
  twin: {
    activation: (_cfg, pre, lp) => Array.from(pre, (v, k) => (v > Math.exp(lp[k].xp[0]) ? v : 0)),
    penalised: (f) => (f > 0 ? 1 : 0),
    dpre: ({ f, df }) => (f > 0 ? df : 0),
    // d f / d theta = -(theta/eps) K, d [pre > theta] / d theta = -(1/eps) K; times theta (theta = exp(t))
    dxp: (cfg, _i, { pre, df, pw, lp }) => {
      const theta = Math.exp(lp.xp[0]);
      return Math.abs(pre - theta) < 0.5 * cfg.jump_eps ? theta * (-(theta / cfg.jump_eps) * df - (1 / cfg.jump_eps) * pw) : 0;
    },
  },
} as const satisfies SaeVariant;
