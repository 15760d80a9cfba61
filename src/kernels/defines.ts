// Compile-time defines every kernel of a job shares: the model dims and the feature sets.
export type Defines = Record<string, string | number>;

export const dimDefines = (s: { N: number; D: number; S: number }): Defines => ({ N_FEAT: s.N, D_HID: s.D, S_LAT: s.S });
export const setDefines = (sets: number[]): Defines => ({ N_SETS: sets.length, SET_SIZES: sets.map((k) => `${k}u`).join(', ') });
