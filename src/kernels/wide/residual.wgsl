// wide residual: the reconstruction's bias and the loss gradient at it: xhat = r + b_dec (r = f W_dec from the GEMM),
// e = xhat - x, dr = 2 e / B (the gradient of mean_b sum_j e_bj^2); e is kept in r for the loss rows.
// Bindings: @0 wide (uniform), @1 x (read, [B][d]), @2 b_dec (read, [d]), @3 r (rw, [B][d]: in f W_dec, out e),
//           @4 dr (rw, [B][d]).
// Dispatch: threads B * d, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> b_dec: array<f32>;
@group(0) @binding(3) var<storage, read_write> r: array<f32>;
@group(0) @binding(4) var<storage, read_write> dr: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.B * wide.d) { return; }
  let e = r[i] + b_dec[i % wide.d] - x[i];
  r[i] = e;
  dr[i] = 2.0 * e / f32(wide.B);
}
