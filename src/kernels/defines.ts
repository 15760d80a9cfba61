// Compile-time defines every kernel of a job shares: the model dims and the feature sets.
import { type RecGroups, recGroups, xpBlocks } from '../core/wire';

export type Defines = Record<string, string | number>;

/** The dims, the SAE's nested reconstructions (wire.ts RecGroups; one when the shape has none) and its extra per-latent parameter blocks. */
export const dimDefines = (s: { N: number; D: number; S: number; nested?: RecGroups; xp?: number }): Defines => {
  const g = recGroups(s);
  return {
    N_FEAT: s.N,
    D_HID: s.D,
    S_LAT: s.S,
    REC_G: g.ends.length,
    REC_ENDS: g.ends.map((e) => `${e}u`).join(', '),
    REC_W: g.weights.map((w) => f32Literal(w)).join(', '),
    XP_N: xpBlocks(s),
  };
};

/** A WGSL f32 literal of w (always with a decimal point or exponent). */
function f32Literal(w: number): string {
  const t = String(w);
  return /[.e]/.test(t) ? t : `${t}.0`;
}
export const setDefines = (sets: number[]): Defines => ({ N_SETS: sets.length, SET_SIZES: sets.map((k) => `${k}u`).join(', ') });
