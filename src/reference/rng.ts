// Twin of shaders/rng_fill.wgsl.
import { rngU32, rngUnit } from '../core/rng';

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
