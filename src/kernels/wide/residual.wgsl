// wide residual: each block's reconstruction error and its loss gradient (r_q = f_q W_dec from the GEMM, blocks in
// lib/wide.wgsl). The SAE's own (q = 0) and Matryoshka's inner ones (kind 0): e_q = r_q + b_dec - x,
// dr_q = 2 w_q e_q / B (the gradient of w_q mean_b sum_j e_bj^2). AuxK's (kind 1): against the detached residual
// x - xhat, u = r_q + b_dec + e_0, dr_q = 2 c u / B (c: aux_state's scale). e_q and u are kept in r for the rows.
// With the study's per-sample FVU (wide.fvu 1) every dr of row b is divided by den[b] = |x_b|^2.
// Bindings: @0 wide (uniform), @1 x (read, [B][d]), @2 b_dec (read, [d]), @3 r (rw, [R][d]: in f W_dec, out e),
//           @4 dr (rw, [R][d]), @5 aux_state (read, [4] u32), @6 blocks (read, [nb] RowBlock), @7 den (read, [B]).
// Dispatch: threads B * d, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> b_dec: array<f32>;
@group(0) @binding(3) var<storage, read_write> r: array<f32>;
@group(0) @binding(4) var<storage, read_write> dr: array<f32>;
@group(0) @binding(5) var<storage, read> aux_state: array<u32>;
@group(0) @binding(6) var<storage, read> blocks: array<RowBlock>;
@group(0) @binding(7) var<storage, read> den: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  let n = wide.B * wide.d;
  if (i >= n) { return; }
  let bd = b_dec[i % wide.d];
  let e0 = r[i] + bd - x[i];
  // B den_b (B itself without the FVU: the same rounding as before it)
  let bn = f32(wide.B) * select(1.0, den[i / wide.d], wide.fvu != 0u);
  for (var q = 0u; q < wide.nb; q++) {
    let at = q * n + i;
    if (blocks[q].kind == 0u) {
      let e = select(r[at] + bd - x[i], e0, q == 0u);
      r[at] = e;
      dr[at] = 2.0 * blocks[q].weight * e / bn;
    } else {
      let u = r[at] + bd + e0;
      r[at] = u;
      dr[at] = 2.0 * bitcast<f32>(aux_state[2]) * u / bn;
    }
  }
}
