// Every training kernel vs its CPU twin on random inputs (Node WebGPU path), every output compared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_CHECKS, KERNEL_SHAPES } from '../src/checks/kernels';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { formatComparison } from '../src/reference/compare';

let ctx: GpuContext;
beforeAll(async () => { ctx = await acquireNodeDevice(); });
afterAll(() => releaseNodeGpu(ctx));

describe('kernels vs reference (node)', () => {
  for (const name of Object.keys(KERNEL_CHECKS)) {
    it(name, async () => {
      const failed: string[] = [];
      for (const s of KERNEL_SHAPES) {
        for (const c of await KERNEL_CHECKS[name](ctx, s)) {
          console.log(formatComparison(c));
          if (!c.pass) failed.push(formatComparison(c));
        }
      }
      expect(failed).toEqual([]);
    });
  }
});
