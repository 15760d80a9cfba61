// SAE variant topk: max(pre, 0) on the k largest pre-activations of each sample, L1 penalty. WGSL: topk.wgsl.
import { FLAG } from '../core/wire';
import { L1_TWIN } from './l1';
import type { SaeVariant } from './variant';

/** Twin of topk_mask (lib/sae_layout.wgsl): the k largest pre-activations (ties: lowest index); k = 0 or >= S: all. */
export function topkMask(pre: ArrayLike<number>, k: number): boolean[] {
  const S = pre.length;
  if (k === 0 || k >= S) return new Array(S).fill(true);
  const keep = new Array<boolean>(S).fill(false);
  for (let r = 0; r < k; r++) {
    let best = -1,
      bv = -Infinity;
    for (let i = 0; i < S; i++)
      if (!keep[i] && (best < 0 || pre[i] > bv)) {
        best = i;
        bv = pre[i];
      }
    keep[best] = true;
  }
  return keep;
}

export const topk = {
  name: 'topk',
  summary: 'max(pre, 0) on the k largest pre-activations of each sample (sae.k), L1 penalty',
  wgsl: 'variants/topk.wgsl',
  flag: 0,
  needsK: true,
  matches: (cfg) => cfg.topk > 0,
  wide: { select: 'topk', auxk: true },
  checks: [
    { name: 'k = 2, ghost grads', in: ['fd'], options: FLAG.GHOST, k: 2, dead: true },
    { name: 'k = 2, AuxK', in: ['fd', 'kernel', 'train'], options: FLAG.AUXK, k: 2, dead: true, rho: 0 },
    { name: 'k = 2, composed draws only', in: ['eval'], k: 2, onehot: 0 },
    { name: 'k = 2', in: ['detect', 'probe'], k: 2, manyModels: true },
  ],
  twin: {
    ...L1_TWIN,
    activation: (cfg, pre) => {
      const keep = topkMask(pre, cfg.topk);
      return Array.from(pre, (v, k) => (keep[k] ? Math.max(v, 0) : 0));
    },
  },
} as const satisfies SaeVariant;
