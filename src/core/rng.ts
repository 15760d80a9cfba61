// The counter-based RNG of shaders/lib/rng.wgsl, bit for bit: GPU kernels, the sampler and the CPU
// reference all draw from it, so the same seed gives the same data everywhere.

export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

export function rngU32(seed: number, stream: number, a: number, b: number, c: number): number {
  let h = pcgHash((seed ^ 0x9e3779b9) >>> 0);
  h = pcgHash((h ^ stream) >>> 0);
  h = pcgHash((h ^ a) >>> 0);
  h = pcgHash((h ^ b) >>> 0);
  return pcgHash((h ^ c) >>> 0);
}

/** U[0,1) with 24 random bits: exactly representable in f32, so GPU and CPU agree exactly. */
export function rngUnit(seed: number, stream: number, a: number, b: number, c: number): number {
  return (rngU32(seed, stream, a, b, c) >>> 8) / 16777216;
}

/** Named streams so different uses of the RNG never share draws. */
export const STREAM = {
  test: 0,
  toyInit: 1,
  saeInit: 2,
  data: 3,
  probe: 4,
  medianSample: 5,
  evalData: 6,
} as const;
