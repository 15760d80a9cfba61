// gemm blocked (version 3, GPU-shaped; Boehm's 2-D block tiling): C = op(A) op(B) (+ C). A workgroup
// computes a 64 x 64 block of C; each of its 256 invocations keeps a 4 x 4 block of outputs in registers
// (4 vec4 accumulators). K is walked in slices of 16: the workgroup stages a 64 x 16 slice of op(A) and a
// 16 x 64 slice of op(B) in workgroup memory, k-major, loading along each operand's contiguous axis.
// Per k, an invocation reads 4 values of A and one vec4 of B for 16 FMAs.
// Bindings: lib/gemm_io.wgsl (@0 params, @1 a, @2 b, @3 c).
// Dispatch: workgroups (ceil(N / 64), ceil(M / 64)) of 16 x 16. Twin: src/reference/matmul.ts (gemm).
//#include "lib/gemm_io.wgsl"

const BM: u32 = 64u;
const BN: u32 = 64u;
const BK: u32 = 16u;

// sa[kk * BM + mm] = op(A)[i0 + mm, k0 + kk]; sb[kk * (BN / 4) + nn / 4][nn % 4] = op(B)[k0 + kk, j0 + nn]
var<workgroup> sa: array<f32, 1024>;
var<workgroup> sb: array<vec4<f32>, 256>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let M = params.M;
  let K = params.K;
  let N = params.N;
  let i0 = wid.y * BM;
  let j0 = wid.x * BN;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < K; k0 += BK) {
    // 1,024 values of each slice, 4 per invocation; consecutive invocations walk the stored contiguous axis
    for (var r = 0u; r < 4u; r++) {
      let e = li + r * 256u;
      var mm = e / BK;
      var kk = e % BK;
      if (TA) {
        mm = e % BM;
        kk = e / BM;
      }
      let ai = i0 + mm;
      let ak = k0 + kk;
      sa[kk * BM + mm] = select(0.0, a_at(min(ai, M - 1u), min(ak, K - 1u)), ai < M && ak < K);
      var nn = e % BN;
      var kb = e / BN;
      if (TB) {
        nn = e / BK;
        kb = e % BK;
      }
      let bj = j0 + nn;
      let bk = k0 + kb;
      sb[kb * (BN / 4u) + nn / 4u][nn % 4u] = select(0.0, b_at(min(bk, K - 1u), min(bj, N - 1u)), bj < N && bk < K);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let bv = sb[kk * (BN / 4u) + lid.x];
      for (var r = 0u; r < 4u; r++) {
        acc[r] += sa[kk * BM + lid.y * 4u + r] * bv;
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let i = i0 + lid.y * 4u + r;
    for (var q = 0u; q < 4u; q++) {
      let j = j0 + lid.x * 4u + q;
      if (i < M && j < N) {
        c_put(i, j, acc[r][q]);
      }
    }
  }
}
