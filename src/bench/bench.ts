// The benchmark: the adapter's FMA peak; every modular kernel's time per dispatch (many dispatches
// between one pair of timestamps); training throughput (model-steps/s and samples/s) of the modular
// path and of each fused SAE kernel version at the study shape for several (M, B); the toy-model stage
// (modular vs fused toy kernel); and the kernel the trainer would choose. Every figure is printed with
// its ratio to a baseline measured in the same run.
import type { GpuContext } from '../gpu/context';
import { saeTestSpec, STUDY_SHAPE, toyTestSpec } from '../kernels/fixtures';
import { FLAG, saeLayout, toyLayout } from '../core/wire';
import { saeFlags, SAE_VARIANTS, type SaeVariant } from '../variants';
import type { ExperimentConfig } from '../config/schema';
import { chooseSaeKernel } from '../train/choose';
import { isSoftwareAdapter } from '../gpu/context';
import { GpuSaeTrainer } from '../train/sae';
import { TOY_KERNELS, GpuToyTrainer } from '../train/toy';
import { fusedMisfit, SAE_KERNELS, type SaeKernel } from '../kernels/sae_steps';
import { timePass } from './timing';
import { assignMax } from '../metrics/assignment';
import { encodeGemm, GEMM_VERSIONS, layoutName, type GemmShape } from '../kernels/gemm';
import type { NativeGemm } from './native';
import { encodeWideStep, wideBufferFloats, wideRows, type WideBuffers, type WideDecode } from '../kernels/wide';
import type { WideTrainMode } from '../reference/wide';
import { createSynthSource } from '../data/synth-source';
import { WIDE_PRESETS, wideData, wideMode } from '../experiments/wide';
import { rngUnit } from '../core/rng';

export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  ratio: number | null;
  baseline: string;
  note?: string;
}

/** Estimated flops of one SAE training step per sample (toy forward, SAE forward + backward, elementwise). */
export function flopsPerSample(n: number, d: number, s: number): number {
  return 2 * n * d + 4 * s * d + 6 * s * d + 10 * (s + d);
}

/** The future-work bench's larger shapes beside the study's (n features in two sets, d hidden dims, s latents). */
export const BENCH_SHAPES = [
  { N: 4, D: 2, S: 4, sets: [2, 2] },
  { N: 16, D: 4, S: 16, sets: [8, 8] },
  { N: 32, D: 8, S: 32, sets: [16, 16] },
];

/** (M, B) shapes of the throughput table: the full list (GPUs) and the reduced default (SwiftShader: minutes). */
export const SHAPES_FULL: [number, number][] = [
  [125, 1024],
  [1000, 1024],
  [20000, 1024],
  [125, 64],
];
export const SHAPES_QUICK: [number, number][] = [
  [125, 64],
  [125, 1024],
];

export async function peakGflops(ctx: GpuContext): Promise<{ gflops: number; ms: number; method: string }> {
  const iters = 4096,
    groups = 256;
  const k = await ctx.kernel('bench_fma.wgsl', { defines: { ITERS: iters } });
  const out = ctx.createBuffer('fma out', groups * 64 * 4);
  const g = k.bind({ out });
  const t = await timePass(ctx, (pass) => k.dispatch(pass, g, groups), { warmup: 1, runs: 5 });
  const v = await ctx.readF32(out, 4);
  out.destroy();
  if (!v.every(Number.isFinite)) throw new Error('bench_fma produced non-finite values');
  return { gflops: (groups * 64 * iters * 64) / (t.ms * 1e6), ms: t.ms, method: t.method };
}

interface Trainable {
  train: (n: number, o: { stepsPerSubmit: number }) => Promise<void>;
  destroy: () => void;
}

/**
 * Wall-clock rate of a trainer (steps/s): two warm-up chunks, then chunks of n steps, n growing 4x until
 * one takes at least minMs, then the median of it and two more chunks of n (each chunk is one submit and one
 * history readback, as in training). Two warm-up chunks: on
 * SwiftShader the first dispatch of a new pipeline runs at about 0.6x the speed of the following ones
 * (the cpu kernel at the study shape: 6.5e6 then 0.8-1.2e7 samples/s), which a one-chunk warm-up left in
 * the timed chunk whenever that was the first of n steps.
 */
