// The fused toy-model training step as a kernel unit (like sae_steps/): every version of the op "K whole
// toy-model steps per dispatch" is one entry of TOY_STEPS, as data: its WGSL file beside this module, how
// many threads per model it uses, why it cannot run a job, a one-line description, its check and twin; its
// workgroup-memory footprint is read from its WGSL at the job's defines (toyStepsFootprint). The toy
// trainer, the per-adapter choice and the kernel registry read it.
// (The other way to train the toy model, the modular kernels of one step, is not a version of this op.)
import type { ToyJobSpec } from '../../core/job';
import type { BenchCase } from '../registry';
import { dimDefines, setDefines, type Defines } from '../defines';
import { shaderFacts } from '../../gpu/shader-facts';
import { NO_SUBGROUPS, subgroupDefines, workgroupThreads, type DeviceCaps, type FitTarget, type Footprint } from '../sae_steps';

export interface ToyStepsVersion {
  readonly name: string;
  readonly file: string;
  readonly summary: string;
  /** threads per model at a job (its own rule, or `requested`) */
  threads(spec: ToyJobSpec, target: FitTarget, requested?: number, subgroups?: boolean): number;
  /** the defines it compiles with beyond the dims and sets, at `threads` (subgroups: the device has them and they are wanted) */
  defines(threads: number, device: DeviceCaps, subgroups: boolean, kSteps?: number): Defines;
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
  threads: (spec, target, requested, subgroups = true): number =>
    requested || workgroupThreads(spec.cfg.B, target, (t) => toyStepsFootprint(fused, spec, t, target, subgroups).bytes),
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

export const TOY_STEPS = { fused } satisfies Record<string, ToyStepsVersion>;

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
