// The GEMM unit's operands (src/kernels/gemm): C (M x N) = op(A) op(B), or C += op(A) op(B) when
// params.accumulate != 0. op(A) is M x K, stored row-major as M x K, or as K x M when TA (A transposed);
// op(B) is K x N, stored as K x N, or as N x K when TB. All row-major f32. TA and TB are compile-time
// defines, so each layout is its own pipeline and the untaken branch is dropped. TC: C is written transposed
// (N x M), so a version may run the transposed problem C^T = op(B)^T op(A)^T where that shape suits it better.
// Bindings: @0 params (uniform {M, K, N, accumulate}), @1 a (storage read), @2 b (storage read),
//           @3 c (storage rw, M*N).

struct Params {
  M: u32,
  K: u32,
  N: u32,
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const TA: bool = {{TA}};
const TB: bool = {{TB}};
const TC: bool = {{TC}};

// op(A)[i, k]; the caller keeps i < M and k < K
fn a_at(i: u32, k: u32) -> f32 {
  if (TA) {
    return a[k * params.M + i];
  }
  return a[i * params.K + k];
}

// op(B)[k, j]; the caller keeps k < K and j < N
fn b_at(k: u32, j: u32) -> f32 {
  if (TB) {
    return b[j * params.K + k];
  }
  return b[k * params.N + j];
}

fn c_put(i: u32, j: u32, v: f32) {
  var o = i * params.N + j;
  if (TC) {
    o = j * params.M + i;
  }
  if (params.accumulate != 0u) {
    c[o] = c[o] + v;
  } else {
    c[o] = v;
  }
}
