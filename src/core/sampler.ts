// The composed-feature sampler (docs/science.md §1) on the CPU: the same draws as shaders/sample_data.wgsl,
// bit for bit. Amplitude mixing is done in f32 (Math.fround) to match the GPU up to a possible fused
// multiply-add (<= 1 ulp). Used for the geometric-median init and as the kernel's twin.
import { rngUnit, STREAM } from './rng';
import type { GpuConfig, Hyper } from './wire';

function searchCdf(tables: Float32Array, start: number, len: number, u: number): number {
  let lo = 0,
    hi = len - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u < tables[start + mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function sampleData(cfg: GpuConfig, hyper: Hyper[], t: number, sets: number[], tables: Float32Array): Float32Array {
  const N = sets.reduce((a, b) => a + b, 0);
  const x = new Float32Array(cfg.M * cfg.B * N);
  const f = Math.fround;
  const rho = f(cfg.rho),
    oneMinus = f(1 - rho),
    pOne = f(cfg.p_onehot),
    pEmpty = f(cfg.p_set_empty);
  for (let m = 0; m < cfg.M; m++) {
    const seed = hyper[m].seed >>> 0;
    for (let b = 0; b < cfg.B; b++) {
      const base = (m * cfg.B + b) * N;
      const a0 = rngUnit(seed, STREAM.data, t, b, 2);
      const uPick = rngUnit(seed, STREAM.data, t, b, 1);
      if (rngUnit(seed, STREAM.data, t, b, 0) < pOne) {
        x[base + searchCdf(tables, cfg.table_len, N, uPick)] = a0;
        continue;
      }
      let c = searchCdf(tables, 0, cfg.table_len, uPick);
      let offset = N;
      for (let j = sets.length - 1; j >= 0; j--) {
        const k = sets[j];
        offset -= k;
        const fi = c % k;
        c = Math.floor(c / k);
        if (rngUnit(seed, STREAM.data, t, b, 2 + sets.length + j) < pEmpty) continue;
        const a = j > 0 ? f(f(oneMinus * rngUnit(seed, STREAM.data, t, b, 2 + j)) + f(rho * a0)) : a0;
        x[base + offset + fi] = a;
      }
    }
  }
  return x;
}
