// Twins of the toy-model kernels (toy_forward, toy_grad, toy_loss) and a direct loss for
// finite-difference checks. f64 throughout; buffers laid out exactly as on the GPU.
import { NOT_DIVERGED, toyLayout, type Dims, type GpuConfig } from '../core/wire';

export function toyForward(
  cfg: GpuConfig,
  dims: Pick<Dims, 'N' | 'D'>,
  x: ArrayLike<number>,
  toyParams: ArrayLike<number>,
  importance: ArrayLike<number>,
): Float64Array {
  const { N, D } = dims;
  const L = toyLayout(dims);
  const work = new Float64Array(cfg.M * cfg.B * L.REC);
  const scale = 2 / (cfg.B * N);
  for (let row = 0; row < cfg.M * cfg.B; row++) {
    const m = Math.floor(row / cfg.B);
    const p = (m % cfg.toy_count) * L.P;
    const xb = row * N,
      w = row * L.REC;
    const h = new Float64Array(D);
    for (let j = 0; j < D; j++) {
      let acc = 0;
      for (let i = 0; i < N; i++) acc += toyParams[p + i * D + j] * x[xb + i];
      h[j] = acc;
      work[w + L.H + j] = acc;
    }
    let loss = 0;
    for (let i = 0; i < N; i++) {
      let u = toyParams[p + L.B + i];
      for (let j = 0; j < D; j++) u += toyParams[p + i * D + j] * h[j];
      const xhat = Math.max(u, 0);
      const err = x[xb + i] - xhat;
      loss += importance[i] * err * err;
      const delta = u > 0 ? -scale * importance[i] * err : 0;
      work[w + L.XHAT + i] = xhat;
      work[w + L.DELTA + i] = delta;
      for (let j = 0; j < D; j++) work[w + L.G + j] += delta * toyParams[p + i * D + j];
    }
    work[w + L.LOSS] = loss / N;
  }
  return work;
}

export function toyGrad(cfg: GpuConfig, dims: Pick<Dims, 'N' | 'D'>, x: ArrayLike<number>, work: ArrayLike<number>): Float64Array {
  const { N, D } = dims;
  const L = toyLayout(dims);
  const grads = new Float64Array(cfg.M * L.P);
  for (let m = 0; m < cfg.M; m++) {
    for (let b = 0; b < cfg.B; b++) {
      const row = m * cfg.B + b,
        w = row * L.REC;
      for (let i = 0; i < N; i++) {
        const delta = work[w + L.DELTA + i],
          xi = x[row * N + i];
        for (let j = 0; j < D; j++) grads[m * L.P + i * D + j] += delta * work[w + L.H + j] + xi * work[w + L.G + j];
        grads[m * L.P + L.B + i] += delta;
      }
    }
  }
  return grads;
}

/** Batch-mean loss per model; marks divergence; returns the losses. */
export function toyLoss(cfg: GpuConfig, dims: Pick<Dims, 'N' | 'D'>, t: number, work: ArrayLike<number>, status: Uint32Array): Float64Array {
  const L = toyLayout(dims);
  const out = new Float64Array(cfg.M);
  for (let m = 0; m < cfg.M; m++) {
    let acc = 0;
    for (let b = 0; b < cfg.B; b++) acc += work[(m * cfg.B + b) * L.REC + L.LOSS];
    out[m] = acc / cfg.B;
    if (!Number.isFinite(out[m]) && status[m] === NOT_DIVERGED) status[m] = t;
  }
  return out;
}

/** The toy loss of one model written directly from docs/science.md §2 (independent of the kernels' algebra). */
export function toyLossDirect(dims: Pick<Dims, 'N' | 'D'>, params: ArrayLike<number>, x: ArrayLike<number>, B: number, importance: ArrayLike<number>): number {
  const { N, D } = dims;
  let total = 0;
  for (let b = 0; b < B; b++) {
    const h = new Array(D).fill(0);
    for (let j = 0; j < D; j++) for (let i = 0; i < N; i++) h[j] += params[i * D + j] * x[b * N + i];
    for (let i = 0; i < N; i++) {
      let u = params[N * D + i];
      for (let j = 0; j < D; j++) u += params[i * D + j] * h[j];
      total += importance[i] * (x[b * N + i] - Math.max(u, 0)) ** 2;
    }
  }
  return total / (B * N);
}