async function stepsPerSecond(job: Trainable, k: number, minMs: number, maxSteps: number): Promise<{ rate: number; steps: number }> {
  await job.train(k, { stepsPerSubmit: k });
  await job.train(k, { stepsPerSubmit: k });
  const timed = async (n: number) => {
    const t0 = performance.now();
    await job.train(n, { stepsPerSubmit: n });
    return performance.now() - t0;
  };
  let n = k;
  for (;;) {
    const ms = await timed(n);
    if (ms >= minMs || 4 * n > maxSteps) {
      // the median of three chunks of n: one stall of the machine (seen: a 25-step chunk taking 300 ms) cannot set the figure
      const all = [ms, await timed(n), await timed(n)].sort((a, b) => a - b);
      return { rate: n / (all[1] / 1000), steps: n };
    }
    n *= 4;
  }
}

function benchSpec(M: number, B: number, shape: { N: number; D: number; S: number; sets: number[] } = STUDY_SHAPE) {
  const sp = saeTestSpec({ ...shape, M, B, T: 1_000_000, flags: FLAG.GHOST | FLAG.GHOST_QUIRK });
  sp.cfg.log_every = 100;
  sp.cfg.hist_len = 1000;
  return sp;
}

/** Training throughput at BENCH_SHAPES (M = 125, B = 64) with the kernel the trainer would choose, as useful GFLOP/s. */
export async function shapeBench(ctx: GpuContext, K: number, minMs: number, emit: (l: BenchLine) => void): Promise<void> {
  for (const shape of BENCH_SHAPES) {
    const [M, B] = [125, 64];
    const sp = benchSpec(M, B, shape);
    const name = `train at n=${shape.N} d=${shape.D} s=${shape.S}, M=${M}, B=${B}`;
    let job: GpuSaeTrainer | null = null;
    try {
      const choice = await chooseSaeKernel(ctx, sp, 'auto', { kSteps: K });
      job = await GpuSaeTrainer.create(ctx, sp, choice.kernel ? { path: 'fused', kernel: choice.kernel, kSteps: K } : { path: 'modular' });
      const r = await stepsPerSecond(job, choice.kernel ? K : 4, minMs, 200_000);
      const flops = flopsPerSample(shape.N, shape.D, shape.S);
      const gflops = (r.rate * M * B * flops) / 1e9;
      emit({
        name,
        value: gflops,
        unit: 'useful GFLOP/s',
        ratio: null,
        baseline: '',
        note: `${job.describe()}; ${(r.rate * M * B).toPrecision(3)} samples/s; ${flops} flops per sample-model; wall clock, median of 3 submits of ${r.steps} steps`,
      });
    } catch (e) {
      emit({ name, value: NaN, unit: 'useful GFLOP/s', ratio: null, baseline: '', note: `failed: ${(e as Error).message.slice(0, 200)}` });
    } finally {
      job?.destroy();
    }
  }
}

/** Every SAE variant at the study shape (M, B): the CPU-shaped version where it fits (else the modular path), samples/s against relu's in the same run. */
export async function variantBench(ctx: GpuContext, [vM, vB]: [number, number], K: number, minMs: number, emit: (l: BenchLine) => void): Promise<void> {
  const variantRates: Record<string, { rate: number; path: string }> = {};
  for (const v of [...SAE_VARIANTS].reverse()) {
    const sp = variantSpec(v, vM, vB);
    const kernel: SaeKernel | null = fusedMisfit(sp, ctx.caps, 'cpu') === null ? 'cpu' : null;
    const name = `variant ${v.name}, M=${vM}, B=${vB}`;
    let job: GpuSaeTrainer | null = null;
    try {
      job = await GpuSaeTrainer.create(ctx, sp, kernel ? { path: 'fused', kernel, kSteps: K } : { path: 'modular' });
      const r = await stepsPerSecond(job, kernel ? K : 4, minMs, 200_000);
      const rate = r.rate * M_B(vM, vB);
      const path = job.describe();
      variantRates[v.name] = { rate, path };
      const relu = variantRates.relu;
      const ratio = relu ? rate / relu.rate : 1;
      const below = ratio < 0.7 ? `; below 70 % of relu: ${variantSlowWhy(v, kernel, relu?.path ?? '')}` : '';
      emit({
        name,
        value: rate,
        unit: 'samples/s',
        ratio,
        baseline: 'relu (same run)',
        note: `${path}; wall clock, median of 3 submits of ${r.steps} steps${below}`,
      });
    } catch (e) {
      emit({ name, value: NaN, unit: 'samples/s', ratio: null, baseline: '', note: `failed: ${(e as Error).message.slice(0, 200)}` });
    } finally {
      job?.destroy();
    }
  }
}

