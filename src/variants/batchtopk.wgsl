// SAE variant batchtopk: f_k = pre_k where pre_k > 0 and pre_k >= bthr, the batch threshold (the
// (topk B)-th largest max(pre, 0) of the batch, from the pre-pass sae_batch_topk.wgsl); penalty L1.
// The interface: src/variants/relu.wgsl. Twin: src/variants/batchtopk.ts.
//#include "lib/act_l1.wgsl"

fn act_f(pre: array<f32, S_LAT>, bthr: f32) -> array<f32, S_LAT> {
  var f: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) { f[k] = select(0.0, pre[k], pre[k] > 0.0 && pre[k] >= bthr); }
  return f;
}

