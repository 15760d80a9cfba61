// The reference's backward passes (the kernels' twins) against central finite differences of the
// objectives written directly from docs/science.md §2-4, in f64.
import { describe, expect, it } from 'vitest';
import { defaultConfig, FLAG, paExponents, saeLayout, toyLayout, type GpuConfig, type Hyper } from '../../src/core/wire';
import { saeBatchStats, saeBatchTopkThreshold, saeCosGrad, saeForward, saeGhostConstants, saeGrad, saeObjective } from '../../src/reference/sae';
import { toyForward, toyGrad, toyLossDirect } from '../../src/reference/toy';
import { rngUnit } from '../../src/core/rng';

const rand = (n: number, seed: number, lo = -1, hi = 1) => Float64Array.from({ length: n }, (_, i) => lo + (hi - lo) * rngUnit(seed, 0, 0, i, 0));

function fdCheck(name: string, f: (p: Float64Array) => number, p: Float64Array, analytic: ArrayLike<number>, h = 1e-6, tol = 1e-6, count = p.length) {
  let worst = 0;
  for (let i = 0; i < count; i++) {
    const save = p[i];
    p[i] = save + h;
    const up = f(p);
    p[i] = save - h;
    const dn = f(p);
    p[i] = save;
    const fd = (up - dn) / (2 * h);
    const err = Math.abs(fd - analytic[i]) / Math.max(1, Math.abs(fd));
    worst = Math.max(worst, err);
  }
  console.log(`${name}: ${count} partials, worst |fd - analytic| / max(1, |fd|) = ${worst.toExponential(2)} (tol ${tol})`);
  expect(worst).toBeLessThan(tol);
}

