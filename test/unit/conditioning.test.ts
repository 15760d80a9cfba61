// The training checks' conditioning probe (src/checks/conditioning.ts): a sample whose pre-activation sits
// within rounding of a decision is found, one clear of every decision is not.
import { describe, expect, it } from 'vitest';
import { nearBoundary } from '../../src/checks/conditioning';
import { saeLayout } from '../../src/core/wire';
import { saeTestSpec } from '../../src/kernels/fixtures';

// one model, two samples of d = 2 read straight from acts; latent 0's pre-activation is h0 - h1 + b (scale |h0| + |h1| + |b|),
// latents 1-3 fire far from any decision (pre = 1 + (h0 + h1) / 2 + k / 4)
function probe(b0: number, flags = 0, topk = 0, second = [0.3, 0.3]) {
  const spec = saeTestSpec({ N: 4, D: 2, S: 4, sets: [2, 2], M: 1, B: 2, T: 10, flags, topk });
  const cfg = { ...spec.cfg, act_stride: 2, act_offset: 0 };
  const L = saeLayout(spec.dims);
  const p = Float64Array.from(spec.saeParams);
  p[L.WE] = 1;
  p[L.WE + 1] = -1;
  p[L.BE] = b0;
  for (let k = 1; k < 4; k++) {
    p[L.WE + 2 * k] = 0.5;
    p[L.WE + 2 * k + 1] = 0.5;
    p[L.BE + k] = 1 + k / 4;
  }
  return nearBoundary(cfg, spec.dims, p, Float64Array.from([0.9, 0.2, ...second]));
}

describe('nearBoundary', () => {
  it('finds a ReLU pre-activation within 1e-5 of its scale of 0, and not one beyond', () => {
    // sample 1: h0 - h1 = 0, so latent 0's pre is b0
    expect(probe(0)).toEqual({ m: 0, b: 1, k: 0 });
    expect(probe(1e-7)).toEqual({ m: 0, b: 1, k: 0 });
    expect(probe(-1e-7)).toEqual({ m: 0, b: 1, k: 0 });
    expect(probe(1e-3)).toBeNull();
    expect(probe(-1e-3)).toBeNull();
  });

  it('leaves a pre-activation of exact zeros alone (exact in f32 too)', () => {
    expect(probe(0, 0, 0, [0, 0])).toBeNull();
  });

  it('finds a TopK tie between two latents, and not a clear order', () => {
    // k = 1: latents 1-3 have pre 1.25 + m, 1.5 + m, 1.75 + m (m = mean of h); latent 3 wins clearly
    expect(probe(-5, 0, 1)).toBeNull();
    // latent 0's pre (sample 1: b0) equal to latent 3's (1.75 + 0.3): a tie for the one slot
    expect(probe(2.05, 0, 1)).toEqual({ m: 0, b: 1, k: 0 });
  });
});
