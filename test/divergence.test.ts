// NaN/Inf during training stops that model (marked diverged with the step, parameters frozen), not the job.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { saeTestSpec } from '../src/kernels/fixtures';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { FLAG, NOT_DIVERGED, saeLayout } from '../src/core/wire';
import { GpuSaeTrainer } from '../src/train/sae';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await acquireNodeDevice();
});
afterAll(() => releaseNodeGpu(ctx));

it('a diverging model is marked and frozen; the others train as if alone', async () => {
  const spec = saeTestSpec({ N: 4, D: 2, S: 4, sets: [2, 2], M: 3, B: 32, T: 60, flags: FLAG.GHOST });
  spec.hyper[1] = { ...spec.hyper[1], lr: 1e30 };
  const job = await GpuSaeTrainer.create(ctx, spec);
  await job.train(40, { stepsPerSubmit: 10 });
  const status = await job.readStatus();
  const L = saeLayout(spec.dims);
  const p = await job.readParams();
  console.log(`status: ${[...status].map((s) => (s === NOT_DIVERGED ? 'ok' : `diverged at step ${s}`)).join(', ')}`);
  expect(status[0]).toBe(NOT_DIVERGED);
  expect(status[2]).toBe(NOT_DIVERGED);
  expect(status[1]).toBeGreaterThan(0);
  expect(status[1]).toBeLessThan(40);
  // the other models are unaffected: same as a job without the diverging one
  const alone = {
    ...spec,
    cfg: { ...spec.cfg, M: 2 },
    hyper: [spec.hyper[0], spec.hyper[2]],
    saeParams: Float32Array.from([...spec.saeParams.subarray(0, L.P), ...spec.saeParams.subarray(2 * L.P, 3 * L.P)]),
  };
  const job2 = await GpuSaeTrainer.create(ctx, alone);
  await job2.train(40, { stepsPerSubmit: 10 });
  const q = await job2.readParams();
  expect([...p.subarray(0, L.P)]).toEqual([...q.subarray(0, L.P)]);
  expect([...p.subarray(2 * L.P, 3 * L.P)]).toEqual([...q.subarray(L.P, 2 * L.P)]);
  // frozen: 20 more steps leave the diverged model's parameters bit for bit as they were
  const bits = (a: Float32Array) => [...new Uint32Array(a.buffer.slice(a.byteOffset + L.P * 4, a.byteOffset + 2 * L.P * 4))];
  await job.train(20, { stepsPerSubmit: 10 });
  expect(bits(await job.readParams())).toEqual(bits(p));
  job.destroy();
  job2.destroy();
});
