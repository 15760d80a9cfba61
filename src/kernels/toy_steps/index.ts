// The fused toy-model training step as a kernel unit (like sae_steps/): every version of the op "K whole
// toy-model steps per dispatch" is one entry of TOY_STEPS, as data: its WGSL file beside this module, how
// many threads per model it uses, why it cannot run a job, its workgroup-memory footprint, a one-line
// description, its check and twin. The toy trainer, the per-adapter choice and the kernel registry read it.
// (The other way to train the toy model, the modular kernels of one step, is not a version of this op.)
import { toyLayout } from '../../core/wire';
import type { ToyJobSpec } from '../../core/job';
import type { BenchCase } from '../registry';
import { workgroupThreads, type DeviceCaps } from '../sae_steps';

export interface ToyStepsVersion {
  readonly name: string;
  readonly file: string;
  readonly summary: string;
  /** threads per model at a job (its own rule, or `requested`) */
  threads(spec: ToyJobSpec, device: DeviceCaps, requested?: number, subgroups?: boolean): number;
  /** reduced values per step and workgroup memory in bytes at `threads` */
  footprint(dims: { N: number; D: number }, threads: number, subgroups: boolean): { rv: number; bytes: number };
  /** why it cannot run a job (null: it can) */
  misfit(spec: ToyJobSpec, device: DeviceCaps, threads?: number, subgroups?: boolean): string | null;
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
  threads: (spec, device, requested, subgroups = true): number =>
    requested || workgroupThreads(spec.cfg.B, device, (t) => fused.footprint(spec.dims, t, subgroups && device.features.has('subgroups')).bytes),
  // part [rv][WG/4] (+ red_fb [rv][WG] without subgroups) of lib/wg_partials.wgsl, wt [P]
  footprint: (dims, threads, sg) => {
    const P = toyLayout(dims).P;
    const rv = P + 1;
    return { rv, bytes: (rv * (threads / 4) + (sg ? 1 : rv * threads) + P) * 4 };
  },
  misfit: (spec, device, threads, subgroups = true) => {
    if (spec.batches) return 'it samples its own data (no replay batches)';
    const wg = fused.threads(spec, device, threads, subgroups);
    const f = fused.footprint(spec.dims, wg, subgroups && device.features.has('subgroups'));
    if (f.rv > 128) return `it reduces P + 1 = ${f.rv} values per step, at most 128 fit`;
    if (wg > device.limits.maxComputeInvocationsPerWorkgroup)
      return `${wg} threads per model, the device allows ${device.limits.maxComputeInvocationsPerWorkgroup}`;
    if (f.bytes > device.limits.maxComputeWorkgroupStorageSize)
      return `needs ${f.bytes} bytes of workgroup memory, the device allows ${device.limits.maxComputeWorkgroupStorageSize}`;
    return null;
  },
  describe: (t, sg, k) => `fused (${t} threads/model${sg ? ', subgroups' : ', workgroup-memory reduction'}, K=${k})`,
  check: 'train toy fused K=7: n=4 d=2 AdamW M=3, 50 steps',
  twin: 'reference/trainer: RefToyTrainer',
  bench: 'toy-fused',
};

export const TOY_STEPS = { fused } satisfies Record<string, ToyStepsVersion>;
