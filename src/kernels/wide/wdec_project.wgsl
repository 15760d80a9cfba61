// wide wdec_project: the decoder gradient's part along each (unit) row removed after the backward pass,
// g_k <- g_k - (g_k . W_dec,k) W_dec,k, so Adam moves the rows along the unit sphere (the study's order; with
// wdec_unit.wgsl before the step).
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 w_dec (read, [s][d]), @2 g_w_dec (rw, [s][d]).
// Dispatch: threads s, 64 per workgroup (one invocation walks its row). Twin: src/reference/wide.ts (projectRows).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> w_dec: array<f32>;
@group(0) @binding(2) var<storage, read_write> g_w_dec: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  if (k >= wide.s) { return; }
  var dot = 0.0;
  for (var j = 0u; j < wide.d; j++) { dot += g_w_dec[k * wide.d + j] * w_dec[k * wide.d + j]; }
  for (var j = 0u; j < wide.d; j++) { g_w_dec[k * wide.d + j] -= dot * w_dec[k * wide.d + j]; }
}
