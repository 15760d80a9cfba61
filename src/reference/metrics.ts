// Twins of shaders/sae_probe.wgsl and shaders/sae_eval.wgsl (docs/science.md §5 metrics), in f64.
import { detWidth, FLAG, MET, saeLayout, toyLayout, type Dims, type GpuConfig, type Hyper } from '../core/wire';
import { forwardSample, latentParams, saeActivation } from './sae';

export function saeProbe(
  cfg: GpuConfig,
  dims: Dims,
  toyParams: ArrayLike<number>,
  params: ArrayLike<number>,
  metrics: Float64Array,
  bthr?: ArrayLike<number>,
): Float64Array {
  const { N, D, S } = dims;
  const L = saeLayout(dims),
    T = toyLayout(dims);
  const probe = new Float64Array(cfg.M * N * S);
  const preBias = (cfg.flags & FLAG.PRE_BIAS) !== 0 ? 1 : 0;
  for (let m = 0; m < cfg.M; m++) {
    const tp = (m % cfg.toy_count) * T.P,
      p = m * L.P;
    const mx = new Float64Array(S),
      sum = new Float64Array(S);
    const lp = latentParams(dims, params, p);
    for (let i = 0; i < N; i++) {
      const pre = Array.from({ length: S }, (_, k) => {
        let acc = params[p + L.BE + k];
        for (let j = 0; j < D; j++) acc += params[p + L.WE + k * D + j] * (toyParams[tp + i * D + j] - preBias * params[p + L.BD + j]);
        return acc;
      });
      saeActivation(cfg, pre, lp, bthr?.[m] ?? 0).forEach((a, k) => {
        probe[(m * N + i) * S + k] = a;
        mx[k] = Math.max(mx[k], a);
        sum[k] += a;
      });
    }
    let mono = 0,
      dead = 0;
    for (let k = 0; k < S; k++) {
      mono += mx[k] / (1e-10 + sum[k]);
      if (mx[k] <= 1e-6) dead++;
    }
    metrics[m * L.MET_W + MET.MONO] = mono / S;
    metrics[m * L.MET_W + MET.DEAD_PROBE] = dead;
  }
  return probe;
}

export function saeEval(
  cfg: GpuConfig,
  dims: Dims,
  hyper: Hyper[],
  acts: ArrayLike<number>,
  toyParams: ArrayLike<number>,
  toyWork: ArrayLike<number>,
  work: ArrayLike<number>,
  metrics: Float64Array,
): void {
  const { N, D, S } = dims;
  const L = saeLayout(dims),
    T = toyLayout(dims);
  for (let m = 0; m < cfg.M; m++) {
    const tp = (m % cfg.toy_count) * T.P;
    let fvu = 0,
      rec = 0,
      pen = 0,
      l1 = 0,
      l0 = 0,
      se = 0,
      hh = 0,
      so = 0,
      xx = 0;
    const mh = new Float64Array(D),
      mx = new Float64Array(N),
      fired = new Array<boolean>(S).fill(false);
    for (let b = 0; b < cfg.B; b++) {
      const row = m * cfg.B + b,
        w = row * L.REC,
        a = row * cfg.act_stride + cfg.act_offset,
        tw = row * T.REC;
      fvu += work[w + L.LOSS];
      l1 += work[w + L.LOSS + 1];
      l0 += work[w + L.LOSS + 4];
      rec += work[w + L.LOSS + 5];
      pen += work[w + L.LOSS + 2];
      for (let k = 0; k < S; k++) if (work[w + L.F + k] > 1e-6) fired[k] = true;
      for (let j = 0; j < D; j++) {
        const e = work[w + L.E + j],
          h = acts[a + j];
        se += e * e;
        hh += h * h;
        mh[j] += h;
      }
      for (let i = 0; i < N; i++) {
        let u = toyParams[tp + T.B + i];
        for (let j = 0; j < D; j++) u += toyParams[tp + i * D + j] * (acts[a + j] + work[w + L.E + j]);
        const xhat = toyWork[tw + T.XHAT + i];
        so += (Math.max(u, 0) - xhat) ** 2;
        xx += xhat * xhat;
        mx[i] += xhat;
      }
    }
    const nb = cfg.B;
    const varH = hh - mh.reduce((s, v) => s + v * v, 0) / nb;
    const varX = xx - mx.reduce((s, v) => s + v * v, 0) / nb;
    const o = m * L.MET_W;
    metrics[o + MET.FVU] = fvu / nb;
    metrics[o + MET.L1] = l1 / nb;
    metrics[o + MET.L0] = l0 / nb;
    metrics[o + MET.DEAD_BATCH] = fired.filter((f) => !f).length;
    metrics[o + MET.EV_H] = 1 - se / Math.max(varH, 1e-30);
    metrics[o + MET.EV_OUT] = 1 - so / Math.max(varX, 1e-30);
    metrics[o + MET.PEN] = pen / nb;
    metrics[o + MET.SEL] = rec / nb + (hyper[m].l1 * pen) / nb;
  }
}

/**
 * Twin of kernels/sae_eval/detect.wgsl: per model, on the evaluation's draws (x: sampleData at step t with the
 * models' salted seeds, cfg.B samples each), fired[k] = #{f_k > 0}, active[i] = #{x_i > 0}, both[k][i], and the
 * shrinkage sums (|hhat| / |h| over samples with |h| > 1e-6). `bthr`: BatchTopK's evaluation threshold per model.
 */
export function saeDetect(
  cfg: GpuConfig,
  dims: Dims,
  x: ArrayLike<number>,
  toyParams: ArrayLike<number>,
  params: ArrayLike<number>,
  bthr?: ArrayLike<number>,
): Float64Array {
  const { N, D, S } = dims;
  const L = saeLayout(dims),
    T = toyLayout(dims);
  const W = detWidth(dims);
  const out = new Float64Array(cfg.M * W);
  const acts = new Float64Array(D);
  const one = { ...cfg, M: 1, B: 1, act_stride: D, act_offset: 0 };
  for (let m = 0; m < cfg.M; m++) {
    const tp = (m % cfg.toy_count) * T.P,
      o = m * W;
    for (let b = 0; b < cfg.B; b++) {
      const xb = (m * cfg.B + b) * N;
      for (let j = 0; j < D; j++) {
        let a = 0;
        for (let i = 0; i < N; i++) a += toyParams[tp + i * D + j] * x[xb + i];
        acts[j] = a;
      }
      const s = forwardSample(one, dims, params, m * L.P, acts, 0, bthr?.[m] ?? 0);
      const hn = Math.sqrt(s.h.reduce((a, v) => a + v * v, 0)),
        on = Math.sqrt(s.hhat.reduce((a, v) => a + v * v, 0));
      if (hn > 1e-6) {
        out[o + W - 2] += on / hn;
        out[o + W - 1]++;
      }
      for (let i = 0; i < N; i++) if (x[xb + i] > 0) out[o + S + i]++;
      for (let k = 0; k < S; k++)
        if (s.f[k] > 0) {
          out[o + k]++;
          for (let i = 0; i < N; i++) if (x[xb + i] > 0) out[o + S + N + k * N + i]++;
        }
    }
  }
  return out;
}
