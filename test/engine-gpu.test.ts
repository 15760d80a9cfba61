// Whole training runs: GPU trainers vs the CPU reference trainers, N steps, parameters compared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { compareArrays, formatComparison } from '../src/reference/compare';
import { defaultConfig, FLAG, saeLayout, toyLayout, type Hyper } from '../src/reference/common';
import { samplerTables } from '../src/data/tables';
import { initSae, initToy } from '../src/models/init';
import { GpuSaeTrainer, GpuToyTrainer } from '../src/train/gpu';
import { RefSaeTrainer, RefToyTrainer } from '../src/train/reference';

let ctx: GpuContext;
beforeAll(async () => { ctx = await acquireNodeDevice(); });
afterAll(() => releaseNodeGpu(ctx));

function saeSpec(o: { N: number; D: number; S: number; sets: number[]; M: number; B: number; T: number; flags: number; cos?: number; rho?: number; p?: number }) {
  const dims = { N: o.N, D: o.D, S: o.S };
  const { tables, tableLen } = samplerTables({ sets: o.sets, rho: o.rho ?? 1, pOnehot: o.p ?? 0 });
  const TL = toyLayout(dims);
  const toyParams = initToy(dims, [7]);
  const hyper: Hyper[] = Array.from({ length: o.M }, (_, m) => ({ lr: [1e-3, 3e-3, 1e-2][m % 3], l1: [0.01, 0.3, 1][m % 3], cos: o.cos ?? 0, seed: 1000 + m }));
  const cfg = defaultConfig({ M: o.M, B: o.B, T: o.T, warmup: Math.floor(o.T / 10), cooldown: Math.floor(o.T / 5), toy_count: 1, table_len: tableLen,
    flags: o.flags, dead_after: 3, ghost_cooldown: 10, hist_len: o.T, log_every: 1, act_stride: TL.REC, act_offset: 0, beta1: 0, beta2: 0.999, eps: 1e-8, rho: o.rho ?? 1, p_onehot: o.p ?? 0 });
  const saeParams = initSae(dims, hyper.map((h) => h.seed), () => Array.from({ length: o.D }, (_, j) => 0.01 * (j + 1)));
  return { dims, sets: o.sets, cfg, hyper, tables, toyParams, saeParams };
}

describe('SAE training: GPU vs reference', () => {
  for (const c of [
    { name: 'study shape d=2 s=4, ghost (quirk), M=6', N: 4, D: 2, S: 4, sets: [2, 2], M: 6, B: 64, T: 50, flags: FLAG.GHOST | FLAG.GHOST_QUIRK },
    { name: 'pre-bias + abs cosine penalty, M=3', N: 4, D: 2, S: 4, sets: [2, 2], M: 3, B: 32, T: 50, flags: FLAG.PRE_BIAS | FLAG.COS_ABS, cos: 1 },
    { name: 'larger d=8 s=16 n=12 three sets, signed cos (pairs), ghost ramp', N: 12, D: 8, S: 16, sets: [4, 4, 4], M: 2, B: 32, T: 30, flags: FLAG.COS_PAIRS | FLAG.GHOST, cos: 0.5, rho: 0.3, p: 0.25 },
  ]) {
    it(c.name, async () => {
      const spec = saeSpec(c);
      const gpu = await GpuSaeTrainer.create(ctx, spec);
      await gpu.train(c.T, { stepsPerSubmit: 25 });
      const ref = new RefSaeTrainer(spec);
      ref.train(c.T);
      const got = await gpu.readParams();
      const cmp = compareArrays(`SAE params after ${c.T} steps`, got, ref.params, { atol: 2e-4, rtol: 2e-3 });
      console.log(formatComparison(cmp));
      const L = saeLayout(spec.dims);
      const lossG = gpu.history.map((r) => r.values[0 * L.HIST_W]);
      const lossR = ref.history.map((r) => r.rows[0]);
      const lc = compareArrays('total loss per step (model 0)', lossG, lossR, { atol: 1e-4, rtol: 1e-3 });
      console.log(formatComparison(lc));
      const lat = await gpu.readLat();
      console.log(`dead latents (gpu/ref): ${[...lat].filter((_, i) => i % 3 === 2).reduce((a, b) => a + b, 0)}/${[...ref.lat].filter((_, i) => i % 3 === 2).reduce((a, b) => a + b, 0)}`);
      expect([...lat]).toEqual([...ref.lat]);
      expect(cmp.pass).toBe(true);
      expect(lc.pass).toBe(true);
      gpu.destroy();
    });
  }
});

describe('toy model training: GPU vs reference', () => {
  it('n=4 d=2, AdamW, M=3, 50 steps', async () => {
    const dims = { N: 4, D: 2 };
    const { tables, tableLen } = samplerTables({ sets: [2, 2], rho: 0, pOnehot: 0.25 });
    const M = 3, T = 50;
    const hyper = Array.from({ length: M }, (_, m) => ({ lr: 1e-2, l1: 0, cos: 0, seed: 50 + m }));
    const spec = { dims, sets: [2, 2], cfg: defaultConfig({ M, B: 100, T, toy_count: M, table_len: tableLen, hist_len: T, weight_decay: 0.01, p_onehot: 0.25 }),
      hyper, tables, importance: new Float32Array(4).fill(1), toyParams: initToy(dims, hyper.map((h) => h.seed)) };
    const gpu = await GpuToyTrainer.create(ctx, spec);
    await gpu.train(T);
    const ref = new RefToyTrainer(spec);
    ref.train(T);
    const cmp = compareArrays('toy params after 50 steps', await gpu.readParams(), ref.params, { atol: 1e-4, rtol: 1e-3 });
    console.log(formatComparison(cmp));
    expect(cmp.pass).toBe(true);
    expect(gpu.history.length).toBe(T);
    gpu.destroy();
  });
});