/** samples per step over all models */
const M_B = (M: number, B: number) => M * B;

/** The bench's SAE job of one variant at the study shape: its flag, k = 2 where it reads k, its default nested groups and Config fields, AuxK for the TopK family, the study's dead-latent rule. */
function variantSpec(v: SaeVariant, M: number, B: number) {
  const topk = v.needsK ? 2 : 0;
  const nested = v.groups?.(undefined, STUDY_SHAPE.S);
  const sp = saeTestSpec({ ...STUDY_SHAPE, M, B, T: 1_000_000, flags: v.flag | (topk ? FLAG.AUXK : FLAG.GHOST | FLAG.GHOST_QUIRK), topk, nested });
  sp.cfg.log_every = 100;
  sp.cfg.hist_len = 1000;
  // the study's dead-latent rule (the fixture's 3 steps would run ghost grads / AuxK on nearly every step)
  sp.cfg.dead_after = 400;
  sp.cfg.ghost_cooldown = 1000;
  // its own Config fields at their defaults (p-annealing's schedule)
  Object.assign(sp.cfg, v.wire?.(undefined, sp.cfg.T) ?? {});
  return sp;
}

/** Why a variant runs below 70 % of relu's samples/s (the bench states it rather than hiding it): every cause that applies. */
function variantSlowWhy(v: SaeVariant, kernel: SaeKernel | null, reluPath: string): string {
  if (!kernel) return `the CPU-shaped version cannot run it (${v.fusedMisfit ?? 'misfit'}), so it runs the modular path against relu's ${reluPath}`;
  const why: string[] = [];
  if (v.needsK && v.flag & FLAG.BATCH_TOPK)
    why.push("its batch threshold: a radix select of 4 more passes over the step's batch, recomputing the pre-activations");
  else if (v.needsK) why.push('its per-sample top-k selection is a serial k x s scan in one invocation');
  if (v.groups) why.push('its nested reconstructions add a prefix error, loss and dL/dhhat per group and sample');
  if (v.wire) why.push('its penalty f^p costs a pow per latent and sample (exp and log on software adapters)');
  return why.length ? why.join('; ') : 'see the kernel lab for its per-sample cost';
}

export interface BenchOptions {
  log: (l: BenchLine) => void;
  /** the full shape list (GPUs); default: the reduced list */
  full?: boolean;
  /** shortest timed chunk (ms); default 300 */
  minMs?: number;
  /** SAE steps per fused dispatch (default 25) */
  kSteps?: number;
  /** the native fp32 GEMM at GEMM_BENCH's shape, measured in this run (Node: src/bench/native.ts) */
  nativeGemm?: (M: number, K: number, N: number) => NativeGemm;
}

/** The wide engine's GEMMs at SynthSAEBench-16k's encoder shape [1,024 x 768] . [768 x 4,096] (B = 1,024 samples,
 * d = 768, width 4,096), in the three layouts one SAE step needs: the encoder X W_enc (NN), the latent gradient
 * dR W_dec^T (NT) and the encoder's weight gradient X^T dPre (TN, there M = 768 and K = 1,024). */
export const GEMM_BENCH = { B: 1024, d: 768, s: 4096 };

