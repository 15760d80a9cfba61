// Twin of shaders/matmul_batched.wgsl: C[m] = A[m] (R x K) * B[m] (K x N), row-major, accumulated in f64.

export function matmulBatched(a: ArrayLike<number>, b: ArrayLike<number>, M: number, R: number, K: number, N: number): Float64Array {
  const c = new Float64Array(M * R * N);
  for (let m = 0; m < M; m++) {
    const ao = m * R * K,
      bo = m * K * N,
      co = m * R * N;
    for (let i = 0; i < R; i++) {
      for (let k = 0; k < K; k++) {
        const aik = a[ao + i * K + k];
        if (aik === 0) continue;
        for (let j = 0; j < N; j++) c[co + i * N + j] += aik * b[bo + k * N + j];
      }
    }
  }
  return c;
}
