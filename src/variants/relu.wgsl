// SAE variant relu (docs/science.md §3): f_k = max(pre_k, 0); penalty lambda sum_k w_k f_k (L1).
// The interface every variant file provides (selected at compile time by SAE_VARIANT, src/variants/):
//   act_f(pre, bthr): the activations (bthr: BatchTopK's batch threshold, else unused); a variant with
//     parameters of its own reads them through the includer's sae_param(OFF_XP + i S_LAT + k) (block i of
//     latent k, lib/sae_layout.wgsl: JumpReLU's log_threshold, Gated's r_mag and b_mag);
//   act_penalised(k, pre, f): what the penalty sums per latent (L1: f; JumpReLU: [f > 0]; Gated: max(pre, 0));
//   act_dpre(k, pre, f, df, dfa, pw): dL/dpre_k as W_enc's row k sees it, from df = dL/df_k (the
//     reconstructions), dfa = dL/d act_aux_k (the auxiliary reconstruction; 0 without one) and pw = lambda w_k / B;
//   act_dxp(i, k, pre, f, df, dfa, pw): dL/d(block i of latent k) (none: 0);
//   act_dbe(k, dpre, dxp): dL/db_enc_k from dpre_k and this latent's dxp (dpre: b_enc adds to pre);
//   ACT_AUX and act_aux(k, pre): an auxiliary reconstruction b_dec + sum_k act_aux_k W_dec_k through a detached
//     decoder, added to the loss (Gated's; the others: false, and it compiles away);
//   act_begin(t): called at each sample's start with the step (p-annealing sets its exponents);
//   act_pen_next(k, pre, f): p-annealing's penalty at the next exponent, whose sums rescale lambda
//     (lib/p_anneal_step.wgsl, when Config.pa_n > 0; the others: 0).
// relu, topk and batchtopk take all but act_f from lib/act_l1.wgsl. Twin: src/variants/relu.ts.
//#include "lib/act_l1.wgsl"

fn act_f(pre: array<f32, S_LAT>, bthr: f32) -> array<f32, S_LAT> {
  var f: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) { f[k] = max(pre[k], 0.0); }
  return f;
}