export async function gemmBench(ctx: GpuContext, native: NativeGemm | null, emit: (l: BenchLine) => void): Promise<void> {
  const { B, d, s } = GEMM_BENCH;
  const flops = 2 * B * d * s;
  const layouts: (GemmShape & { what: string })[] = [
    { M: B, K: d, N: s, ta: false, tb: false, what: 'encoder X W_enc' },
    { M: B, K: d, N: s, ta: false, tb: true, what: 'latent gradient dR W_dec^T' },
    { M: d, K: B, N: s, ta: true, tb: false, what: 'weight gradient X^T dPre' },
  ];
  const nat = native?.gflops ?? null;
  emit({
    name: `native fp32 GEMM ${B}x${d}x${s} (host)`,
    value: nat ?? NaN,
    unit: 'GFLOP/s',
    ratio: nat === null ? null : 1,
    baseline: nat === null ? '' : 'itself',
    note: native === null ? 'not measured here (no host process: the browser)' : native.gflops === null ? `absent: ${native.why}` : native.how,
  });
  const a = ctx.createBuffer('gemm bench a', B * s * 4),
    b = ctx.createBuffer('gemm bench b', Math.max(B, d) * s * 4),
    c = ctx.createBuffer('gemm bench c', B * s * 4);
  try {
    for (const v of Object.values(GEMM_VERSIONS))
      for (const l of layouts) {
        const name = `gemm ${v.name} ${layoutName(l)} (${l.what})`;
        try {
          // the warm-up compiles the pipeline at a small shape (the slow versions take 30-50 s per run at this shape on
          // SwiftShader), then one timed run, or the median of 3 where one takes under 3 s
          const warm = await encodeGemm(ctx, v.name, { ...l, M: 64, N: 256 }, { a, b, c });
          await timePass(ctx, (pass) => warm.encode(pass), { warmup: 0, runs: 1 });
          warm.destroy();
          const op = await encodeGemm(ctx, v.name, l, { a, b, c });
          let t = await timePass(ctx, (pass) => op.encode(pass), { warmup: 0, runs: 1 });
          if (t.ms < 3000) t = await timePass(ctx, (pass) => op.encode(pass), { warmup: 0, runs: 3 });
          op.destroy();
          const g = flops / (t.ms * 1e6);
          emit({
            name,
            value: g,
            unit: 'GFLOP/s',
            ratio: nat === null ? null : g / nat,
            baseline: nat === null ? '' : 'native GEMM',
            note: `${v.summary}; ${t.ms.toFixed(1)} ms, ${t.method} timing, ${t.runs.length} run(s)`,
          });
        } catch (e) {
          emit({ name, value: NaN, unit: 'GFLOP/s', ratio: null, baseline: '', note: `failed: ${(e as Error).message.slice(0, 200)}` });
        }
      }
  } finally {
    [a, b, c].forEach((x) => x.destroy());
  }
}

