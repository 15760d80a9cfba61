// Twin of shaders/lib/rng.wgsl: the same counter-based hash, bit for bit.

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

/** Twin of shaders/rng_fill.wgsl. */
export function rngFill(p: { seed: number; stream: number; step: number; rows: number; cols: number }): { u32: Uint32Array; unit: Float32Array } {
  const n = p.rows * p.cols;
  const u32 = new Uint32Array(n);
  const unit = new Float32Array(n);
  for (let r = 0; r < p.rows; r++) {
    for (let c = 0; c < p.cols; c++) {
      u32[r * p.cols + c] = rngU32(p.seed, p.stream, p.step, r, c);
      unit[r * p.cols + c] = rngUnit(p.seed, p.stream, p.step, r, c);
    }
  }
  return { u32, unit };
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
