// gemm naive (version 1 of the GEMM unit): C = op(A) op(B) (+ C), one invocation per output, K walked
// straight from storage. The baseline every other version is judged against.
// Bindings: lib/gemm_io.wgsl (@0 params, @1 a, @2 b, @3 c).
// Dispatch: threads (N, M) in 16 x 16 workgroups. Twin: src/reference/matmul.ts (gemm).
//#include "lib/gemm_io.wgsl"

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let j = g.x;
  let i = g.y;
  if (i >= params.M || j >= params.N) {
    return;
  }
  var acc = 0.0;
  for (var k = 0u; k < params.K; k++) {
    acc += a_at(i, k) * b_at(k, j);
  }
  c_put(i, j, acc);
}