export async function runBench(ctx: GpuContext, opts: BenchOptions): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const emit = (l: BenchLine) => {
    lines.push(l);
    opts.log(l);
  };
  const minMs = opts.minMs ?? 300,
    K = opts.kSteps ?? 25;
  const peak = await peakGflops(ctx);
  // on a CPU adapter the probe measures the probe (its workgroup shape, not the CPU's SIMD FMA limit): no "% of peak" there
  const software = isSoftwareAdapter(ctx.adapter);
  emit({
    name: 'adapter peak (FMA kernel)',
    value: peak.gflops,
    unit: 'GFLOP/s',
    ratio: 1,
    baseline: 'itself',
    note: `${peak.method} timing${software ? '; software adapter: what this probe kernel reaches, not the CPU (2 cores of AVX-512 FMA: ~360 GFLOP/s); no % of peak below' : ''}`,
  });

  // --- every modular kernel at the study shape: R dispatches of one kernel between one pair of timestamps
  const { N, D, S } = STUDY_SHAPE;
  const kM = 125,
    kB = opts.full ? 1024 : 256,
    R = opts.full ? 50 : 3;
  const mod = await GpuSaeTrainer.create(ctx, benchSpec(kM, kB), { path: 'modular' });
  await mod.train(2, { stepsPerSubmit: 2 });
  let stepMs = 0;
  const kernelTimes: { name: string; ms: number; method: string }[] = [];
  for (const o of mod.ops) {
    const t = await timePass(ctx, (pass) => mod.dispatchOp(pass, o), { runs: 3, repeat: R });
    stepMs += t.ms;
    kernelTimes.push({ name: o.kernel.name, ms: t.ms, method: `${t.method}, ${R} dispatches per timing` });
  }
  mod.destroy();
  for (const k of kernelTimes)
    emit({
      name: `kernel ${k.name} (M=${kM}, B=${kB})`,
      value: k.ms,
      unit: 'ms/dispatch',
      ratio: k.ms / stepMs,
      baseline: 'modular step (sum of kernels)',
      note: k.method,
    });
  emit({ name: `modular step, sum of kernel times (M=${kM}, B=${kB})`, value: stepMs, unit: 'ms/step', ratio: null, baseline: '' });

  // --- SAE training throughput per path / version
  const perSampleFlops = flopsPerSample(N, D, S);
  for (const [M, B] of opts.full ? SHAPES_FULL : SHAPES_QUICK) {
    const sp = benchSpec(M, B);
    const rates: Record<string, number> = {};
    const variants: { label: string; kernel: SaeKernel | null }[] = [
      { label: 'modular', kernel: null },
      ...SAE_KERNELS.map((k) => ({ label: `fused ${k}`, kernel: k })),
    ];
    for (const v of variants) {
      // the modular path keeps per-sample records: skip it where they exceed a storage binding
      const workBytes = M * B * Math.max(saeLayout(sp.dims).REC, toyLayout(sp.dims).REC) * 4;
      const modularWhy =
        workBytes > ctx.device.limits.maxStorageBufferBindingSize
          ? `its per-sample records need ${workBytes} bytes, a storage binding allows ${ctx.device.limits.maxStorageBufferBindingSize}`
          : null;
      const why = v.kernel ? fusedMisfit(sp, ctx.caps, v.kernel) : modularWhy;
      const name = `train ${v.label}, M=${M}, B=${B}`;
      if (why) {
        emit({ name, value: NaN, unit: 'model-steps/s', ratio: null, baseline: '', note: `skipped: ${why}` });
        continue;
      }
      let job: GpuSaeTrainer | null = null;
      try {
        job = await GpuSaeTrainer.create(ctx, sp, v.kernel ? { path: 'fused', kernel: v.kernel, kSteps: K } : { path: 'modular' });
        const r = await stepsPerSecond(job, v.kernel ? K : 4, minMs, 200_000);
        const rate = r.rate * M;
        rates[v.label] = rate;
        const gflops = (rate * B * perSampleFlops) / 1e9;
        const base = rates.modular ? { ratio: rate / rates.modular, baseline: 'modular' } : { ratio: null, baseline: '' };
        const vsV1 = rates['fused v1'] && v.label !== 'fused v1' && v.label !== 'modular' ? `, x${(rate / rates['fused v1']).toPrecision(3)} vs v1` : '';
        const ofPeak = software ? '' : `; ${((gflops / peak.gflops) * 100).toPrecision(2)} % of FMA peak`;
        emit({
          name,
          value: rate,
          unit: 'model-steps/s',
          ...base,
          note: `${job.describe()}; ${(rate * B).toPrecision(3)} samples/s; ${gflops.toPrecision(3)} useful GFLOP/s (${perSampleFlops} flops per sample-model)${ofPeak}${vsV1}; wall clock, median of 3 submits of ${r.steps} steps`,
        });
      } catch (e) {
        emit({ name, value: NaN, unit: 'model-steps/s', ratio: null, baseline: '', note: `failed: ${(e as Error).message.slice(0, 200)}` });
      } finally {
        job?.destroy();
      }
    }
    const choice = await chooseSaeKernel(ctx, sp, 'auto', { fresh: true, kSteps: K });
    emit({
      name: `kernel choice (auto), M=${M}, B=${B}`,
      value: NaN,
      unit: '',
      ratio: null,
      baseline: '',
      note: `${choice.path}${choice.kernel ? ` ${choice.kernel}` : ''}: ${choice.why}`,
    });
  }

  // --- the chosen fused version at the future-work bench's shapes (study, d = 4 / s = 16, d = 8 / s = 32): useful GFLOP/s
  await shapeBench(ctx, K, minMs, emit);

  // --- every SAE variant at the study shape
  await variantBench(ctx, (opts.full ? SHAPES_FULL : SHAPES_QUICK)[0], K, minMs, emit);

  // --- toy-model stage: the study's toy model (n=4, d=2, one model, B=1000, 10,000 steps at the full budget)
  const toySpec = toyTestSpec(1, 1_000_000);
  toySpec.cfg.B = 1000;
  toySpec.cfg.log_every = 100;
  toySpec.cfg.hist_len = 1000;
  const toyRates: Record<string, number> = {};
  for (const kernel of TOY_KERNELS) {
    const job = await GpuToyTrainer.create(ctx, toySpec, { kernel, kSteps: 50 });
    try {
      const r = await stepsPerSecond(job, 50, minMs, 200_000);
      toyRates[kernel] = r.rate;
      emit({
        name: `toy model ${kernel} (M=1, B=1000)`,
        value: r.rate,
        unit: 'steps/s',
        ratio: toyRates.modular ? r.rate / toyRates.modular : null,
        baseline: toyRates.modular ? 'modular toy' : '',
        note: `${job.describe()}; 10,000 steps = ${(10000 / r.rate).toPrecision(3)} s; median of 3 chunks of ${r.steps} steps`,
      });
    } finally {
      job.destroy();
    }
  }
  // --- the wide engine's GEMM versions against the host's native GEMM, same run
  await gemmBench(ctx, opts.nativeGemm ? opts.nativeGemm(GEMM_BENCH.B, GEMM_BENCH.d, GEMM_BENCH.s) : null, emit);

  // --- the wide engine's step and data at the CPU-sized and the benchmark's shapes
  await wideBench(ctx, software ? 'lanes' : 'blocked', emit);

  // --- MCC's exact assignment at SynthSAEBench-16k's size (4,096 latents x 16,384 features), on the host
  const a = assignmentTiming(4096, 16384);
  emit({
    name: 'MCC assignment 4096 x 16384 (host, exact)',
    value: a.seconds,
    unit: 's',
    ratio: a.seconds / 60,
    baseline: 'the 60 s target',
    note: `Hungarian (shortest augmenting paths) on a |cos|-like matrix: noise of |cos| <= 0.04 with every other latent planted on one feature at 0.5-1; building the matrix not counted`,
  });
  return lines;
}

