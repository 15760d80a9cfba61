// The fused SAE training step as a kernel unit (llm.c's dev/cuda habit): every version of the op
// "K whole SAE steps per dispatch" is one entry of SAE_STEPS, as data: its WGSL file, the adapter kind it
// is shaped for, how many invocations per model it uses, its compile-time defines, why it cannot run a
// job (fit rule), the check that judges it and its twin; its workgroup-memory footprint and the values it
// reduces per step are read from its WGSL at the job's defines (stepsFootprint). The trainer,
// the per-adapter choice, the CLI's --kernel values, the checks, the kernel registry, the lab and the
// bench all read this map. Adding a version = one WGSL file + one entry here (docs/architecture.md).
import { FLAG, saeLayout, type GpuConfig } from '../../core/wire';
import type { SaeJobSpec } from '../../core/job';
import { variantDefines, variantOf } from '../../variants';
import type { BenchCase, JobShape } from '../registry';
import { dimDefines, setDefines, type Defines } from '../defines';
import type { Grid } from '../../gpu/kernel';
import type { AdapterReport } from '../../gpu/context';
import type { ShaderSources } from '../../gpu/shaders';
import { shaderFacts } from '../../gpu/shader-facts';

/** what a version's workgroup rule reads of the adapter */
export type AdapterDescription = Pick<AdapterReport, 'description'>;

/** What the fit checks read of a device (a GPUDevice, or its default limits in the check list). */
export interface DeviceCaps {
  limits: Pick<GPUSupportedLimits, 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupStorageSize' | 'maxStorageBuffersPerShaderStage'>;
  features: { has(name: string): boolean };
}

/** What the fit rules read: a device's limits and features, and the shader sources whose workgroup-memory
 * declarations they reflect (a GpuContext's `caps`). */
export interface FitTarget extends DeviceCaps {
  readonly sources: ShaderSources;
}

/** Text defines selecting subgroup reductions (lib/wg_partials.wgsl) when the device has the feature. */
export function subgroupDefines(device: DeviceCaps, use = true): Record<string, string> {
  const sg = use && device.features.has('subgroups');
  return {
    SG_ENABLE: sg ? 'enable subgroups;' : '',
    USE_SG: sg ? 'true' : 'false',
    SG_ADD: sg ? 'subgroupAdd' : 'sg_none',
    SG_EXCL: sg ? 'subgroupExclusiveAdd' : 'sg_none_excl',
  };
}
/** lib/wg_partials.wgsl without the subgroups feature (the trainers pass subgroupDefines of their device). */
/** A device with no optional features (the lab's and the check list's compiles). */
export const NO_FEATURES: DeviceCaps = { limits: {} as DeviceCaps['limits'], features: new Set<string>() };
export const NO_SUBGROUPS: Defines = subgroupDefines(NO_FEATURES);

type Spec = Pick<SaeJobSpec, 'dims' | 'cfg' | 'sets'>;

/** What a fused step keeps in workgroup memory at a job, reflected from its WGSL (src/gpu/shader-facts.ts). */
export interface Footprint {
  /** values reduced across the workgroup per step: the shader's const RV (0 where it has none) */
  rv: number;
  /** bytes of workgroup memory: the sum of its var<workgroup> declarations */
  bytes: number;
  vars: { name: string; bytes: number }[];
}

export interface SaeStepsVersion {
  /** the --kernel value and the name in results.json */
  readonly name: string;
  readonly file: string;
  readonly summary: string;
  /** the adapters it is shaped for: the choice prefers such a version there */
  readonly shapedFor: 'software' | 'gpu';
  /** invocations per model (threads: 1 for the CPU-shaped version, which packs WG models per workgroup) */
  threads(spec: Spec, target: FitTarget, requested?: number, subgroups?: boolean): number;
  /** invocations per model the lab and the check list compile it with (tiny batches, default limits) */
  readonly labThreads: number;
  /** workgroup size (WG define) at `threads` invocations per model, on an adapter (none: the check list's default), for a job of `models` SAEs (none: many) */
  workgroup(threads: number, adapter?: AdapterDescription, models?: number): number;
  /** the dispatch grid at a shape (the registry turns invocations into workgroups by the reflected size) */
  grid(s: JobShape): Grid;
  /** defines beyond the dims, the sets, K_STEPS and WG, for a job with this Config */
  defines(device: DeviceCaps, subgroups: boolean, cfg: GpuConfig): Defines;
  /** the most values per step it reduces (its RV, stepsFootprint) before its registers or memory run out */
  readonly maxRv: number;
  /** a version-specific reason it cannot run at these threads, beyond the shared rules (null: none) */
  misfit?(threads: number): string | null;
  /** one line for logs: "fused v1 (16 threads/model, K=25)"; wg: the workgroup size it runs with */
  describe(threads: number, subgroups: boolean, k: number, wg: number): string;
  /** the check (src/checks) on the reference study-shape training case; every version has one (test/registry.test.ts) */
  readonly check: string;
  readonly twin: 'reference/trainer: RefSaeTrainer';
  readonly bench: BenchCase;
}

