// wide sparse_wdec: the decoder's gradient from the columns' entries alone, g_W_dec,kj = sum over the rows r of
// column k (every block) of f_rk dr_rj: the GEMM f^T dr without its zeros (wdec_grad.wgsl adds the L1's part after).
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 colptr (read, [s + 1] u32), @2 col_r (read, [cap] u32),
//           @3 f (read, [R][s]), @4 dr (read, [R][d]), @5 g_w_dec (rw, [s][d]).
// Dispatch: threads s * d, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> colptr: array<u32>;
@group(0) @binding(2) var<storage, read> col_r: array<u32>;
@group(0) @binding(3) var<storage, read> f: array<f32>;
@group(0) @binding(4) var<storage, read> dr: array<f32>;
@group(0) @binding(5) var<storage, read_write> g_w_dec: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.s * wide.d) { return; }
  let k = i / wide.d;
  let j = i % wide.d;
  let hi = min(colptr[k + 1u], wide.cap);
  var acc = 0.0;
  for (var c = colptr[k]; c < hi; c++) {
    let r = col_r[c];
    acc += f[r * wide.s + k] * dr[r * wide.d + j];
  }
  g_w_dec[i] = acc;
}
