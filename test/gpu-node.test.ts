// GPU-vs-reference checks on the Node WebGPU path (the `webgpu` package, SwiftShader here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkList, runCheck } from '../src/checks';
import { loadShaderSourcesFromDisk } from '../src/gpu/shaders-node';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { formatComparison } from '../src/checks/compare';
import { saeTestSpec } from '../src/kernels/fixtures';
import { dimDefines } from '../src/kernels/defines';
import { GpuSaeTrainer } from '../src/train/sae';
import { evaluateSaes } from '../src/train/evaluate';
import { variantDefines } from '../src/variants';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await acquireNodeDevice(); // throws with the reason if WebGPU cannot start: never skipped
  console.log(`node adapter: ${ctx.adapter.vendor} ${ctx.adapter.architecture} ${ctx.adapter.description}`);
});
afterAll(() => releaseNodeGpu(ctx));

describe('kernel cache', () => {
  it('a kernel compiles once per process: the second request of the same file and defines compiles nothing', async () => {
    const events: string[] = [];
    ctx.compileListener = (e) => events.push(`${e.label} ${e.done ? 'done' : 'start'}`);
    try {
      const before = ctx.compiles.length;
      const a = await ctx.kernel('bench_fma.wgsl', { defines: { ITERS: 3 } });
      const b = await ctx.kernel('bench_fma.wgsl', { defines: { ITERS: 3 } });
      expect(b).toBe(a);
      expect(ctx.compiles.length).toBe(before + 1);
      await ctx.kernel('bench_fma.wgsl', { defines: { ITERS: 5 } }); // another shape: its own compile
      expect(ctx.compiles.length).toBe(before + 2);
      expect(events).toEqual(['bench_fma.wgsl start', 'bench_fma.wgsl done', 'bench_fma.wgsl start', 'bench_fma.wgsl done']);
    } finally {
      ctx.compileListener = null;
    }
  });
});

describe('struct layouts without compiling', () => {
  it("a fused SAE job and the CPU-shaped evaluation pack Config from the shader's reflected layout: sae_forward.wgsl is not compiled", async () => {
    const spec = saeTestSpec({ N: 4, D: 2, S: 4, sets: [2, 2], M: 2, B: 16, T: 4, flags: 0, topk: 0 });
    const layout = ctx.layout('sae_forward.wgsl', { defines: { ...dimDefines(spec.dims), ...variantDefines(spec.cfg) } });
    expect(layout.structMembers('cfg').map((m) => m.name)).toContain('p_onehot');
    const before = ctx.compiles.length;
    const job = await GpuSaeTrainer.create(ctx, spec, { path: 'fused', kernel: 'cpu', kSteps: 2 });
    try {
      await job.train(4);
      await evaluateSaes(ctx, spec, await job.readParams(), 64, 1, { kernel: 'cpu' });
    } finally {
      job.destroy();
    }
    const compiled = ctx.compiles.slice(before).map((c) => c.label);
    expect(compiled.filter((l) => l.startsWith('kernels/sae_eval/cpu'))).toHaveLength(1);
    expect(compiled).not.toContain('sae_forward.wgsl');
  });
});

describe('GPU checks (node)', () => {
  for (const name of Object.keys(checkList(loadShaderSourcesFromDisk()))) {
    it(name, async () => {
      const r = await runCheck(ctx, name);
      for (const c of r.comparisons) console.log(formatComparison(c));
      for (const n of r.notes) console.log(`  ${n}`);
      expect(r.comparisons.filter((c) => !c.pass).map(formatComparison)).toEqual([]);
    });
  }
});
