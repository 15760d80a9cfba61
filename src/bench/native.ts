// The native fp32 GEMM the wide engine's kernels are measured against, in the same run: numpy's matmul
// (OpenBLAS sgemm on Debian) through python3, on every core of the machine. Node only. Optional: where python3
// or numpy is missing, the reason is returned and printed, never skipped silently.
import { spawnSync } from 'node:child_process';

export type NativeGemm = { gflops: number; how: string } | { gflops: null; why: string };

const SCRIPT = `
import sys, time
import numpy as np
M, K, N = map(int, sys.argv[1:4])
rng = np.random.default_rng(0)
a = rng.standard_normal((M, K), dtype=np.float32)
b = rng.standard_normal((K, N), dtype=np.float32)
a @ b
ts = []
for _ in range(5):
    t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
ts.sort()
cfg = ''
try:
    import numpy.__config__ as c
    cfg = ' '.join(str(v.get('name', '')) for k, v in c.CONFIG.get('Build Dependencies', {}).items() if k in ('blas',))
except Exception:
    pass
print(2 * M * K * N / ts[2] / 1e9, np.__version__, cfg or 'unknown BLAS')
`;

/** GFLOP/s of numpy's fp32 matmul [M x K] . [K x N] (median of 5 after one warm-up). */
export function nativeSgemm(M: number, K: number, N: number): NativeGemm {
  const r = spawnSync('python3', ['-c', SCRIPT, String(M), String(K), String(N)], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { gflops: null, why: `python3 not runnable (${r.error.message})` };
  if (r.status !== 0) return { gflops: null, why: `numpy matmul failed: ${(r.stderr || '').trim().split('\n').pop()}` };
  const [g, version, ...blas] = r.stdout.trim().split(/\s+/);
  return { gflops: Number(g), how: `numpy ${version} (${blas.join(' ')}) a @ b, median of 5` };
}
