// wide bdec_grad: b_dec's gradient, through the reconstruction and through the encoder's input x_c = x - b_dec:
// g_b_dec,j = sum_b dr_bj - sum_k W_enc,jk g_b_enc,k (sum_b of dx_c = dpre W_enc^T, which is W_enc g_b_enc).
// Bindings: @0 wide (uniform), @1 w_enc (read, [d][s]), @2 g_b_enc (read, [s]), @3 g_b_dec (rw, [d]: in sum_b dr).
// Dispatch: threads d, 64 per workgroup (one invocation walks W_enc's row j). Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> w_enc: array<f32>;
@group(0) @binding(2) var<storage, read> g_b_enc: array<f32>;
@group(0) @binding(3) var<storage, read_write> g_b_dec: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= wide.d) { return; }
  var acc = 0.0;
  for (var k = 0u; k < wide.s; k++) { acc += w_enc[j * wide.s + k] * g_b_enc[k]; }
  g_b_dec[j] -= acc;
}
