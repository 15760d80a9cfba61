// wide sparse_decode: each block's reconstruction from its row's entries alone, r_rj = sum_{e in row r} ent_v[e]
// W_dec[ent_k[e], j]: the decoder GEMM r = f W_dec without its zeros (B k d multiply-adds per block, not B s d).
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 rowptr (read, [R + 1] u32), @2 ent_k (read, [cap] u32),
//           @3 ent_v (read, [cap]), @4 w_dec (read, [s][d]), @5 r (rw, [R][d]).
// Dispatch: threads R * d, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> rowptr: array<u32>;
@group(0) @binding(2) var<storage, read> ent_k: array<u32>;
@group(0) @binding(3) var<storage, read> ent_v: array<f32>;
@group(0) @binding(4) var<storage, read> w_dec: array<f32>;
@group(0) @binding(5) var<storage, read_write> r: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.nb * wide.B * wide.d) { return; }
  let row = i / wide.d;
  let j = i % wide.d;
  let hi = min(rowptr[row + 1u], wide.cap);
  var acc = 0.0;
  for (var e = rowptr[row]; e < hi; e++) { acc += ent_v[e] * w_dec[ent_k[e] * wide.d + j]; }
  r[i] = acc;
}