/** The wide SAE step (forward, backward; src/kernels/wide) at the CPU-sized shape (d = 64, width 256) for every
 * wide variant preset (its selection, AuxK with a third of the latents dead, Matryoshka's blocks), against the ReLU
 * step in the same run; the ReLU step at SynthSAEBench-16k's shape (d = 768, width 4,096); B = 1,024; and the
 * synthetic rows at the CPU-sized shape (1,024 features), as samples/s with the GEMM version shaped for the adapter. */
export async function wideBench(ctx: GpuContext, gemm: string, emit: (l: BenchLine) => void): Promise<void> {
  const B = 1024;
  const software = isSoftwareAdapter(ctx.adapter);
  const cases: { d: number; s: number; label: string; mode: WideTrainMode; rowSelect?: 'radix' | 'serial'; decode?: WideDecode }[] = [
    { d: 64, s: 256, label: 'relu', mode: {} },
    // TopK with the row select not chosen for this adapter, against the chosen one (next)
    {
      d: 64,
      s: 256,
      label: `topk (${software ? 'radix' : 'serial'} row select)`,
      mode: wideMode(WIDE_PRESETS['synth-cpu-topk']),
      rowSelect: software ? 'radix' : 'serial',
    },
    ...['synth-cpu-topk', 'synth-cpu-batchtopk', 'synth-cpu-matryoshka-batchtopk'].map((name) => ({
      d: 64,
      s: 256,
      label: WIDE_PRESETS[name].sae.variant,
      mode: wideMode(WIDE_PRESETS[name]),
    })),
    // the TopK family's sparse decode, against the dense step of the same variant (above)
    ...['synth-cpu-topk', 'synth-cpu-batchtopk', 'synth-cpu-matryoshka-batchtopk'].map((name) => ({
      d: 64,
      s: 256,
      label: WIDE_PRESETS[name].sae.variant,
      mode: wideMode(WIDE_PRESETS[name]),
      decode: 'sparse' as const,
    })),
    { d: 768, s: 4096, label: 'relu', mode: {} },
    // synth-16k's SAE (BatchTopK, k = 25, AuxK), dense and sparse
    { d: 768, s: 4096, label: 'batchtopk', mode: wideMode(WIDE_PRESETS['synth-16k']) },
    { d: 768, s: 4096, label: 'batchtopk', mode: wideMode(WIDE_PRESETS['synth-16k']), decode: 'sparse' },
  ];
  let reluMs = Number.NaN;
  const stepDenseMs = new Map<string, number>();
  for (const { d, s, label, mode, rowSelect, decode } of cases) {
    const name = `wide SAE step ${label} d=${d} s=${s} B=${B} (gemm ${gemm}${decode === 'sparse' ? ', sparse decode' : ''})`;
    const bufs = {} as WideBuffers;
    try {
      const fill = (n: number, salt: number, scale: number) => Float32Array.from({ length: n }, (_, i) => scale * (rngUnit(7, 0, salt, i, 0) - 0.5));
      const init: Partial<Record<keyof WideBuffers, Float32Array | Uint32Array>> = {
        x: fill(B * d, 1, 2),
        w_enc: fill(d * s, 2, 0.5),
        w_dec: fill(s * d, 3, 0.5),
        // a third of the latents dead past AuxK's window, so its rows do their work
        since: Uint32Array.from({ length: s }, (_, k) => (k % 3 === 0 ? 1 << 20 : 0)),
      };
      for (const [k, n] of Object.entries(wideBufferFloats({ B, d, s }, mode)) as [keyof WideBuffers, number][])
        bufs[k] = init[k] ? ctx.upload(`bench ${k}`, init[k]!) : ctx.createBuffer(`bench ${k}`, n * 4);
      const step = await encodeWideStep(ctx, gemm, { B, d, s }, bufs, label === 'relu' ? 1 : 0, mode, { rowSelect, decode });
      let t = await timePass(ctx, (pass) => step.encode(pass), { warmup: 1, runs: 1 });
      if (t.ms < 3000) t = await timePass(ctx, (pass) => step.encode(pass), { warmup: 0, runs: 3 });
      step.destroy();
      const rows = wideRows({ B, d, s }, mode);
      // encoder forward and its weight gradient over B rows; decoder, its gradient and df over every block's rows
      const gflop = (2 * d * s * (2 * B + 3 * rows)) / 1e9;
      if (label === 'relu' && d === 64) reluMs = t.ms;
      const key = `${label} ${d}`;
      if (decode !== 'sparse' && !rowSelect) stepDenseMs.set(key, t.ms);
      const sparse = decode === 'sparse';
      const vsRelu = d === 64 && label !== 'relu' && !sparse;
      emit({
        name,
        value: (B * 1000) / t.ms,
        unit: 'samples/s',
        ratio: sparse ? t.ms / (stepDenseMs.get(key) ?? Number.NaN) : vsRelu ? t.ms / reluMs : null,
        baseline: sparse ? `time of the dense ${label} step at this shape, same run` : vsRelu ? 'time of the relu step at this shape, same run' : '',
        note: `${t.ms.toFixed(1)} ms per step (forward and backward, no optimiser; ${rows / B} block(s) of rows); ${sparse ? `the dense GEMMs' work at ${(gflop / (t.ms / 1000)).toFixed(2)} GFLOP/s (its one dense GEMM is the encoder's)` : `its 5 GEMMs ${(gflop / (t.ms / 1000)).toFixed(2)} GFLOP/s`}; 200M samples would take ${(((2e8 / B) * t.ms) / 3.6e6).toFixed(1)} h`,
      });
    } catch (e) {
      emit({ name, value: NaN, unit: 'samples/s', ratio: null, baseline: '', note: `failed: ${(e as Error).message.slice(0, 200)}` });
    } finally {
      Object.values(bufs).forEach((b) => b.destroy());
    }
  }
  // the synth-cpu preset's data (src/experiments/wide.ts): the sparse mix (the default) against the dense GEMM
  const p = WIDE_PRESETS['synth-cpu'];
  const n = p.data.features,
    d = p.d;
  const { model, dictionary, bias } = wideData(p);
  let denseMs = Number.NaN;
  for (const mix of ['dense', 'sparse'] as const) {
    const name = `synthetic rows n=${n} d=${d} B=${B}, ${mix} mix (synth_sample + ${mix === 'dense' ? `a D by gemm ${gemm} + b` : 'synth_compact + synth_mix'})`;
    const x = ctx.createBuffer('bench synth x', B * d * 4);
    try {
      const src = await createSynthSource(ctx, { model, dictionary: Float32Array.from(dictionary.flat()), bias }, B, x, gemm, { mix });
      const t = await timePass(ctx, (pass) => src.encode(pass), { warmup: 1, runs: 3 });
      src.destroy();
      if (mix === 'dense') denseMs = t.ms;
      emit({
        name,
        value: (B * 1000) / t.ms,
        unit: 'samples/s',
        ratio: mix === 'sparse' ? t.ms / denseMs : null,
        baseline: mix === 'sparse' ? 'time of the dense mix, same run' : '',
        note: `${t.ms.toFixed(1)} ms per batch; ${mix === 'dense' ? `a dense GEMM over all ${n} features (most are 0)` : 'only the active features of each row'}`,
      });
    } catch (e) {
      emit({ name, value: NaN, unit: 'samples/s', ratio: null, baseline: '', note: `failed: ${(e as Error).message.slice(0, 200)}` });
    } finally {
      x.destroy();
    }
  }
}

