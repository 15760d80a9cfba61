// The reference's backward passes (the kernels' twins) against central finite differences of the
// objectives written directly from docs/science.md §2-4, in f64.
import { describe, expect, it } from 'vitest';
import { defaultConfig, FLAG, paExponents, saeLayout, toyLayout, type GpuConfig, type Hyper, type RecGroups } from '../../src/core/wire';
import { latentParamsOf, variantChecks, variantOf } from '../../src/variants';
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

  interface FdCase {
    name: string;
    flags: number;
    cos: number;
    dead: boolean;
    cool?: number;
    topk?: number;
    nested?: RecGroups;
    pa?: Partial<GpuConfig>;
    block?: { value(k: number): number; exact: boolean };
  }
  // the runtime options, then every variant's own settings (its record's checks at 'fd')
  const cases: FdCase[] = [
    { name: 'plain SAE', flags: 0, cos: 0, dead: false },
    { name: 'pre-encoder bias', flags: FLAG.PRE_BIAS, cos: 0, dead: false },
    { name: 'ghost grads with dead latents + L1 ramp (cooldown)', flags: FLAG.GHOST, cos: 0, dead: true, cool: 4 },
    { name: 'ghost grads, quirk flag, pre-bias', flags: FLAG.GHOST | FLAG.GHOST_QUIRK | FLAG.PRE_BIAS, cos: 0, dead: true, cool: 4 },
    { name: 'cosine penalty |S| (code normalisation)', flags: FLAG.COS_ABS, cos: 0.7, dead: false },
    { name: 'cosine penalty signed S (pairs normalisation)', flags: FLAG.COS_PAIRS, cos: 0.7, dead: false },
    { name: 'decoder orthogonality penalty S^2', flags: FLAG.COS_SQ, cos: 0.7, dead: false },
    { name: 'batch FVU with ghost grads', flags: FLAG.GHOST | FLAG.BATCH_FVU, cos: 0, dead: true },
    // a variant's extra blocks are random (Gated's r_mag and b_mag: the magnitude path differs from the gate) unless its
    // record gives their values (JumpReLU's thresholds among the pre-activations); an auxiliary reconstruction's
    // detached decoder is held at the base point; p-annealing at step 6 of updates at 2, 4, 6, 8 trains at p = 0.75
    ...variantChecks('fd').map(({ variant: v, check: c, flags, topk, label }) => ({
      name: label,
      flags,
      cos: c.cos ?? 0,
      dead: c.dead ?? false,
      cool: c.cool,
      topk,
      nested: c.nested?.(5),
      pa: c.cfg,
      block: v.fdBlock,
    })),
  ];
  expect(new Set(cases.map((c) => c.name)).size, 'the settings have distinct names').toBe(cases.length);
  for (const c of cases) {
    it(`SAE gradient: ${c.name}`, () => {
      const xp = latentParamsOf(variantOf({ flags: c.flags, topk: c.topk ?? 0 })).length;
      const dims = { D: 3, S: 5, nested: c.nested, xp };
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
      const t = 6;
      const hyper: Hyper = { lr: 1e-3, l1: 0.3, cos: c.cos, seed: 1 };
      const acts = rand(B * dims.D, 10);
      acts.fill(0, 3, 6); // one zero-norm sample
      const p = rand(L.P, 11, -0.7, 0.7);
      if (c.block) for (let k = 0; k < dims.S; k++) p[L.XP + k] = c.block.value(k);
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
      const fired = work.filter((v, i) => i % L.REC < dims.S && v > 0).length;
      expect(fired, 'some latents fire').toBeGreaterThan(0);
      // a setting with p-annealing's Config fields trains below p = 1 at this step, in an update's queue where it anneals
      if (c.pa) {
        const e = paExponents(cfg, t);
        expect(e.p, 'an exponent below 1').toBeLessThan(1);
        if (cfg.pa_n) expect(e.queued, "step 6 is in an update's queue").toBe(true);
      }
      const frozen = Float64Array.from(p); // the detached decoder of an auxiliary reconstruction
      fdCheck(c.name, (q) => saeObjective(cfg, dims, hyper, q, acts, lat, ghost, frozen, t), p, g, 1e-6, 1e-6, c.block && !c.block.exact ? L.XP : p.length);
    });
  }
});
