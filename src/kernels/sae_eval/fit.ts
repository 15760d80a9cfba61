// The CPU-shaped evaluation's fit rule, shared by its version record (index.ts) and the config check
// (config/schema.ts: an SAE it fits needs no per-sample records, however many evaluation samples).
import { saeVariant } from '../../variants';

/** Larger SAEs keep private arrays in per-lane memory on software adapters (125 x 300 samples took 9 s on SwiftShader at d = 16, s = 64). */
export const CPU_EVAL_MAX_DS = 64;

/** Why the CPU-shaped evaluation cannot evaluate SAEs of this shape and variant (null: it can). */
export function cpuEvalMisfit(D: number, S: number, variant: string): string | null {
  if (D * S > CPU_EVAL_MAX_DS) return `d*s = ${D * S} > ${CPU_EVAL_MAX_DS}`;
  const v = saeVariant(variant);
  return v.fusedMisfit ?? v.evalMisfit ?? null;
}

/**
 * The detector (detect.wgsl, one invocation per model) keeps its S x N co-firing counts and the model private: bounded
 * so they stay arrays the unroller indexes by constants. The future-work bench's largest shape (k = 8: d = 8, s = 16,
 * n = 16) needs 128 and 256; at d = 16, s = 64, n = 40 (2,560 counts) SwiftShader spills them.
 */
export const DETECT_MAX_DS = 256;
export const DETECT_MAX_SN = 256;

/** Why the detector cannot count for SAEs of this shape and variant (null: it can). */
export function detectFitMisfit(D: number, S: number, N: number, variant: string): string | null {
  if (D * S > DETECT_MAX_DS) return `d*s = ${D * S} > ${DETECT_MAX_DS}`;
  if (S * N > DETECT_MAX_SN) return `s*n = ${S * N} > ${DETECT_MAX_SN}`;
  const v = saeVariant(variant);
  return v.fusedMisfit ?? v.evalMisfit ?? null;
}
