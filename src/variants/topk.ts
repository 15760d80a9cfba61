// SAE variant topk: max(pre, 0) on the k largest pre-activations of each sample, L1 penalty. WGSL: topk.wgsl.
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
  twin: {
    ...L1_TWIN,
    activation: (cfg, pre) => {
      const keep = topkMask(pre, cfg.topk);
      return Array.from(pre, (v, k) => (keep[k] ? Math.max(v, 0) : 0));
    },
  },
} as const satisfies SaeVariant;
