// The wide engine end to end on the Node WebGPU path (SwiftShader here): a small SynthSAEBench-class preset trained a
// few steps on rows drawn on the GPU, evaluated on fresh rows; the same preset twice gives the same numbers. The
// kernels themselves are judged by the checks ('gemm *', 'wide SAE step', 'train wide SAE', 'wide synth source').
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { getWidePreset, runWide, wideSummary, type WidePreset } from '../src/experiments/wide';
import { type ActivationsConfig, runActivations } from '../src/experiments/wide-activations';
import { openActivations } from '../src/io/activations-node';
import { encodeNpy } from '../src/io/npy';
import { rngUnit } from '../src/core/rng';
import { gpuWideStep, sparseCapacity, wideDecodeFor } from '../src/kernels/wide';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await acquireNodeDevice(); // throws with the reason if WebGPU cannot start: never skipped
});
afterAll(() => releaseNodeGpu(ctx));

const base = getWidePreset('synth-cpu-quick');
/** synth-cpu-quick's generator at 96 features in d = 16, width 32, 4 steps of 256 rows */
const small: WidePreset = {
  ...base,
  name: 'wide-test',
  data: { ...base.data, features: 96, hierarchy: { ...base.data.hierarchy!, roots: 4, branching: 3, depth: 2 } },
  d: 16,
  sae: { variant: 'relu', width: 32, lambda: 1 },
  train: { ...base.train, samples: 1024, batch: 256 },
  evalRows: 512,
};

