// The CPU-shaped evaluation's fit rule (cpu.wgsl and the detector, detect.wgsl: one invocation per model walking its
// samples), shared by their version records (index.ts) and the config check (config/schema.ts: an SAE it fits needs
// no per-sample records, however many evaluation samples).
import { type AdapterReport, isSoftwareAdapter } from '../../gpu/context';
import { saeVariant } from '../../variants';

/**
 * Both keep the model (d x s twice) and the detector its s x n co-firing counts in private arrays the unroller
 * indexes by constants. The future-work bench's largest shape (two sets of k = 8: d = 8, s = 16, n = 16) needs 128
 * and 256; past these the GPU-shaped (modular) evaluation runs, and the detector does not count. (At d = 16,
 * s = 64, 125 models x 300 samples took 9 s on SwiftShader, where private arrays spill.)
 */
export const CPU_EVAL_MAX_DS = 256;
export const CPU_EVAL_MAX_SN = 256;

/**
 * BatchTopK's threshold pass (a radix select over the batch, lib/batch_threshold.wgsl) inside the CPU-shaped
 * evaluation, unrolled past d x s = 64: at d = 8, s = 16 SwiftShader's compiler passed 19 GB and 10 minutes without
 * finishing, where lavapipe compiled it in 5 s. Software adapters other than lavapipe keep the old bound for it.
 */
export const BATCH_PASS_MAX_DS_SWIFTSHADER = 64;

type Adapter = Pick<AdapterReport, 'isFallbackAdapter' | 'vendor' | 'architecture' | 'description'>;

/**
 * Why the CPU-shaped evaluation and the detector cannot evaluate SAEs of this shape and variant (null: they can);
 * with the adapter, also its own compiler's limits (the detector alone has none of them).
 */
export function cpuEvalMisfit(D: number, S: number, N: number, variant: string, adapter?: Adapter): string | null {
  if (D * S > CPU_EVAL_MAX_DS) return `d*s = ${D * S} > ${CPU_EVAL_MAX_DS}`;
  if (S * N > CPU_EVAL_MAX_SN) return `s*n = ${S * N} > ${CPU_EVAL_MAX_SN}`;
  const v = saeVariant(variant);
  const lavapipe = adapter && /llvmpipe|lavapipe/i.test(`${adapter.vendor} ${adapter.architecture} ${adapter.description}`);
  if (v.prepass && adapter && isSoftwareAdapter(adapter) && !lavapipe && D * S > BATCH_PASS_MAX_DS_SWIFTSHADER)
    return `d*s = ${D * S} > ${BATCH_PASS_MAX_DS_SWIFTSHADER} with ${variant}'s threshold pass on this software adapter (its compiler runs out of memory there)`;
  return v.fusedMisfit ?? v.evalMisfit ?? null;
}
