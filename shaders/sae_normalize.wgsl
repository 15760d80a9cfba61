// sae_normalize: rescale every decoder row (latent k's direction w_k) to unit norm: w_k <- w_k / |w_k|
// (rows of zero norm are left as they are; lib/sae_step.wgsl). Runs at the start of every SAE step (docs/science.md §3).
// Bindings: @0 cfg (uniform Config), @1 params (rw, [M][P_SAE]).
// Dispatch: (ceil(M*S / 64), 1, 1). Twin: src/reference/sae.ts (saeNormalize).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"
//#include "lib/sae_step.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= cfg.M * S_LAT) { return; }
  let base = (i / S_LAT) * P_SAE + OFF_WD + (i % S_LAT) * D_HID;
  var w: array<f32, D_HID>;
  for (var j = 0u; j < D_HID; j++) { w[j] = params[base + j]; }
  w = normalized_row(w);
  for (var j = 0u; j < D_HID; j++) { params[base + j] = w[j]; }
}
