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
