// Twin of shaders/adam.wgsl (PyTorch Adam/AdamW with decoupled weight decay), in f64.
import { NOT_DIVERGED, lrFactor, type GpuConfig, type Hyper } from '../core/wire';

export function adamStep(
  cfg: GpuConfig,
  hyper: Hyper[],
  t: number,
  status: Uint32Array,
  P: number,
  grads: ArrayLike<number>,
  params: Float64Array,
  m1: Float64Array,
  v: Float64Array,
): void {
  const step = t + 1;
  const bc1 = 1 - cfg.beta1 ** step;
  const bc2 = 1 - cfg.beta2 ** step;
  for (let m = 0; m < cfg.M; m++) {
    if (status[m] !== NOT_DIVERGED) continue;
    const lr = hyper[m].lr * lrFactor(t, cfg.T, cfg.warmup, cfg.cooldown);
    for (let q = 0; q < P; q++) {
      const i = m * P + q;
      const g = grads[i];
      m1[i] = cfg.beta1 * m1[i] + (1 - cfg.beta1) * g;
      v[i] = cfg.beta2 * v[i] + (1 - cfg.beta2) * g * g;
      let p = params[i] * (1 - lr * cfg.weight_decay);
      p -= ((lr / bc1) * m1[i]) / (Math.sqrt(v[i]) / Math.sqrt(bc2) + cfg.eps);
      params[i] = p;
    }
  }
}
