// SAE variant gated (Rajamanoharan et al. 2024; dictionary_learning trainers/gdm.py): W_enc is the gate's
// weights and b_enc its bias, so pre = pi_gate = W_enc hin + b_enc; x_k = pre_k - b_enc_k = W_enc_k . hin;
// the magnitude path pi_mag_k = exp(r_mag_k) x_k + b_mag_k (r_mag: extra block 0, b_mag: block 1);
//   f_k = [pi_gate_k > 0] max(pi_mag_k, 0);  penalty lambda sum_k w_k max(pi_gate_k, 0) (the gate's L1);
//   auxiliary reconstruction b_dec + sum_k max(pi_gate_k, 0) W_dec_k through a detached decoder (ACT_AUX).
// Gradients (df = dL/df_k, dfa = the auxiliary one, pw = lambda w_k / B):
//   dmag_k = [f_k > 0] df_k;  dgate_k = [pi_gate_k > 0] (pw + dfa);
//   dpre_k = dL/dx_k = dgate_k + exp(r_mag_k) dmag_k (W_enc's row and the pre-bias see both paths);
//   dr_mag_k = dmag_k exp(r_mag_k) x_k;  db_mag_k = dmag_k;  db_enc_k = dgate_k = dpre_k - exp(r_mag_k) db_mag_k.
// The interface: src/variants/relu.wgsl. Twin: src/variants/gated.ts.

//#include "lib/act_fixed_penalty.wgsl"

const ACT_AUX: bool = true;

fn gated_mag(k: u32, pre: f32) -> f32 {
  return exp(sae_param(OFF_XP + k)) * (pre - sae_param(OFF_BE + k)) + sae_param(OFF_XP + S_LAT + k);
}

fn act_aux(k: u32, pre: f32) -> f32 {
  return max(pre, 0.0);
}

fn act_f(pre: array<f32, S_LAT>, bthr: f32) -> array<f32, S_LAT> {
  var f: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) { f[k] = select(0.0, max(gated_mag(k, pre[k]), 0.0), pre[k] > 0.0); }
  return f;
}

fn act_penalised(k: u32, pre: f32, f: f32) -> f32 {
  return max(pre, 0.0);
}

fn act_dpre(k: u32, pre: f32, f: f32, df: f32, dfa: f32, pw: f32) -> f32 {
  let dgate = select(0.0, pw + dfa, pre > 0.0);
  let dmag = select(0.0, df, f > 0.0);
  return dgate + exp(sae_param(OFF_XP + k)) * dmag;
}

fn act_dxp(i: u32, k: u32, pre: f32, f: f32, df: f32, dfa: f32, pw: f32) -> f32 {
  let dmag = select(0.0, df, f > 0.0);
  if (i == 0u) { return dmag * exp(sae_param(OFF_XP + k)) * (pre - sae_param(OFF_BE + k)); }
  return dmag;
}

fn act_dbe(k: u32, dpre: f32, dxp: array<f32, XP_N>) -> f32 {
  return dpre - exp(sae_param(OFF_XP + k)) * dxp[1];
}
