// GPU timing: timestamp queries around one compute pass when the adapter has them, else wall clock
// around submit + onSubmittedWorkDone. Warm-up runs are excluded; the median of several runs is kept.
// `repeat` records the work that many times inside the one pass (one pair of timestamps around all of
// them) and reports the time per repetition: short kernels then last many timer quanta.
import type { GpuContext } from '../gpu/context';

export interface Timing {
  ms: number;
  method: 'timestamp' | 'wall';
  runs: number[];
}

export async function timePass(
  ctx: GpuContext,
  record: (pass: GPUComputePassEncoder) => void,
  opts: { warmup?: number; runs?: number; repeat?: number } = {},
): Promise<Timing> {
  const warmup = opts.warmup ?? 1,
    runs = opts.runs ?? 5,
    repeat = opts.repeat ?? 1;
  const dev = ctx.device;
  const ts = ctx.hasTimestamps;
  const qs = ts ? dev.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const resolve = ts ? dev.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }) : null;
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      ctx.checkHealthy();
      const enc = dev.createCommandEncoder();
      const pass = enc.beginComputePass(qs ? { timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
      for (let r = 0; r < repeat; r++) record(pass);
      pass.end();
      if (qs && resolve) enc.resolveQuerySet(qs, 0, 2, resolve, 0);
      const t0 = performance.now();
      dev.queue.submit([enc.finish()]);
      await dev.queue.onSubmittedWorkDone();
      const wall = performance.now() - t0;
      let ms = wall;
      if (resolve) {
        const [b] = await ctx.readback([resolve], [16]);
        const v = new BigUint64Array(b);
        const ns = Number(v[1] - v[0]);
        if (ns > 0) ms = ns / 1e6;
      }
      if (i >= warmup) times.push(ms / repeat);
    }
  } finally {
    qs?.destroy();
    resolve?.destroy();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { ms: sorted[Math.floor(sorted.length / 2)], method: ts ? 'timestamp' : 'wall', runs: times };
}
