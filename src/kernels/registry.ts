// The kernel registry: one entry per WGSL kernel file, the single place that says how the kernel is
// dispatched (its grid, in invocations or workgroups; workgroup counts come from the reflected
// workgroup size), which CPU twin it has, which check judges it, how the lab compiles it on its own
// and where the benchmark times it. The trainers, the checks, the kernel lab and `npm run bench` read it;
// a new kernel, or a new version of one (llm.c's dev/cuda habit), is one more entry.
import { saeLayout, toyLayout } from '../core/wire';
import type { Grid } from '../gpu/kernel';
import { NO_FEATURES, NO_SUBGROUPS, SAE_STEPS, STUDY_STEP_CASE, type SaeStepsVersion } from './sae_steps';
import { SAE_DETECT_FILE, SAE_EVAL, SAE_EVAL_CPU_FILE } from './sae_eval';
import { TOY_STEPS, type ToyStepsVersion } from './toy_steps';
import { dimDefines, setDefines, type Defines } from './defines';
import { GEMM_VERSIONS, gemmDefines } from './gemm';
import { WIDE_KERNELS, wideJudge } from './wide';
export { dimDefines, setDefines, type Defines };

/** The shape a dispatch covers: M models, B rows (samples) per model, and the model dims. */
export interface JobShape {
  M: number;
  B: number;
  N: number;
  D: number;
  S: number;
  sets?: number[];
}

/** Where the benchmark and the lab time a kernel: inside one step of which training job. */
export type BenchCase = 'sae-modular' | 'sae-fused' | 'toy-modular' | 'toy-fused' | 'peak' | 'standalone';

export interface KernelEntry {
  file: string;
  /** one line: what it computes */
  summary: string;
  /** the op this kernel implements and its version, when several versions implement one op */
  op?: string;
  version?: string;
  /** the CPU twin (module: function), or 'none' for timing kernels */
  twin: string;
  /** the named check (src/checks checkList) that compares it with its twin */
  check: string;
  /** the dispatch grid at a shape (`defines` as passed to the kernel) */
  grid(s: JobShape, defines: Defines): Grid;
  /** extra compile-time defines beyond the model dims (the lab compiles with these at the study's shape) */
  defines?(s: JobShape): Defines;
  bench: BenchCase;
}

const perSample = (s: JobShape): Grid => ({ threads: s.M * s.B });
const perLatent = (s: JobShape): Grid => ({ threads: s.M * s.S });
const perModelGroup = (s: JobShape): Grid => ({ groups: [s.M, 1, 1] });
const single: Grid = { groups: [1, 1, 1] };
const sets = (s: JobShape) => setDefines(s.sets ?? [s.N]);
const STEP = `train SAE ${STUDY_STEP_CASE}`;

