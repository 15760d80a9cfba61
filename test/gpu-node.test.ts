// GPU-vs-reference checks on the Node WebGPU path (the `webgpu` package, SwiftShader here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkList, runCheck } from '../src/checks';
import { loadShaderSourcesFromDisk } from '../src/gpu/shaders-node';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { formatComparison } from '../src/checks/compare';

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