describe('finite differences (f64)', () => {
  it('toy model gradient', () => {
    const dims = { N: 5, D: 3 };
    const L = toyLayout(dims);
    const B = 7;
    const cfg = defaultConfig({ M: 1, B });
    const x = rand(B * dims.N, 1, 0, 1);
    const imp = rand(dims.N, 2, 0.5, 2);
    const p = rand(L.P, 3, -0.8, 0.8);
    const g = toyGrad(cfg, dims, x, toyForward(cfg, dims, x, p, imp));
    fdCheck('toy', (q) => toyLossDirect(dims, q, x, B, imp), p, g);
  });

  // Matryoshka: three nested reconstructions of the 5 latents with unequal weights
  const nested = { ends: [1, 3, 5], weights: [0.5, 0.3, 0.2] };
  const cases: {
    name: string;
    flags: number;
    cos: number;
    dead: boolean;
    cool?: number;
    topk?: number;
    nested?: typeof nested;
    xp?: number;
    pa?: Partial<GpuConfig>;
  }[] = [
    { name: 'plain SAE', flags: 0, cos: 0, dead: false },
    { name: 'pre-encoder bias', flags: FLAG.PRE_BIAS, cos: 0, dead: false },
    { name: 'ghost grads with dead latents + L1 ramp (cooldown)', flags: FLAG.GHOST, cos: 0, dead: true, cool: 4 },
    { name: 'ghost grads, quirk flag, pre-bias', flags: FLAG.GHOST | FLAG.GHOST_QUIRK | FLAG.PRE_BIAS, cos: 0, dead: true, cool: 4 },
    { name: 'cosine penalty |S| (code normalisation)', flags: FLAG.COS_ABS, cos: 0.7, dead: false },
    { name: 'cosine penalty signed S (pairs normalisation)', flags: FLAG.COS_PAIRS, cos: 0.7, dead: false },
    { name: 'decoder orthogonality penalty S^2', flags: FLAG.COS_SQ, cos: 0.7, dead: false },
    { name: 'TopK (k = 2) with ghost grads', flags: FLAG.GHOST, cos: 0, dead: true, topk: 2 },
    { name: 'batch FVU with ghost grads', flags: FLAG.GHOST | FLAG.BATCH_FVU, cos: 0, dead: true },
    { name: 'JumpReLU (all but the thresholds, whose gradient is a straight-through estimate)', flags: FLAG.JUMPRELU, cos: 0, dead: false },
    { name: 'BatchTopK (k = 2 per sample on average)', flags: FLAG.BATCH_TOPK, cos: 0, dead: false, topk: 2 },
    { name: 'TopK with the AuxK dead-latent loss', flags: FLAG.AUXK, cos: 0, dead: true, topk: 2 },
    {
      name: 'Matryoshka (ReLU + L1, 3 nested reconstructions), pre-bias, cosine penalty',
      flags: FLAG.MATRYOSHKA | FLAG.PRE_BIAS | FLAG.COS_ABS,
      cos: 0.7,
      dead: false,
      nested,
    },
    { name: 'Matryoshka with ghost grads', flags: FLAG.MATRYOSHKA | FLAG.GHOST, cos: 0, dead: true, cool: 4, nested },
    { name: 'Matryoshka TopK (k = 2) with AuxK', flags: FLAG.MATRYOSHKA | FLAG.AUXK, cos: 0, dead: true, topk: 2, nested },
    {
      name: 'Matryoshka BatchTopK with AuxK, batch FVU',
      flags: FLAG.MATRYOSHKA | FLAG.BATCH_TOPK | FLAG.AUXK | FLAG.BATCH_FVU,
      cos: 0,
      dead: true,
      topk: 2,
      nested,
    },
    // Gated: r_mag and b_mag (two extra blocks, random, so the magnitude path differs from the gate), the gate's L1,
    // the auxiliary reconstruction through the decoder held at the base point (detached)
    { name: 'Gated (gate L1, auxiliary reconstruction), pre-bias', flags: FLAG.GATED | FLAG.PRE_BIAS, cos: 0, dead: false, xp: 2 },
    { name: 'Gated with ghost grads, L1 ramp, cosine penalty', flags: FLAG.GATED | FLAG.GHOST | FLAG.COS_PAIRS, cos: 0.7, dead: true, cool: 4, xp: 2 },
    // p-annealing at step 6 of updates at 2, 4, 6, 8: p = 0.75 (sum f^0.75, its gradient 0.75 f^-0.25)
    {
      name: 'p-annealing, p = 0.75 (Lp^p penalty)',
      flags: FLAG.PANNEAL,
      cos: 0,
      dead: false,
      pa: { pa_n: 4, pa_start: 2, pa_end: 8, pa_queue: 2, p_start: 1, p_end: 0.25 },
    },
    {
      name: 'p-annealing with ghost grads, pre-bias',
      flags: FLAG.PANNEAL | FLAG.GHOST | FLAG.PRE_BIAS,
      cos: 0,
      dead: true,
      cool: 4,
      pa: { pa_n: 4, pa_start: 2, pa_end: 8, pa_queue: 2, p_start: 1, p_end: 0.25 },
    },
  ];
  for (const c of cases) {
    it(`SAE gradient: ${c.name}`, () => {
      const dims = { D: 3, S: 5, nested: c.nested, xp: c.xp };
      const L = saeLayout(dims);
      const B = 6;
      const cfg: GpuConfig = defaultConfig({
        M: 1,
        B,
        flags: c.flags,
        act_stride: dims.D,
        ghost_cooldown: 10,
        topk: c.topk ?? 0,
        aux_k: 1,
        aux_coef: 0.5,
        ...c.pa,
      });
      const t = c.pa ? 6 : 0;
      const hyper: Hyper = { lr: 1e-3, l1: 0.3, cos: c.cos, seed: 1 };
      const acts = rand(B * dims.D, 10);
      acts.fill(0, 3, 6); // one zero-norm sample
      const p = rand(L.P, 11, -0.7, 0.7);
      const lat = new Uint32Array(dims.S * 3);
      if (c.dead) {
        lat[1 * 3 + 2] = 1;
        lat[3 * 3 + 2] = 1;
      }
      if (c.cool) {
        lat[2 * 3 + 1] = c.cool;
        lat[1 * 3 + 1] = 10;
      }
      const work = saeForward(cfg, dims, [hyper], acts, p, lat, saeBatchStats(cfg, dims, acts), saeBatchTopkThreshold(cfg, dims, acts, p), t);
      const g = saeGrad(cfg, dims, p, work);
      saeCosGrad(cfg, dims, [hyper], p, g);
      const ghost = c.dead ? saeGhostConstants(cfg, dims, p, acts, lat) : undefined;
      if (c.dead) expect(work.some((v, i) => i % L.REC === L.LOSS + 3 && v > 0)).toBe(true);
      if (c.flags & FLAG.JUMPRELU) for (let k = 0; k < dims.S; k++) p[L.XP + k] = Math.log(0.05 + 0.1 * k); // thresholds among the pre-activations
      const g2 =
        c.flags & FLAG.JUMPRELU
          ? (() => {
              const w2 = saeForward(cfg, dims, [hyper], acts, p, lat, saeBatchStats(cfg, dims, acts));
              const gg = saeGrad(cfg, dims, p, w2);
              saeCosGrad(cfg, dims, [hyper], p, gg);
              return gg;
            })()
          : g;
      if (c.flags & FLAG.GATED) {
        const fired = work.filter((_, i) => i % L.REC < dims.S).filter((v) => v > 0).length;
        expect(fired, 'some latents fire through the gate').toBeGreaterThan(0);
      }
      const frozen = Float64Array.from(p); // the detached decoder of an auxiliary reconstruction
      if (c.pa) expect(paExponents(cfg, t)).toEqual({ p: 0.75, next: 0.5, queued: true });
      fdCheck(c.name, (q) => saeObjective(cfg, dims, hyper, q, acts, lat, ghost, frozen, t), p, g2, 1e-6, 1e-6, c.flags & FLAG.JUMPRELU ? L.XP : p.length);
    });
  }
});
