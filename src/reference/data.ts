// Twins of shaders/sample_data.wgsl (the production sampler in core/ is itself the twin) and
// shaders/copy_step.wgsl.
import type { GpuConfig } from '../core/wire';

export { sampleData } from '../core/sampler';

/** out[m, b, :] = src[t, b, :] for every model. */
export function copyStep(cfg: GpuConfig, t: number, W: number, src: ArrayLike<number>): Float32Array {
  const out = new Float32Array(cfg.M * cfg.B * W);
  for (let m = 0; m < cfg.M; m++)
    for (let b = 0; b < cfg.B; b++)
      for (let j = 0; j < W; j++) {
        out[(m * cfg.B + b) * W + j] = src[(t * cfg.B + b) * W + j];
      }
  return out;
}
