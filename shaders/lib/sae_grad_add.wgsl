// Every parameter's term of one sample's gradient (lib/sae_grad.wgsl, the chain rule), added through the
// includer's fn grad_add(q: u32, v: f32) (where the batch sum lives: workgroup columns, a private array).
// For the fused kernels, one sample at a time, each summing its share of the batch.
//#include "lib/sae_grad.wgsl"

fn sae_grad_add() {
  for (var k = 0u; k < S_LAT; k++) {
    for (var j = 0u; j < D_HID; j++) {
      grad_add(OFF_WE + k * D_HID + j, grad_w_enc(k, j));
      grad_add(OFF_WD + k * D_HID + j, grad_w_dec(k, j));
    }
    grad_add(OFF_BE + k, grad_b_enc(k));
    for (var i = 0u; i < XP_N; i++) { grad_add(OFF_XP + i * S_LAT + k, gs_dxp(i, k)); }
  }
  for (var j = 0u; j < D_HID; j++) { grad_add(OFF_BD + j, grad_b_dec(j)); }
}
