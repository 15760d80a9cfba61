// The CPU-shaped evaluation kernels' per-model set-up (kernels/sae_eval/cpu.wgsl and detect.wgsl): model m's SAE into
// the private copy (lib/private_model.wgsl) with no dead latents (no ghost or AuxK term) and L1 weight 1, and its toy
// model's weights into `tw` (lib/batch_threshold.wgsl). The includer declares cfg, params and toy_params.
fn eval_model_setup(m: u32) {
  cur_m = m;
  for (var q = 0u; q < P_SAE; q++) { wp[q] = params[m * P_SAE + q]; }
  for (var k = 0u; k < S_LAT; k++) {
    dead_p[k] = false;
    weight_p[k] = 1.0;
  }
  let tp = (m % cfg.toy_count) * P_TOY;
  for (var q = 0u; q < N_FEAT * D_HID; q++) { tw[q] = toy_params[tp + q]; }
}
