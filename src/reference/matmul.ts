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

/** Twin of the GEMM unit (src/kernels/gemm): C (M x N) = op(A) op(B) (+ c0), f64 accumulation. op(A) is M x K,
 * stored K x M when ta; op(B) is K x N, stored N x K when tb; row-major. */
export function gemm(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  s: { M: number; K: number; N: number; ta: boolean; tb: boolean },
  c0?: ArrayLike<number>,
): Float64Array {
  const { M, K, N, ta, tb } = s;
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += (ta ? a[k * M + i] : a[i * K + k]) * (tb ? b[j * K + k] : b[k * N + j]);
      c[i * N + j] = (c0 ? c0[i * N + j] : 0) + acc;
    }
  return c;
}
