// The fused toy-model training step as a kernel unit (like sae_steps/): every version of the op "K whole
// toy-model steps per dispatch" is one entry of TOY_STEPS, as data: its WGSL file beside this module, how
// many threads per model it uses, its workgroup size and dispatch grid, its defines, why it cannot run a job,
// a one-line description, its check and twin; its
// workgroup-memory footprint is read from its WGSL at the job's defines (toyStepsFootprint). The toy
// trainer, the per-adapter choice and the kernel registry read it.
// (The other way to train the toy model, the modular kernels of one step, is not a version of this op.)
import type { ToyJobSpec } from '../../core/job';
import type { GpuConfig } from '../../core/wire';
import type { Grid } from '../../gpu/kernel';
import type { BenchCase, JobShape } from '../registry';
import { dimDefines, setDefines, type Defines } from '../defines';
import { shaderFacts } from '../../gpu/shader-facts';
import {
  NO_SUBGROUPS,
  SAE_STEPS,
  subgroupDefines,
  workgroupThreads,
  type AdapterDescription,
  type DeviceCaps,
  type FitTarget,
  type Footprint,
} from '../sae_steps';

export interface ToyStepsVersion {
  readonly name: string;
  readonly file: string;
  readonly summary: string;
  /** the adapters it is shaped for: the choice prefers such a version there */
  readonly shapedFor: 'software' | 'gpu';
  /** threads per model at a job (its own rule, or `requested`) */
  threads(spec: ToyJobSpec, target: FitTarget, requested?: number, subgroups?: boolean): number;
  /** threads per model the lab and the check list compile it with */
  readonly labThreads: number;
  /** workgroup size (WG define) at `threads` per model, on an adapter (none: the check list's default) */
  workgroup(threads: number, adapter?: AdapterDescription): number;
  /** the dispatch grid at a shape (the registry turns invocations into workgroups by the reflected size) */
  grid(s: JobShape): Grid;
  /** the defines it compiles with beyond the dims and sets, at `threads` (subgroups: the device has them and
   * they are wanted; cfg: the job's, where the version bakes fields in) */
  defines(threads: number, device: DeviceCaps, subgroups: boolean, kSteps?: number, cfg?: GpuConfig, adapter?: AdapterDescription): Defines;
  /** why it cannot run a job (null: it can) */
  misfit(spec: ToyJobSpec, target: FitTarget, threads?: number, subgroups?: boolean): string | null;
  describe(threads: number, subgroups: boolean, k: number): string;
  /** the check (src/checks) that judges it against the reference trainer */
  readonly check: string;
  readonly twin: 'reference/trainer: RefToyTrainer';
  readonly bench: BenchCase;
}

const fused: ToyStepsVersion = {
  name: 'fused',
  file: 'kernels/toy_steps/fused.wgsl',
  summary: 'K whole toy-model steps per dispatch, one workgroup per toy model',
  shapedFor: 'gpu',
  threads: (spec, target, requested, subgroups = true): number =>
    requested || workgroupThreads(spec.cfg.B, target, (t) => toyStepsFootprint(fused, spec, t, target, subgroups).bytes),
  labThreads: 64,
  workgroup: (t) => t,
  grid: (s) => ({ groups: [s.M, 1, 1] }),
  defines: (threads, device, subgroups, kSteps = 1) => ({ K_STEPS: kSteps, WG: threads, ...subgroupDefines(device, subgroups) }),
  misfit: (spec, target, threads, subgroups = true) => {
    if (spec.batches) return 'it samples its own data (no replay batches)';
    const wg = fused.threads(spec, target, threads, subgroups);
    const f = toyStepsFootprint(fused, spec, wg, target, subgroups);
    if (f.rv > 128) return `it reduces P + 1 = ${f.rv} values per step, at most 128 fit`;
    if (wg > target.limits.maxComputeInvocationsPerWorkgroup)
      return `${wg} threads per model, the device allows ${target.limits.maxComputeInvocationsPerWorkgroup}`;
    if (f.bytes > target.limits.maxComputeWorkgroupStorageSize)
      return `needs ${f.bytes} bytes of workgroup memory (${f.vars.map((x) => `${x.name} ${x.bytes}`).join(', ')}), the device allows ${target.limits.maxComputeWorkgroupStorageSize}`;
    return null;
  },
  describe: (t, sg, k) => `fused (${t} threads/model${sg ? ', subgroups' : ', workgroup-memory reduction'}, K=${k})`,
  check: 'train toy fused K=7: n=4 d=2 AdamW M=3, 50 steps',
  twin: 'reference/trainer: RefToyTrainer',
  bench: 'toy-fused',
};

const cpu: ToyStepsVersion = {
  name: 'cpu',
  file: 'kernels/toy_steps/cpu.wgsl',
  summary: 'K whole toy-model steps per dispatch, one invocation per toy model, sums in the modular order (CPU adapters)',
  shapedFor: 'software',
  threads: () => 1,
  labThreads: 1,
  // models per workgroup: the SAE cpu version's rule (one SIMD vector of models)
  workgroup: (_t, adapter) => SAE_STEPS.cpu.workgroup(1, adapter),
  grid: (s) => ({ threads: s.M }),
  // the sampler's table length baked in, then its constant-bound loops unrolled at load (src/gpu/unroll.ts)
  defines: (_t, _d, _sg, kSteps = 1, cfg, adapter) => ({
    K_STEPS: kSteps,
    WG: cpu.workgroup(1, adapter),
    UNROLL: 1,
    ...(cfg ? { SPECIALIZE: `table_len=${cfg.table_len}` } : {}),
  }),
  misfit: (spec) => (spec.batches ? 'it samples its own data (no replay batches)' : null),
  describe: (_t, _sg, k) => `cpu (1 invocation/model, K=${k})`,
  check: 'train toy cpu K=7: n=4 d=2 AdamW M=3, 50 steps',
  twin: 'reference/trainer: RefToyTrainer',
  bench: 'toy-fused',
};

export const TOY_STEPS = { fused, cpu } satisfies Record<string, ToyStepsVersion>;
export type ToyStepsKernel = keyof typeof TOY_STEPS;

/** A version's workgroup memory and reduced values (its const RV) at a job and thread count, read from its WGSL. */
export function toyStepsFootprint(v: ToyStepsVersion, spec: ToyJobSpec, threads: number, target: FitTarget, subgroups = true): Footprint {
  const sg = subgroups && target.features.has('subgroups');
  const f = shaderFacts(v.file, target.sources, {
    ...dimDefines({ ...spec.dims, S: 1 }),
    ...setDefines(spec.sets),
    ...NO_SUBGROUPS,
    ...v.defines(threads, target, sg),
  });
  return { rv: f.consts.get('RV') ?? 0, bytes: f.workgroupBytes, vars: f.vars };
}

/** A version's name checked against the unit (for names that come from outside, e.g. a registry entry). */
export function toyStepsKernel(name: string | undefined): ToyStepsKernel {
  if (!name || !(name in TOY_STEPS)) throw new Error(`unknown toy step version '${name}' (known: ${Object.keys(TOY_STEPS).join(', ')})`);
  return name as ToyStepsKernel;
}