describe('wide SAE on synthetic rows', () => {
  it('trains, evaluates on fresh rows with finite metrics in their ranges, and repeats bit for bit', async () => {
    const lines: string[] = [];
    const a = await runWide(ctx, small, { onProgress: (l) => lines.push(l) });
    expect(a.steps).toBe(4);
    expect(a.curve.length).toBeGreaterThanOrEqual(4);
    expect(lines.at(-1)).toMatch(/^\[wide-test\] step 4\/4 explained variance -?\d/);
    const f = a.final;
    expect(f.rows).toBe(512);
    expect(f.mcc).toBeGreaterThan(0);
    expect(f.mcc).toBeLessThanOrEqual(1);
    expect(f.uniqueness).toBeGreaterThan(0);
    expect(f.uniqueness).toBeLessThanOrEqual(1);
    expect(Number.isFinite(f.explained_variance)).toBe(true);
    expect(f.l0).toBeGreaterThan(0);
    expect(f.l0).toBeLessThanOrEqual(32);
    expect(f.dead).toBeGreaterThanOrEqual(0);
    expect(f.dead).toBeLessThanOrEqual(32);
    expect(f.shrinkage).toBeGreaterThan(0);
    expect(wideSummary(a)).toMatch(/\| F1 \| precision \| recall \| MCC \| uniqueness \| explained variance \| L0 \| dead latents \| shrinkage \|/);
    for (const v of [f.f1, f.precision, f.recall]) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    const b = await runWide(ctx, small);
    expect(b.final).toEqual(a.final);
    expect(b.curve).toEqual(a.curve);
    // live metrics (the browser page's) leave training and the final evaluation as they were
    const points: number[] = [];
    const c = await runWide(ctx, small, { live: true, onPoint: (pt) => points.push(pt.step) });
    expect(c.final).toEqual(a.final);
    expect(c.curve.map(({ step, explained_variance, l0 }) => ({ step, explained_variance, l0 }))).toEqual(a.curve);
    expect(points).toEqual(a.curve.map((pt) => pt.step));
    for (const pt of c.curve)
      for (const v of [pt.mcc!, pt.f1!]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    expect(c.curve.at(-1)!.mcc).toBeCloseTo(a.final.mcc, 12);
  }, 240_000);

  it('BatchTopK through its record: k per row on average while training, its EMA threshold at evaluation, AuxK on', async () => {
    const p: WidePreset = { ...small, name: 'wide-test-btk', sae: { variant: 'batchtopk', width: 32, lambda: 0, k: 3, auxk: { coef: 1, window: 1 } } };
    const r = await runWide(ctx, p);
    // training batches keep floor(k B) activations in all (fewer only where fewer pre-activations are positive)
    for (const c of r.curve) expect(c.l0).toBeLessThanOrEqual(3);
    expect(r.training.threshold).toBeGreaterThan(0);
    expect(r.final.l0).toBeGreaterThan(0);
    expect(wideSummary(r)).toMatch(/batchtopk, width 32, k = 3, AuxK \(coefficient 1, k_aux 8, dead after 1 steps\)/);
  }, 240_000);

  it('Matryoshka BatchTopK through its record: nested prefixes from its section, trained and evaluated', async () => {
    const p: WidePreset = {
      ...small,
      name: 'wide-test-mat',
      sae: { variant: 'matryoshka-batchtopk', width: 32, lambda: 0, k: 3, auxk: { coef: 1, window: 1 }, matryoshka: { widths: [8, 16, 32], weights: 'sum' } },
    };
    const r = await runWide(ctx, p);
    expect(r.final.l0).toBeGreaterThan(0);
    expect(wideSummary(r)).toMatch(/matryoshka-batchtopk, width 32, k = 3, nested prefixes 8\/16\/32 weighted sum, AuxK/);
    // a prefix that does not end at the width is the record's named error
    await expect(runWide(ctx, { ...p, sae: { ...p.sae, matryoshka: { widths: [8, 16], weights: 'sum' } } })).rejects.toThrow('must end at s = 32');
  }, 240_000);

  it('a variant without a wide recipe, or a TopK SAE without k, is a named error before any work', async () => {
    await expect(runWide(ctx, { ...small, sae: { ...small.sae, variant: 'gated' } })).rejects.toThrow(
      "variant 'gated' does not run on the wide engine yet (it runs: matryoshka-batchtopk, matryoshka-topk, matryoshka, jumprelu, batchtopk, topk, relu)",
    );
    await expect(runWide(ctx, { ...small, sae: { ...small.sae, variant: 'topk' } })).rejects.toThrow("variant 'topk' needs sae.k > 0");
  });

  it('on activations from a file: trains from the shuffle buffer, evaluates the held-out rows, and the exported SAE (scaling folded in) gives the same metrics on raw rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wide-act-'));
    // 600 rows in d = 16: sparse codes over 40 directions plus a bias, scaled x3 so normalisation matters
    const N = 600,
      d = 16,
      n = 40;
    const dict = Array.from({ length: n * d }, (_, i) => Math.sin(i * 12.9898) * 0.5);
    const x = new Float32Array(N * d);
    for (let r = 0; r < N; r++)
      for (let i = 0; i < n; i++)
        if (rngUnit(3, 0, r, i, 0) < 0.1) for (let j = 0; j < d; j++) x[r * d + j] += 3 * (1 + rngUnit(3, 0, r, i, 1)) * dict[i * d + j];
    const path = join(dir, 'acts.npy');
    writeFileSync(path, encodeNpy([N, d], x));
    const f = openActivations(path);
    try {
      const c: ActivationsConfig = {
        sae: { variant: 'batchtopk', width: 32, lambda: 0, k: 4, auxk: { coef: 1, window: 2 } },
        train: { samples: 1280, batch: 128, lr: 3e-3, warmup: 0, cooldown: 0.2 },
        evalRows: 100,
        normalize: 'expected_average_only_in',
        buffer: 256,
        seed: 5,
      };
      const { result, sae: exported } = await runActivations(ctx, f, c);
      const sae = exported();
      expect(result.steps).toBe(10);
      expect(result.final.rows).toBe(100);
      expect(result.scale).toBeGreaterThan(0);
      expect(result.scale).not.toBe(1);
      expect(sae.variant).toBe('jumprelu');
      // the exported SAE on the raw held-out rows, in f64: the same explained variance and L0 as the run's
      const held = f.read(N - 100, 100);
      let sse = 0,
        l0 = 0;
      const mean = new Float64Array(d);
      for (let r = 0; r < 100; r++) for (let j = 0; j < d; j++) mean[j] += held[r * d + j] / 100;
      let sst = 0;
      for (let r = 0; r < 100; r++) {
        const xr = held.subarray(r * d, (r + 1) * d);
        const xh = Float64Array.from(sae.b_dec);
        for (let k = 0; k < 32; k++) {
          let pre = sae.b_enc[k];
          for (let j = 0; j < d; j++) pre += (xr[j] - sae.b_dec[j]) * sae.W_enc[j * 32 + k];
          const on = pre > 0 && pre >= Math.exp(sae.log_threshold[k]) - 1e-6;
          if (on) {
            l0++;
            for (let j = 0; j < d; j++) xh[j] += pre * sae.W_dec[k * d + j];
          }
        }
        for (let j = 0; j < d; j++) {
          sse += (xr[j] - xh[j]) ** 2;
          sst += (xr[j] - mean[j]) ** 2;
        }
      }
      expect(Math.abs(1 - sse / sst - result.final.explained_variance)).toBeLessThan(1e-4);
      expect(l0 / 100).toBeCloseTo(result.final.l0, 6);
    } finally {
      f.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('the sparse decode (the TopK family)', () => {
  it('is the default for the TopK family on this software adapter, dense for ReLU; results record it', async () => {
    expect(wideDecodeFor(ctx.adapter, { select: 'batchtopk', k: 4 })).toBe('sparse');
    expect(wideDecodeFor(ctx.adapter, { select: 'relu' })).toBe('dense');
    expect(wideDecodeFor({ isFallbackAdapter: false, vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100' }, { select: 'topk', k: 4 })).toBe(
      'dense',
    );
    const r = await runWide(ctx, { ...small, sae: { variant: 'topk', width: 32, lambda: 0, k: 3, auxk: { coef: 1, window: 2 } } });
    expect(r.decode).toBe('sparse');
    expect(r.final.l0).toBeLessThanOrEqual(3);
    expect(wideSummary(r)).toMatch(/sparse decode/);
  });

  it('a step whose rows keep more latents than its capacity fails by name (ties at the BatchTopK threshold)', async () => {
    // W_enc = 0 and b_enc = 1: every pre-activation ties at 1, so the batch's threshold keeps all B s of them
    const sh = { B: 64, d: 4, s: 100 };
    const p = {
      w_enc: new Float32Array(sh.d * sh.s),
      b_enc: new Float32Array(sh.s).fill(1),
      w_dec: new Float32Array(sh.s * sh.d).fill(0.1),
      b_dec: new Float32Array(sh.d),
    };
    expect(sparseCapacity(sh, { select: 'batchtopk', k: 2 })).toBeLessThan(sh.B * sh.s);
    await expect(
      gpuWideStep(ctx, 'lanes', sh, p, new Float32Array(sh.B * sh.d).fill(0.5), 0, { select: 'batchtopk', k: 2 }, undefined, 'serial', 'sparse'),
    ).rejects.toThrow(/the sparse decode kept more entries than its capacity/);
    // the dense decode takes the same step
    await expect(
      gpuWideStep(ctx, 'lanes', sh, p, new Float32Array(sh.B * sh.d).fill(0.5), 0, { select: 'batchtopk', k: 2 }, undefined, 'serial', 'dense'),
    ).resolves.toBeDefined();
  });
});
