// SAE variant gated (Rajamanoharan et al. 2024; dictionary_learning trainers/gdm.py): the gate pre = W_enc hin +
// b_enc decides which latents fire, the magnitude exp(r_mag) (pre - b_enc) + b_mag how much (shared weights);
// the gate's L1, and an auxiliary reconstruction from max(pre, 0) through a detached decoder. WGSL: gated.wgsl.
import { FLAG } from '../core/wire';
import type { LatentParams, SaeVariant } from './variant';

const mag = (pre: number, lp: LatentParams) => Math.exp(lp.xp[0]) * (pre - lp.be) + lp.xp[1];
const dmagOf = (f: number, df: number) => (f > 0 ? df : 0);

export const gated = {
  name: 'gated',
  summary: 'f = [pi_gate > 0] max(pi_mag, 0), pi_mag = exp(r_mag) W_enc hin + b_mag; L1 on max(pi_gate, 0); auxiliary reconstruction',
  wgsl: 'variants/gated.wgsl',
  flag: FLAG.GATED,
  needsK: false,
  matches: (cfg) => (cfg.flags & FLAG.GATED) !== 0,
  // dictionary_learning's GatedAutoEncoder: r_mag and b_mag start at 0 (b_enc, the gate's bias, too)
  latentParams: [
    { name: 'r_mag', init: () => 0 },
    { name: 'b_mag', init: () => 0 },
  ],
  checks: [
    { name: 'pre-bias', in: ['fd'], options: FLAG.PRE_BIAS },
    { name: 'ghost grads, L1 ramp, cosine penalty', in: ['fd'], options: FLAG.GHOST | FLAG.COS_PAIRS, cos: 0.7, dead: true, cool: 4 },
    { name: 'ghost grads, pre-bias', in: ['kernel', 'train'], options: FLAG.GHOST | FLAG.PRE_BIAS, manyModels: true },
    { name: '', in: ['eval', 'detect', 'probe'] },
  ],
  twin: {
    activation: (_cfg, pre, lp) => Array.from(pre, (v, k) => (v > 0 ? Math.max(mag(v, lp[k]), 0) : 0)),
    penalised: (_f, pre) => Math.max(pre, 0),
    dpre: ({ pre, f, df, dfa, pw, lp }) => (pre > 0 ? pw + dfa : 0) + Math.exp(lp.xp[0]) * dmagOf(f, df),
    dxp: (_cfg, i, { pre, f, df, lp }) => (i === 0 ? dmagOf(f, df) * Math.exp(lp.xp[0]) * (pre - lp.be) : dmagOf(f, df)),
    dbe: (dpre, lp, dxp) => dpre - Math.exp(lp.xp[0]) * dxp[1],
    aux: (pre) => Math.max(pre, 0),
  },
} as const satisfies SaeVariant;
