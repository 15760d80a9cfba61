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
  sae: { width: 32, lambda: 1 },
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
    expect(wideSummary(a)).toMatch(/\| MCC \| uniqueness \| explained variance \| L0 \| dead latents \| shrinkage \|/);
    const b = await runWide(ctx, small);
    expect(b.final).toEqual(a.final);
    expect(b.curve).toEqual(a.curve);
  }, 240_000);
});
