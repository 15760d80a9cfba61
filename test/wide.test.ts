// The wide engine end to end on the Node WebGPU path (SwiftShader here): a small SynthSAEBench-class preset trained a
// few steps on rows drawn on the GPU, evaluated on fresh rows; the same preset twice gives the same numbers. The
// kernels themselves are judged by the checks ('gemm *', 'wide SAE step', 'train wide SAE', 'wide synth source').
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { getWidePreset, runWide, wideSummary, type WidePreset } from '../src/experiments/wide';

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
      "variant 'gated' does not run on the wide engine yet (it runs: matryoshka-batchtopk, matryoshka-topk, matryoshka, batchtopk, topk, relu)",
    );
    await expect(runWide(ctx, { ...small, sae: { ...small.sae, variant: 'topk' } })).rejects.toThrow("variant 'topk' needs sae.k > 0");
  });
});
