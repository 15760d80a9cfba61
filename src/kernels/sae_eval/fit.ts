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
