// sae_project_grad: remove from each decoder row's gradient its component along the (unit) row:
//   g_k <- g_k - (g_k . w_k) w_k   (keeps the step tangent to the unit sphere, docs/science.md §3).
// Bindings: @0 cfg (uniform Config), @1 params (read, [M][P_SAE]), @2 grads (rw, [M][P_SAE]).
// Dispatch: (ceil(M*S / 64), 1, 1). Twin: src/reference/sae.ts (saeProjectGrad).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"
//#include "lib/sae_step.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= cfg.M * S_LAT) { return; }
  let base = (i / S_LAT) * P_SAE + OFF_WD + (i % S_LAT) * D_HID;
  var g: array<f32, D_HID>;
  var w: array<f32, D_HID>;
  for (var j = 0u; j < D_HID; j++) { g[j] = grads[base + j]; w[j] = params[base + j]; }
  g = decoder_grad_row(g, w);
  for (var j = 0u; j < D_HID; j++) { grads[base + j] = g[j]; }
}
