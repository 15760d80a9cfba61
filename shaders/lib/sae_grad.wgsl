// The SAE's chain rule, written once (docs/science.md §4): one sample's contribution to the gradient of
// every parameter, from the terms its forward pass left (lib/sae_sample.wgsl's SaeSample):
//   dW_enc[k,j] = dpre_k hin_j;   db_enc[k] = act_dbe(k, dpre_k, dxp_.,k) (dpre_k but for Gated, whose b_enc
//   is the gate's bias only);   dW_dec[k,j] = dhg_{group(k)}[j] f_k + G_j A_k;
//   db_dec[j] = dhg_0[j] - [pre_bias] sum_k dpre_k W_enc[k,j];   d(extra block i)[k] = dxp_i,k
//   (dhg_g: dL/dhhat as latents of nested group g see it, lib/sae_sample.wgsl; one group: dh).
// The includer provides the sample through accessors: fn gs_dpre(k), gs_hin(j), gs_dh(g, j), gs_f(k), gs_G(j),
// gs_A(k) -> f32, gs_dxp(i, k) -> f32 (lib/sae_sample.wgsl's smp accessors for the fused kernels; the work record for
// the modular sae_grad) and sae_param(i) (W_enc for the pre-bias term). The fused kernels add every
// parameter's term through lib/sae_grad_add.wgsl.
// Twin: src/reference/sae.ts (saeGrad). Include after lib/sae_layout.wgsl.
//#include "variants/{{SAE_VARIANT}}.wgsl"

fn grad_w_enc(k: u32, j: u32) -> f32 {
  return gs_dpre(k) * gs_hin(j);
}

fn grad_w_dec(k: u32, j: u32) -> f32 {
  return gs_dh(rec_group(k), j) * gs_f(k) + gs_G(j) * gs_A(k);
}

fn grad_b_enc(k: u32) -> f32 {
  var dx: array<f32, XP_N>;
  for (var i = 0u; i < XP_N; i++) { dx[i] = gs_dxp(i, k); }
  return act_dbe(k, gs_dpre(k), dx);
}

fn grad_b_dec(j: u32) -> f32 {
  var a = gs_dh(0u, j);
  if ((cfg.flags & FLAG_PRE_BIAS) != 0u) {
    for (var k = 0u; k < S_LAT; k++) { a -= gs_dpre(k) * sae_param(OFF_WE + k * D_HID + j); }
  }
  return a;
}

// Parameter q's term (one thread per parameter: the modular sae_grad sums it over the batch).
fn sae_grad_term(q: u32) -> f32 {
  if (q < OFF_BE) { return grad_w_enc(q / D_HID, q % D_HID); }
  if (q < OFF_WD) { return grad_b_enc(q - OFF_BE); }
  if (q < OFF_BD) { return grad_w_dec((q - OFF_WD) / D_HID, (q - OFF_WD) % D_HID); }
  if (q < OFF_XP) { return grad_b_dec(q - OFF_BD); }
  return gs_dxp((q - OFF_XP) / S_LAT, (q - OFF_XP) % S_LAT);
}
