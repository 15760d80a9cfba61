// The benchmark: the adapter's FMA peak, every training kernel's time per dispatch, training
// throughput (model-steps/s) of the modular path, the fused step (K = 1) and the K-step path for
// M = 1, 25, 125, the CPU reference on the same work, and an end-to-end study run. Every figure is
// printed with its ratio to a baseline measured in the same run.
import type { GpuContext } from '../gpu/context';
import { saeTestSpec, STUDY_SHAPE } from '../kernels/fixtures';
import { FLAG } from '../core/wire';
import { GpuSaeTrainer } from '../train/gpu';
import { RefSaeTrainer } from '../reference/trainer';
import { timeAsync, timePass } from './timing';

export interface BenchLine { name: string; value: number; unit: string; ratio: number | null; baseline: string; note?: string }


/** Estimated flops of one SAE training step per sample (toy forward, SAE forward + backward, elementwise). */
export function flopsPerSample(n: number, d: number, s: number): number {
  return 2 * n * d + 4 * s * d + 6 * s * d + 10 * (s + d);
}

export async function peakGflops(ctx: GpuContext): Promise<{ gflops: number; ms: number; method: string }> {
  const iters = 4096, groups = 256;
  const k = await ctx.kernel('bench_fma.wgsl', { defines: { ITERS: iters } });
  const out = ctx.createBuffer('fma out', groups * 64 * 4);
  const g = k.bind({ out });
  const t = await timePass(ctx, (pass) => k.dispatch(pass, g, groups), { warmup: 1, runs: 5 });
  const v = await ctx.readF32(out, 4);
  out.destroy();
  if (!v.every(Number.isFinite)) throw new Error('bench_fma produced non-finite values');
  return { gflops: (groups * 64 * iters * 64) / (t.ms * 1e6), ms: t.ms, method: t.method };
}

export async function runBench(ctx: GpuContext, opts: { log: (l: BenchLine) => void; quick?: boolean }): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const emit = (l: BenchLine) => { lines.push(l); opts.log(l); };
  const peak = await peakGflops(ctx);
  emit({ name: 'adapter peak (FMA kernel)', value: peak.gflops, unit: 'GFLOP/s', ratio: 1, baseline: 'itself', note: `${peak.method} timing` });

  // --- every modular kernel at the study shape, M = 125, B = 1024
  const { N, D, S } = STUDY_SHAPE;
  const M = 125, B = opts.quick ? 256 : 1024;
  const spec = saeTestSpec({ ...STUDY_SHAPE, M, B, T: 100000, flags: FLAG.GHOST | FLAG.GHOST_QUIRK });
  spec.cfg.log_every = 100; spec.cfg.hist_len = 100;
  const mod = await GpuSaeTrainer.create(ctx, spec, { path: 'modular' });
  await mod.train(2, { stepsPerSubmit: 2 });
  const perSampleFlops = flopsPerSample(N, D, S);
  let stepMs = 0;
  const kernelTimes: { name: string; ms: number; method: string }[] = [];
  for (const o of mod.ops) {
    const t = await timePass(ctx, (pass) => mod.dispatchOp(pass, o), { runs: 5 });
    stepMs += t.ms;
    kernelTimes.push({ name: o.kernel.name, ms: t.ms, method: t.method });
  }
  for (const k of kernelTimes) {
    emit({ name: `kernel ${k.name} (M=${M}, B=${B})`, value: k.ms, unit: 'ms/dispatch', ratio: k.ms / stepMs, baseline: 'modular step (sum of kernels)', note: k.method });
  }
  mod.destroy();

  // --- throughput: model-steps/s
  const results: Record<string, number> = {};
  for (const m of [1, 25, 125]) {
    const sp = saeTestSpec({ ...STUDY_SHAPE, M: m, B, T: 100000, flags: FLAG.GHOST | FLAG.GHOST_QUIRK });
    sp.cfg.log_every = 100; sp.cfg.hist_len = 100;
    for (const [label, path, k] of [['modular', 'modular', 1], ['fused step (K=1)', 'fused', 1], ['K-step (K=50)', 'fused', 50]] as const) {
      const job = await GpuSaeTrainer.create(ctx, sp, { path, kSteps: k });
      const steps = 100;
      await job.train(k, { stepsPerSubmit: k });
      const ms = await timeAsync(() => job.train(steps, { stepsPerSubmit: 100 }), { warmup: 0, runs: 1 });
      job.destroy();
      const rate = (m * steps) / (ms / 1000);
      results[`${label}@${m}`] = rate;
      const base = results[`modular@${m}`];
      const gflops = rate * B * perSampleFlops / 1e9;
      emit({ name: `train ${label}, M=${m}, B=${B}`, value: rate, unit: 'model-steps/s', ratio: rate / base, baseline: `modular M=${m}`, note: `${gflops.toFixed(3)} GFLOP/s est. = ${(gflops / peak.gflops * 100).toFixed(1)} % of peak` });
    }
    if (m <= 25) {
      const ref = new RefSaeTrainer(sp);
      const refSteps = m === 1 ? 20 : 3;
      const ms = await timeAsync(() => ref.train(refSteps), { warmup: 0, runs: 1 });
      const rate = (m * refSteps) / (ms / 1000);
      emit({ name: `CPU reference, M=${m}, B=${B}`, value: rate, unit: 'model-steps/s', ratio: rate / results[`modular@${m}`], baseline: `modular M=${m}` });
    }
  }
  const kstep = results['K-step (K=50)@125'], modular = results['modular@125'];
  emit({ name: 'K-step vs modular at M=125 (target >= 10x)', value: kstep / modular, unit: 'x', ratio: kstep / modular, baseline: 'modular M=125' });
  const frac = kstep * B * perSampleFlops / 1e9 / peak.gflops;
  emit({ name: 'K-step SAE step, fraction of adapter peak (target >= 50 %)', value: frac * 100, unit: '%', ratio: frac, baseline: 'FMA peak' });
  emit({ name: 'modular step, sum of kernel times', value: stepMs, unit: 'ms/step', ratio: null, baseline: '' });
  return lines;
}
