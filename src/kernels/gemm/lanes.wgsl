// gemm lanes (version 4, shaped for software adapters): C = op(A) op(B) (+ C) with no workgroup memory and
// no barriers. A software adapter runs a workgroup's invocations as SIMD lanes and is fast only while values
// stay in registers, so each invocation keeps TM x TN = 8 x 4 outputs in private accumulators (constant
// indices after the UNROLL define), the 8 rows are the same for the whole workgroup (their A loads are one
// value for all lanes), and lane l of the workgroup owns columns j0 + l + 64 q, q < 4 (neighbouring lanes
// read neighbouring B values where B's rows are contiguous). Per k: 8 + 4 loads for 32 FMAs. Of the shapes
// tried on lavapipe at 1,024 x 768 x 4,096 (TM x TN = 4x4, 8x4, 4x8, 8x2, 6x4), 8 x 4 was fastest.
// Bindings: lib/gemm_io.wgsl (@0 params, @1 a, @2 b, @3 c).
// Dispatch: workgroups (ceil(N / 256), ceil(M / 8)) of 64. Twin: src/reference/matmul.ts (gemm).
//#include "lib/gemm_io.wgsl"

const TM: u32 = 8u;
const TN: u32 = 4u;
const LANES: u32 = 64u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let M = params.M;
  let K = params.K;
  let N = params.N;
  let i0 = wid.y * TM;
  let j0 = wid.x * LANES * TN + lane;
  var acc: array<f32, TM * TN>;
  // Rows past the edge read row M - 1 and are not written; their loads are the same for every lane (uniform).
  // Columns: a workgroup inside the matrix indexes B by lane directly, one at its right edge clamps to column
  // N - 1. The clamp costs 1.4-1.7x on lavapipe (1,024 x 768 x 4,096), so it is taken only at the edge.
  if (wid.x * LANES * TN + LANES * TN <= N) {
    for (var k = 0u; k < K; k++) {
      var av: array<f32, TM>;
      for (var r = 0u; r < TM; r++) {
        av[r] = a_at(min(i0 + r, M - 1u), k);
      }
      for (var q = 0u; q < TN; q++) {
        let bv = b_at(k, j0 + q * LANES);
        for (var r = 0u; r < TM; r++) {
          acc[r * TN + q] += av[r] * bv;
        }
      }
    }
  } else {
    for (var k = 0u; k < K; k++) {
      var av: array<f32, TM>;
      for (var r = 0u; r < TM; r++) {
        av[r] = a_at(min(i0 + r, M - 1u), k);
      }
      for (var q = 0u; q < TN; q++) {
        let bv = b_at(k, min(j0 + q * LANES, N - 1u));
        for (var r = 0u; r < TM; r++) {
          acc[r * TN + q] += av[r] * bv;
        }
      }
    }
  }
  for (var r = 0u; r < TM; r++) {
    for (var q = 0u; q < TN; q++) {
      let i = i0 + r;
      let j = j0 + q * LANES;
      if (i < M && j < N) {
        c_put(i, j, acc[r * TN + q]);
      }
    }
  }
}
