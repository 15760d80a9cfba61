// The fused SAE kernels' workgroup copy of one model: its parameters and this step's dead flags and L1
// weights (workgroup memory: fast), and the accessors lib/sae_sample.wgsl reads them through. Shared by
// sae_steps/v1.wgsl and sae_steps/v2.wgsl; include after lib/sae_layout.wgsl.

var<workgroup> wp: array<f32, P_SAE>;        // this model's parameters
var<workgroup> dead_wg: array<u32, S_LAT>;
var<workgroup> weight_wg: array<f32, S_LAT>;

fn sae_param(i: u32) -> f32 {
  return wp[i];
}

fn latent_dead(k: u32) -> bool {
  return dead_wg[k] != 0u;
}

fn latent_weight(k: u32) -> f32 {
  return weight_wg[k];
}

fn dec_row(k: u32) -> array<f32, D_HID> {
  var w: array<f32, D_HID>;
  for (var j = 0u; j < D_HID; j++) { w[j] = wp[OFF_WD + k * D_HID + j]; }
  return w;
}
