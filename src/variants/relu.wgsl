// SAE variant relu (docs/science.md §3): f_k = max(pre_k, 0); penalty lambda sum_k w_k f_k (L1).
// The interface every variant file provides (selected at compile time by SAE_VARIANT, src/variants/):
//   act_f(pre, bthr): the activations (bthr: BatchTopK's batch threshold, else unused); a variant with
//     thresholds reads them through the includer's sae_param(OFF_TH + k) (log_threshold, lib/sae_layout.wgsl);
//   act_penalised(f): what the penalty sums per latent (L1: f);
//   act_dpre(f, df, pw): dL/dpre_k from dL/df_k (reconstruction) and pw = lambda w_k / B;
//   act_dth(k, pre, df, pw): dL/dlog_threshold_k (variants without a threshold: 0).
// relu, topk and batchtopk take all but act_f from lib/act_l1.wgsl. Twin: src/variants/relu.ts.
//#include "lib/act_l1.wgsl"

fn act_f(pre: array<f32, S_LAT>, bthr: f32) -> array<f32, S_LAT> {
  var f: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) { f[k] = max(pre[k], 0.0); }
  return f;
}