const pow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

/**
 * Threads per model for a one-workgroup-per-model version (v2, the fused toy step): 256, 128 or 64, the largest
 * with at least 4 samples of a batch of B per thread (64 at least) whose invocations and workgroup memory
 * (`bytesAt(threads)`) the device allows.
 */
export function workgroupThreads(B: number, device: DeviceCaps, bytesAt: (threads: number) => number): number {
  for (const t of [256, 128, 64]) {
    if (t > 64 && 4 * t > B) continue;
    if (t <= device.limits.maxComputeInvocationsPerWorkgroup && bytesAt(t) <= device.limits.maxComputeWorkgroupStorageSize) return t;
  }
  return 64;
}
export const STUDY_STEP_CASE = 'study shape d=2 s=4, ghost (quirk), M=6, 50 steps';

export const SAE_STEPS = {
  v1: {
    name: 'v1',
    file: 'kernels/sae_steps/v1.wgsl',
    summary: 'one workgroup of 16 threads per model, parameters in workgroup memory, one tree reduction per step',
    shapedFor: 'software',
    threads: (_s, _d, requested) => requested ?? 16,
    labThreads: 16,
    workgroup: (t) => t,
    grid: (s) => ({ groups: [s.M, 1, 1] }),
    defines: () => ({}),
    maxRv: 64,
    misfit: (t) => (pow2(t) ? null : `v1: ${t} threads per model, need a power of two`),
    describe: (t, _sg, k) => `fused v1 (${t} threads/model, K=${k})`,
    check: `train SAE fused K=7: ${STUDY_STEP_CASE}`,
    twin: 'reference/trainer: RefSaeTrainer',
    bench: 'sae-fused',
  },
  v2: {
    name: 'v2',
    file: 'kernels/sae_steps/v2.wgsl',
    summary: 'one workgroup of 64-256 threads per model, samples drawn in-kernel, subgroup partial sums (GPUs)',
    shapedFor: 'gpu',
    threads: (spec, target, requested, subgroups = true): number =>
      requested || workgroupThreads(spec.cfg.B, target, (t) => stepsFootprint(SAE_STEPS.v2, spec, t, target, subgroups).bytes),
    labThreads: 64,
    workgroup: (t) => t,
    grid: (s) => ({ groups: [s.M, 1, 1] }),
    defines: (device, subgroups) => subgroupDefines(device, subgroups),
    maxRv: 128,
    misfit: (t) => (pow2(t) && t >= 64 ? null : `v2: ${t} threads per model, need a power of two >= 64`),
    describe: (t, sg, k) => `fused v2 (${t} threads/model, ${sg ? 'subgroups' : 'workgroup-memory reduction'}, K=${k})`,
    check: `train SAE fused v2 K=7: ${STUDY_STEP_CASE}`,
    twin: 'reference/trainer: RefSaeTrainer',
    bench: 'sae-fused',
  },
  cpu: {
    name: 'cpu',
    file: 'kernels/sae_steps/cpu.wgsl',
    summary: 'one invocation per model, batch walked serially, private accumulators, no barriers (CPU adapters)',
    shapedFor: 'software',
    threads: () => 1,
    labThreads: 1,
    // models per workgroup (SIMD lanes): 16 on lavapipe (one 512-bit vector at the kit's setting, src/gpu/lavapipe.ts; 1.1e8 samples/s at the study
    // shape vs 8.3e7 at 8 and 8.0e7 at 32), 8 elsewhere (SwiftShader: 6.7e6 at 8, 6.0e6 at 16). A job of fewer than 32 SAEs
    // gets 8 on lavapipe too, so that its workgroups reach both cores of a 2-core machine (the future-work bench's 16-SAE
    // jobs, 3,000 steps of 256, quiet: d = 4 / s = 8 3.2 -> 2.5 s, d = 8 / s = 16 16.4 -> 11.4 s; 4 per workgroup no better)
    workgroup: (_t: number, adapter?: AdapterDescription, models?: number) =>
      adapter && /llvmpipe|lavapipe/i.test(adapter.description) ? (models !== undefined && models < 32 ? 8 : 16) : 8,
    grid: (s) => ({ threads: s.M }),
    // the job's option flags and table sizes baked in, then constant-bound loops unrolled at load
    // (src/gpu/unroll.ts): branches of options the job does not use vanish and private arrays stay in registers
    // FIXED_DEC_STEP: the reference SAEs' zero decoder step as text, present only in their jobs (a branch on the
    // baked-in flag measured a fifth slower on lavapipe, but that A/B set a fresh 256-bit compile against a stale
    // 512-bit cached binary, BENCHMARKS.md session 6: the branch's own cost is unknown; the text costs nothing)
    defines: (_d, _sg, cfg) => ({
      UNROLL: 1,
      SPECIALIZE: `flags=${cfg.flags} topk=${cfg.topk} aux_k=${cfg.aux_k} table_len=${cfg.table_len}`,
      FIXED_DEC_STEP: cfg.flags & FLAG.FIXED_DEC ? 'for (var q = OFF_WD; q < OFF_BD; q++) { g[q] = 0.0; }' : '',
    }),
    maxRv: Infinity,
    describe: (_t, _sg, k, wg) => `fused cpu (1 invocation/model, ${wg} models/workgroup, K=${k})`,
    check: `train SAE fused cpu K=7: ${STUDY_STEP_CASE}`,
    twin: 'reference/trainer: RefSaeTrainer',
    bench: 'sae-fused',
  },
} satisfies Record<string, SaeStepsVersion>;