/** Seconds of one exact assignment (assignMax) of an r x c |cos|-like matrix (deterministic noise, half the rows planted). */
export function assignmentTiming(r: number, c: number): { seconds: number } {
  const sim: number[][] = [];
  for (let i = 0; i < r; i++) {
    const row = new Array<number>(c);
    for (let j = 0; j < c; j++) row[j] = Math.abs(0.04 * (rngUnit(1, 0, i, j, 0) * 2 - 1));
    if (i % 2 === 0) row[(3 * i) % c] = 0.5 + 0.5 * rngUnit(2, 0, i, 0, 0);
    sim.push(row);
  }
  const t0 = performance.now();
  assignMax(sim);
  return { seconds: (performance.now() - t0) / 1000 };
}

/**
 * The runner's own share of an experiment's SAE stage: the stage's wall time (trainer set-up, chunks
 * with progress and history readbacks, parameter readback) against the same number of steps of a bare
 * trainer with the same kernel and shape in as few submits as the history ring allows. Evaluation,
 * host analysis and figures are separate stages; their times are reported beside it.
 */
export async function runnerOverhead(
  ctx: GpuContext,
  r: {
    config: Pick<ExperimentConfig, 'data' | 'toy' | 'sae'>;
    saes: unknown[];
    kernels?: { sae: { path: string; kernel: string | null; threads: number | null } };
    timing: { sae_s: number; eval_s: number; analysis_s: number };
  },
): Promise<{ bare_s: number; overhead: number }> {
  const c = r.config;
  const sp = saeTestSpec({
    N: c.data.sets.reduce((a, b) => a + b, 0),
    D: c.toy.d,
    S: c.sae.s,
    sets: c.data.sets,
    M: r.saes.length,
    B: c.sae.batch,
    T: c.sae.steps,
    flags: saeFlags(c.sae),
  });
  sp.cfg.log_every = Math.max(1, Math.ceil(c.sae.steps / 4000));
  sp.cfg.hist_len = Math.ceil(c.sae.steps / sp.cfg.log_every) + 1;
  if (!r.kernels) throw new Error('the results record no SAE kernel (written by an older kit): run the experiment again');
  const k = r.kernels.sae;
  const job = await GpuSaeTrainer.create(
    ctx,
    sp,
    k.path === 'fused' ? { path: 'fused', kernel: (k.kernel ?? 'v1') as SaeKernel, threads: k.threads ?? undefined } : { path: 'modular' },
  );
  try {
    const t0 = performance.now();
    await job.train(c.sae.steps, { stepsPerSubmit: k.path === 'fused' ? c.sae.steps : 1000 });
    const bare = (performance.now() - t0) / 1000;
    return { bare_s: bare, overhead: 1 - bare / r.timing.sae_s };
  } finally {
    job.destroy();
  }
}
