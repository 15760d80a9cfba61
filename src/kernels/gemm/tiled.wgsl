// gemm tiled (version 2): C = op(A) op(B) (+ C) with 16 x 16 tiles of A and B staged in workgroup memory,
// one output per invocation: each loaded value is read 16 times from workgroup memory instead of storage.
// Bindings: lib/gemm_io.wgsl (@0 params, @1 a, @2 b, @3 c).
// Dispatch: workgroups (ceil(N / 16), ceil(M / 16)) of 16 x 16. Twin: src/reference/matmul.ts (gemm).
//#include "lib/gemm_io.wgsl"

const T: u32 = 16u;

var<workgroup> ta: array<array<f32, 16>, 16>;
var<workgroup> tb: array<array<f32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = wid.y * T + lid.y;
  let j = wid.x * T + lid.x;
  let M = params.M;
  let K = params.K;
  let N = params.N;
  var acc = 0.0;
  for (var k0 = 0u; k0 < K; k0 += T) {
    // Out-of-range invocations load zeros and still reach every barrier (barriers must be uniform).
    let ka = k0 + lid.x;
    let kb = k0 + lid.y;
    ta[lid.y][lid.x] = select(0.0, a_at(min(i, M - 1u), min(ka, K - 1u)), i < M && ka < K);
    tb[lid.y][lid.x] = select(0.0, b_at(min(kb, K - 1u), min(j, N - 1u)), kb < K && j < N);
    workgroupBarrier();
    for (var kk = 0u; kk < T; kk++) {
      acc += ta[lid.y][kk] * tb[kk][lid.x];
    }
    // everyone has read the tiles before the next pass overwrites them
    workgroupBarrier();
  }
  if (i < M && j < N) {
    c_put(i, j, acc);
  }
}