export const KERNELS: KernelEntry[] = [
  {
    file: 'sample_data.wgsl',
    summary: 'composed-feature inputs for one step, drawn in the kernel',
    twin: 'core/sampler: sampleData',
    check: 'kernel sample_data',
    grid: perSample,
    defines: sets,
    bench: 'sae-modular',
  },
  {
    file: 'synth_sample.wgsl',
    summary: "SynthSAEBench's feature activations for one batch (Zipf firing, copula, hierarchy)",
    twin: 'data/synth: sampleSynth',
    check: 'kernel synth_sample',
    grid: (s) => ({ threads: s.B }),
    defines: () => ({ RANK: 4, RANK_SLOTS: 4, UNROLL: 1 }),
    bench: 'standalone',
  },
  {
    file: 'copy_step.wgsl',
    summary: 'replay: copy one given batch to every model',
    twin: 'reference/data: copyStep',
    check: 'kernel copy_step',
    grid: (s, d) => ({ threads: s.M * s.B * Number(d.WIDTH) }),
    defines: (s) => ({ WIDTH: s.D }),
    bench: 'standalone',
  },
  {
    file: 'toy_forward.wgsl',
    summary: 'toy model forward and per-sample loss gradient',
    twin: 'reference/toy: toyForward',
    check: 'kernel toy_forward_grad_loss',
    grid: perSample,
    bench: 'toy-modular',
  },
  {
    file: 'toy_grad.wgsl',
    summary: 'toy model parameter gradients (batch reduction)',
    twin: 'reference/toy: toyGrad',
    check: 'kernel toy_forward_grad_loss',
    grid: (s) => ({ threads: s.M * toyLayout(s).P }),
    bench: 'toy-modular',
  },
  {
    file: 'toy_loss.wgsl',
    summary: 'toy model batch loss, history row, divergence check',
    twin: 'reference/toy: toyLoss',
    check: 'kernel toy_forward_grad_loss',
    grid: perModelGroup,
    bench: 'toy-modular',
  },
  {
    file: 'adam.wgsl',
    summary: 'Adam/AdamW with the learning-rate schedule',
    twin: 'reference/adam: adamStep',
    check: 'kernel adam',
    grid: (s, d) => ({ threads: s.M * Number(d.P_COUNT) }),
    defines: (s) => ({ P_COUNT: saeLayout(s).P }),
    bench: 'sae-modular',
  },
  {
    file: 'step_advance.wgsl',
    summary: 'advance the on-GPU step counter',
    twin: 'none (checked through training)',
    check: STEP,
    grid: () => single,
    defines: () => ({ AMOUNT: 1 }),
    bench: 'sae-modular',
  },
  {
    file: 'sae_normalize.wgsl',
    summary: 'unit-norm decoder rows',
    twin: 'reference/sae: saeNormalize',
    check: 'kernel sae_normalize_project',
    grid: perLatent,
    bench: 'sae-modular',
  },
  {
    file: 'sae_project_grad.wgsl',
    summary: 'remove the gradient along each decoder row',
    twin: 'reference/sae: saeProjectGrad',
    check: 'kernel sae_normalize_project',
    grid: perLatent,
    bench: 'sae-modular',
  },
  {
    file: 'sae_dead.wgsl',
    summary: 'dead-latent bookkeeping before the forward pass',
    twin: 'reference/sae: saeDead',
    check: 'kernel sae_dead_firing',
    grid: perLatent,
    bench: 'sae-modular',
  },
  {
    file: 'sae_firing.wgsl',
    summary: 'which latents fired on the batch',
    twin: 'reference/sae: saeFiring',
    check: 'kernel sae_dead_firing',
    grid: (s) => ({ groups: [s.S, s.M, 1] }),
    bench: 'sae-modular',
  },
  {
    file: 'sae_batch_stats.wgsl',
    summary: 'batch-FVU denominator per model',
    twin: 'reference/sae: saeBatchStats',
    check: 'kernel sae_forward_grad_loss',
    grid: perModelGroup,
    bench: 'standalone',
  },
  {
    file: 'sae_batch_topk.wgsl',
    summary: 'BatchTopK threshold per model',
    twin: 'reference/sae: saeBatchTopkThreshold',
    check: 'kernel sae_forward_grad_loss',
    grid: perModelGroup,
    bench: 'standalone',
  },
  {
    file: 'sae_forward.wgsl',
    summary: 'SAE forward, per-sample loss and gradients',
    twin: 'reference/sae: saeForward',
    check: 'kernel sae_forward_grad_loss',
    grid: perSample,
    bench: 'sae-modular',
  },
  {
    file: 'sae_grad.wgsl',
    summary: 'SAE parameter gradients (batch reduction)',
    twin: 'reference/sae: saeGrad',
    check: 'kernel sae_forward_grad_loss',
    grid: (s) => ({ threads: s.M * saeLayout(s).P }),
    bench: 'sae-modular',
  },
  {
    file: 'sae_cos_grad.wgsl',
    summary: 'cosine-similarity penalty and its gradient',
    twin: 'reference/sae: saeCosGrad',
    check: 'kernel sae_forward_grad_loss',
    grid: (s) => ({ threads: s.M }),
    bench: 'sae-modular',
  },
  {
    file: 'sae_loss.wgsl',
    summary: 'SAE batch loss, history row, divergence check',
    twin: 'reference/sae: saeLoss',
    check: 'kernel sae_forward_grad_loss',
    grid: perModelGroup,
    bench: 'sae-modular',
  },
  {
    file: 'sae_probe.wgsl',
    summary: 'one-hot probes: monosemanticity, dead on probes',
    twin: 'reference/metrics: saeProbe',
    check: 'kernel sae_probe_eval',
    grid: (s) => ({ threads: s.M }),
    bench: 'standalone',
  },
  {
    file: 'sae_eval.wgsl',
    summary: 'evaluation metrics on fresh samples',
    twin: 'reference/metrics: saeEval',
    check: 'kernel sae_probe_eval',
    grid: perModelGroup,
    bench: 'standalone',
  },
  {
    // the evaluation's CPU-shaped version, from its unit (src/kernels/sae_eval/index.ts)
    file: SAE_EVAL_CPU_FILE,
    summary: SAE_EVAL.cpu.summary,
    op: 'sae-eval',
    version: 'cpu',
    twin: 'reference/metrics: saeEval',
    check: SAE_EVAL.cpu.check,
    grid: (s) => ({ threads: s.M }),
    defines: (s) => ({ ...sets(s), WG: 8 }),
    bench: 'standalone',
  },
  {
    file: SAE_DETECT_FILE,
    summary: 'latents as detectors of the true features (fired / present / both counts) and shrinkage on fresh samples',
    twin: 'reference/metrics: saeDetect',
    check: 'kernel sae_detect',
    grid: (s) => ({ threads: s.M }),
    defines: (s) => ({ ...sets(s), WG: 8 }),
    bench: 'standalone',
  },
  // the fused SAE step's versions come from their unit (src/kernels/sae_steps/index.ts)
  ...Object.values(SAE_STEPS).map(
    (v: SaeStepsVersion): KernelEntry => ({
      file: v.file,
      summary: `K whole SAE steps per dispatch: ${v.summary}`,
      op: 'sae-fused-steps',
      version: v.name,
      twin: v.twin,
      check: v.check,
      grid: (s) => v.grid(s),
      // FIXED_DEC_STEP: no reference-SAE step in the lab (the cpu version's placeholder; the others have none)
      defines: (s) => ({ ...sets(s), K_STEPS: 1, WG: v.workgroup(v.labThreads), ...NO_SUBGROUPS, FIXED_DEC_STEP: '' }),
      bench: v.bench,
    }),
  ),
  // the fused toy step's versions come from their unit (src/kernels/toy_steps/index.ts)
  ...Object.values(TOY_STEPS).map(
    (v: ToyStepsVersion): KernelEntry => ({
      file: v.file,
      summary: v.summary,
      op: 'toy-steps',
      version: v.name,
      twin: v.twin,
      check: v.check,
      grid: (s) => v.grid(s),
      defines: (s) => ({ ...sets(s), ...NO_SUBGROUPS, ...v.defines(v.labThreads, NO_FEATURES, false) }),
      bench: v.bench,
    }),
  ),
  {
    file: 'rng_fill.wgsl',
    summary: 'the counter-based RNG, one value per element',
    twin: 'reference/rng: rngFill',
    check: 'rng-streams',
    grid: (s) => ({ threads: s.M * s.B }),
    bench: 'standalone',
  },
  {
    file: 'matmul_batched.wgsl',
    summary: 'batched matmul C[m] = A[m] B[m] in tiles (foundation check; here B = rows, S = columns)',
    twin: 'reference/matmul: matmulBatched',
    check: 'matmul-batched',
    grid: (s) => ({ threads: [s.S, s.B, s.M] }),
    bench: 'standalone',
  },
  // the wide engine's GEMM unit (src/kernels/gemm), every version; the lab runs it at the encoder's
  // shape of a job: rows = B samples, K = D, columns = S latents
  ...Object.values(GEMM_VERSIONS).map(
    (v): KernelEntry => ({
      file: v.file,
      summary: `GEMM C = op(A) op(B): ${v.summary}`,
      op: 'gemm',
      version: v.name,
      twin: 'reference/matmul: gemm',
      check: v.check,
      grid: (s) => v.grid({ M: s.B, N: s.S }),
      defines: () => gemmDefines(v, { ta: false, tb: false }),
      bench: 'standalone',
    }),
  ),
  // the wide engine's step: its element-wise and row/column kernels (the GEMMs above), one check for the whole step
  ...WIDE_KERNELS.map(
    (w): KernelEntry => ({
      file: w.file,
      summary: `wide SAE step: ${w.summary}`,
      ...wideJudge(w.file),
      grid: (s) => w.grid(s),
      ...(w.defines ? { defines: () => w.defines! } : {}),
      bench: 'standalone',
    }),
  ),
  {
    file: 'bench_fma.wgsl',
    summary: 'FMA throughput of the adapter (timing only)',
    twin: 'none',
    check: '',
    grid: () => ({ groups: [256, 1, 1] }),
    defines: () => ({ ITERS: 16 }),
    bench: 'peak',
  },
];

const BY_FILE = new Map(KERNELS.map((k) => [k.file, k]));

export function kernelEntry(file: string): KernelEntry {
  const e = BY_FILE.get(file);
  if (!e) throw new Error(`kernel ${file} is not in the registry (src/kernels/registry.ts)`);
  return e;
}

/** What the lab and the registry test add when they compile a kernel on its own: the study's SAE variant
 * (a trainer gives its job's, src/variants variantDefines). */
export const LAB_DEFINES: Defines = { SAE_VARIANT: 'relu' };

/** Every define a kernel needs at a shape: the model dims plus the entry's own. */

export function definesFor(file: string, s: JobShape): Defines {
  const e = kernelEntry(file);
  return { ...dimDefines(s), ...(e.defines?.(s) ?? {}) };
}
