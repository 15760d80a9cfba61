// SAE variant topk: f_k = max(pre_k, 0) on the k = Config.topk largest pre-activations of the sample (ties:
// lowest index; lib/sae_layout.wgsl topk_mask), 0 elsewhere; penalty lambda sum_k w_k f_k (L1; the kit's
// TopK presets set lambda = 0). The interface: src/variants/relu.wgsl. Twin: src/variants/topk.ts.
//#include "lib/act_l1.wgsl"

fn act_f(pre: array<f32, S_LAT>, bthr: f32) -> array<f32, S_LAT> {
  var f: array<f32, S_LAT>;
  let keep = topk_mask(pre, cfg.topk);
  for (var k = 0u; k < S_LAT; k++) { f[k] = select(0.0, max(pre[k], 0.0), keep[k] != 0u); }
  return f;
}

