// wide residual: the reconstruction's bias and the loss gradient at it: xhat = r + b_dec (r = f W_dec from the GEMM),
// e = xhat - x, dr = 2 e / B (the gradient of mean_b sum_j e_bj^2); e is kept in r for the loss rows.
// With AuxK (R = 2B) rows B..2B of r hold a W_dec: against the detached residual x - xhat, u = a W_dec + b_dec + e,
// its gradient dr_(B+b) = 2 c u / B (c: aux_state's scale); u is kept in r for the loss rows.
// Bindings: @0 wide (uniform), @1 x (read, [B][d]), @2 b_dec (read, [d]), @3 r (rw, [R][d]: in f W_dec, out e),
//           @4 dr (rw, [R][d]), @5 aux_state (read, [4] u32).
// Dispatch: threads B * d, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> b_dec: array<f32>;
@group(0) @binding(3) var<storage, read_write> r: array<f32>;
@group(0) @binding(4) var<storage, read_write> dr: array<f32>;
@group(0) @binding(5) var<storage, read> aux_state: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  let n = wide.B * wide.d;
  if (i >= n) { return; }
  let bd = b_dec[i % wide.d];
  let e = r[i] + bd - x[i];
  r[i] = e;
  dr[i] = 2.0 * e / f32(wide.B);
  if (wide.R > wide.B) {
    let u = r[n + i] + bd + e;
    r[n + i] = u;
    dr[n + i] = 2.0 * bitcast<f32>(aux_state[2]) * u / f32(wide.B);
  }
}
