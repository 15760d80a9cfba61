// The CPU-shaped SAE kernel's private copy of one model (one invocation per model): its parameters and
// this step's dead flags and L1 weights, and the accessors lib/sae_sample.wgsl reads them through (the
// same interface as lib/fused_model.wgsl's workgroup copy). Include after lib/sae_layout.wgsl.

var<private> wp: array<f32, P_SAE>;        // this model's parameters
var<private> dead_p: array<bool, S_LAT>;
var<private> weight_p: array<f32, S_LAT>;

fn sae_param(i: u32) -> f32 {
  return wp[i];
}

fn latent_dead(k: u32) -> bool {
  return dead_p[k];
}

fn latent_weight(k: u32) -> f32 {
  return weight_p[k];
}

fn dec_row(k: u32) -> array<f32, D_HID> {
  var w: array<f32, D_HID>;
  for (var j = 0u; j < D_HID; j++) { w[j] = wp[OFF_WD + k * D_HID + j]; }
  return w;
}
