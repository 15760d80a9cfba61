// The learning-rate schedule (docs/science.md §3) in the reference and in the Adam shader, and decoder normalisation.
import { dimDefines } from '../src/kernels/defines';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKernelOnce } from '../src/checks/kernels';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { defaultConfig, lrFactor, NOT_DIVERGED, saeLayout } from '../src/core/wire';
import { saeNormalize, saeProjectGrad } from '../src/reference/sae';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await acquireNodeDevice();
});
afterAll(() => releaseNodeGpu(ctx));

describe('learning-rate schedule', () => {
  const T = 1000,
    Tw = 100,
    Tc = 200;
  it('reference: first step, end of warmup, constant, cooldown start and last step', () => {
    expect(lrFactor(0, T, Tw, Tc)).toBeCloseTo(1 / Tw, 15);
    expect(lrFactor(Tw - 1, T, Tw, Tc)).toBe(1);
    expect(lrFactor(500, T, Tw, Tc)).toBe(1);
    expect(lrFactor(T - Tc - 1, T, Tw, Tc)).toBe(1);
    expect(lrFactor(T - Tc, T, Tw, Tc)).toBe(1);
    expect(lrFactor(T - Tc + 1, T, Tw, Tc)).toBeCloseTo(1 - 1 / Tc, 15);
    expect(lrFactor(T - 1, T, Tw, Tc)).toBeCloseTo(1 / Tc, 15);
  });
  it('GPU: the Adam step size follows the schedule', async () => {
    // beta1 = 0, zero state, g = 1: v = 1 - beta2, so dp = lr_t * sqrt(1 - beta2^(t+1)) / sqrt(1 - beta2) (eps negligible).
    const steps = [0, Tw - 1, 500, T - Tc, T - Tc + 1, T - 1];
    const M = steps.length,
      P = 1;
    const cfg = defaultConfig({ M, T, warmup: Tw, cooldown: Tc, beta1: 0, beta2: 0.999, eps: 1e-8 });
    // a step index per model is emulated by one dispatch per step value
    for (const [m, t] of steps.entries()) {
      const r = await runKernelOnce(
        ctx,
        'adam.wgsl',
        { ...dimDefines({ N: 1, D: 1, S: 1 }), P_COUNT: P },
        { ...cfg, M: 1 },
        {
          hyper: [{ lr: 0.01, l1: 0, cos: 0, seed: 0 }],
          state: new Uint32Array([t, 0, 0, 0]),
          status: new Uint32Array([NOT_DIVERGED]),
          grads: new Float32Array([1]),
          params: new Float32Array([0]),
          adam: new Float32Array(2),
        },
        ['params'],
        { groups: [1, 1, 1] },
      );
      const dp = -new Float32Array(r.params)[0];
      const bias = Math.sqrt(1 - 0.999 ** (t + 1)) / Math.sqrt(1 - 0.999);
      expect(dp / 0.01 / bias, `step ${t} (model ${m})`).toBeCloseTo(lrFactor(t, T, Tw, Tc), 4);
    }
  });
});

describe('decoder normalisation', () => {
  it('GPU: unit rows after sae_normalize; projected gradient orthogonal to each row', async () => {
    const dims = { N: 4, D: 5, S: 7 },
      M = 3;
    const L = saeLayout(dims);
    const cfg = defaultConfig({ M });
    const params = Float32Array.from({ length: M * L.P }, (_, i) => Math.sin(i * 1.7) * 3);
    const grads = Float32Array.from({ length: M * L.P }, (_, i) => Math.cos(i * 0.3));
    const def = dimDefines(dims);
    const n = await runKernelOnce(ctx, 'sae_normalize.wgsl', def, cfg, { params }, ['params'], { groups: [1, 1, 1] });
    const p = new Float32Array(n.params);
    const g = new Float32Array((await runKernelOnce(ctx, 'sae_project_grad.wgsl', def, cfg, { params: p, grads }, ['grads'], { groups: [1, 1, 1] })).grads);
    let worstNorm = 0,
      worstDot = 0;
    for (let m = 0; m < M; m++)
      for (let k = 0; k < dims.S; k++) {
        const o = m * L.P + L.WD + k * dims.D;
        let sq = 0,
          dot = 0;
        for (let j = 0; j < dims.D; j++) {
          sq += p[o + j] ** 2;
          dot += p[o + j] * g[o + j];
        }
        worstNorm = Math.max(worstNorm, Math.abs(Math.sqrt(sq) - 1));
        worstDot = Math.max(worstDot, Math.abs(dot));
      }
    console.log(`worst |norm - 1| = ${worstNorm.toExponential(2)}, worst |g . w| = ${worstDot.toExponential(2)}`);
    expect(worstNorm).toBeLessThan(1e-6);
    expect(worstDot).toBeLessThan(1e-6);
    // encoder and biases untouched
    for (let m = 0; m < M; m++) for (let q = 0; q < L.WD; q++) expect(p[m * L.P + q]).toBe(params[m * L.P + q]);
    // and the reference agrees in f64
    const rp = Float64Array.from(params);
    saeNormalize(cfg, dims, rp);
    const rg = Float64Array.from(grads);
    saeProjectGrad(cfg, dims, rp, rg);
    for (let i = 0; i < rp.length; i++) {
      expect(Math.abs(rp[i] - p[i])).toBeLessThan(1e-6);
      expect(Math.abs(rg[i] - g[i])).toBeLessThan(1e-5);
    }
  });
});