export type SaeKernel = Extract<keyof typeof SAE_STEPS, string>;
export const SAE_KERNELS = Object.keys(SAE_STEPS) as SaeKernel[];

export function saeStepsVersion(name: string): SaeStepsVersion {
  const v = (SAE_STEPS as Record<string, SaeStepsVersion>)[name];
  if (!v) throw new Error(`unknown SAE kernel version '${name}' (known: ${SAE_KERNELS.join(', ')})`);
  return v;
}

/** Invocations per model a version uses at a job (its own rule, or `requested`). */
export function fusedThreads(spec: Spec, kernel: SaeKernel, target: FitTarget, requested?: number, subgroups = true): number {
  return SAE_STEPS[kernel].threads(spec, target, requested, subgroups);
}

/** The defines a version compiles with beyond the dims, sets and variant (the trainer's; the lab's come from the registry). */
export function stepDefines(
  v: SaeStepsVersion,
  spec: Spec,
  threads: number,
  device: DeviceCaps,
  subgroups: boolean,
  adapter?: AdapterDescription,
  kSteps = 1,
): Defines {
  return { K_STEPS: kSteps, WG: v.workgroup(threads, adapter, spec.cfg.M), ...v.defines(device, subgroups, spec.cfg) };
}

/** A version's workgroup memory and reduced values at a job and thread count, read from its WGSL at the job's defines. */
export function stepsFootprint(v: SaeStepsVersion, spec: Spec, threads: number, target: FitTarget, subgroups = true): Footprint {
  const sg = v.shapedFor === 'gpu' && subgroups && target.features.has('subgroups');
  const f = shaderFacts(v.file, target.sources, {
    ...dimDefines(spec.dims),
    ...setDefines(spec.sets),
    ...variantDefines(spec.cfg),
    ...NO_SUBGROUPS,
    FIXED_DEC_STEP: '',
    ...stepDefines(v, spec, threads, target, sg),
  });
  return { rv: f.consts.get('RV') ?? 0, bytes: f.workgroupBytes, vars: f.vars };
}

/** Why a fused multi-step kernel version cannot run a job (null when it can). */
export function fusedMisfit(spec: SaeJobSpec, target: FitTarget, kernel: SaeKernel = 'v1', threads?: number, subgroups = true): string | null {
  if (spec.batches) return 'it samples its own data (no replay batches)';
  if (spec.normalizeDecoder === false) return 'it always normalises the decoder';
  if (spec.cfg.flags & FLAG.BATCH_FVU) return 'it has no batch-FVU pre-pass (use the modular path)';
  const variantMisfit = variantOf(spec.cfg).fusedMisfit;
  if (variantMisfit) return variantMisfit;
  const v: SaeStepsVersion = SAE_STEPS[kernel];
  const t = v.threads(spec, target, threads, subgroups);
  const own = v.misfit?.(t);
  if (own) return own;
  const f = stepsFootprint(v, spec, t, target, subgroups);
  if (f.rv > v.maxRv)
    return `${kernel} reduces P + S + ${f.rv - saeLayout(spec.dims).P - spec.dims.S} = ${f.rv} values per step, at most ${v.maxRv} fit (use d*s smaller)`;
  const wg = v.workgroup(t);
  if (wg > target.limits.maxComputeInvocationsPerWorkgroup)
    return `${kernel}: ${wg} invocations per workgroup, the device allows ${target.limits.maxComputeInvocationsPerWorkgroup}`;
  if (f.bytes > target.limits.maxComputeWorkgroupStorageSize)
    return `${kernel} needs ${f.bytes} bytes of workgroup memory at ${t} threads (${f.vars.map((x) => `${x.name} ${x.bytes}`).join(', ')}), the device allows ${target.limits.maxComputeWorkgroupStorageSize}`;
  const buffers = kernel === 'cpu' ? 10 : 9; // cpu: p-annealing's queue sums too
  if (target.limits.maxStorageBuffersPerShaderStage < buffers)
    return `needs ${buffers} storage buffers per stage, the device allows ${target.limits.maxStorageBuffersPerShaderStage}`;
  const shared = variantOf(spec.cfg).sharedMisfit;
  if (shared && kernel !== 'cpu') return shared;
  return null;
}
