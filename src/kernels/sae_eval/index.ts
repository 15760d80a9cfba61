// The evaluation on fresh samples as a kernel unit (like sae_steps/): its versions as data, each the list of
// kernels one evaluation dispatches, its fit rule, its extra defines and its check. evaluate.ts and the
// registry read it. Same samples and formulas in both versions, sums in another order:
//   modular: sample_data -> toy_forward -> [the variant's pre-pass] -> sae_forward -> sae_probe -> sae_eval
//     (per-sample records of every model, reduced in workgroups);
//   cpu: cpu.wgsl + sae_probe (one invocation per model walks its samples, no records; 1,000,000 samples of
//     125 study SAEs: about 1 s against 44 s modular on lavapipe).
import type { GpuConfig } from '../../core/wire';
import type { AdapterReport } from '../../gpu/context';
import { variantOf } from '../../variants';
import type { Defines } from '../registry';
import { SAE_STEPS, type DeviceCaps } from '../sae_steps';
import { cpuEvalMisfit } from './fit';

export interface SaeEvalVersion {
  readonly name: string;
  readonly summary: string;
  /** the kernels one evaluation dispatches, in order */
  files(cfg: GpuConfig): string[];
  /** why it cannot evaluate these SAEs (null: it can) */
  misfit(dims: { D: number; S: number; N: number }, cfg: GpuConfig, adapter?: AdapterReport): string | null;
  /** defines beyond the registry's for one of its files */
  defines(file: string, cfg: GpuConfig, device: DeviceCaps, adapter: Pick<AdapterReport, 'description'>): Defines;
  /** the adapters it is shaped for (the choice prefers such a version there) */
  readonly shapedFor: 'software' | 'any';
  readonly check: string;
}

const CPU_FILE = 'kernels/sae_eval/cpu.wgsl';
/** each latent as a detector of the true features, and shrinkage (one invocation per model; after either version) */
const DETECT_FILE = 'kernels/sae_eval/detect.wgsl';

export const SAE_EVAL = {
  modular: {
    name: 'modular',
    summary: 'the per-sample kernels of a training step, then one workgroup reduction per model',
    files: (cfg) => {
      const pre = variantOf(cfg).prepass;
      return ['sample_data.wgsl', 'toy_forward.wgsl', ...(pre ? [pre] : []), 'sae_forward.wgsl', 'sae_probe.wgsl', 'sae_eval.wgsl'];
    },
    misfit: () => null,
    defines: () => ({}),
    shapedFor: 'any',
    check: 'kernel sae_probe_eval',
  },
  cpu: {
    name: 'cpu',
    summary: 'the evaluation on fresh samples in one kernel, one invocation per model (CPU adapters)',
    files: () => [CPU_FILE, 'sae_probe.wgsl'],
    // fit.ts: small SAEs (BatchTopK's threshold: a radix select over the batch before it, bthr for sae_probe after it)
    misfit: (dims, cfg, adapter) => cpuEvalMisfit(dims.D, dims.S, dims.N, variantOf(cfg).name, adapter),
    // the cpu SAE step's workgroup (SIMD lanes), specialisation and unrolling
    defines: (file, cfg, device, adapter) =>
      file === CPU_FILE ? { WG: SAE_STEPS.cpu.workgroup(1, adapter), ...SAE_STEPS.cpu.defines(device, false, cfg) } : {},
    shapedFor: 'software',
    check: 'kernel sae_eval_cpu',
  },
} satisfies Record<string, SaeEvalVersion>;

export type EvalKernel = Extract<keyof typeof SAE_EVAL, string>;
export const SAE_EVAL_CPU_FILE = CPU_FILE;
export const SAE_DETECT_FILE = DETECT_FILE;

/** Why the detector kernel cannot count for these SAEs (null: it can): it is CPU-shaped, so it fits where the CPU-shaped evaluation's model does. */
export function detectMisfit(dims: { D: number; S: number; N: number }, cfg: GpuConfig): string | null {
  return cpuEvalMisfit(dims.D, dims.S, dims.N, variantOf(cfg).name);
}

/** The detector kernel's defines: the CPU-shaped evaluation's (workgroup of SIMD lanes, specialisation). */
export function detectDefines(cfg: GpuConfig, device: DeviceCaps, adapter: Pick<AdapterReport, 'description'>): Defines {
  return SAE_EVAL.cpu.defines(CPU_FILE, cfg, device, adapter);
}
