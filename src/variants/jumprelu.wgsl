// SAE variant jumprelu: f_k = pre_k [pre_k > theta_k], theta_k = exp(log_threshold_k) (extra block 0);
// penalty lambda sum_k w_k [f_k > 0] (L0), so dpre_k = [f_k > 0] df_k carries no penalty term. log_threshold
// gets the straight-through estimate (rectangle kernel of width eps = Config.jump_eps, |pre_k - theta_k| < eps/2):
//   d f / d theta = -(theta/eps) K, d [pre > theta] / d theta = -(1/eps) K, times theta (theta = exp(t)):
//   dth_k = theta_k (-(theta_k/eps) df_k - (1/eps) pw),  pw = lambda w_k / B.
// act_theta(k) is this file's own helper. The interface: src/variants/relu.wgsl. Twin: src/variants/jumprelu.ts.

//#include "lib/act_no_aux.wgsl"
//#include "lib/act_fixed_penalty.wgsl"

fn act_theta(k: u32) -> f32 {
  return exp(sae_param(OFF_XP + k));
}

fn act_f(pre: array<f32, S_LAT>, bthr: f32) -> array<f32, S_LAT> {
  var f: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) { f[k] = select(0.0, pre[k], pre[k] > act_theta(k)); }
  return f;
}

fn act_penalised(k: u32, pre: f32, f: f32) -> f32 {
  return select(0.0, 1.0, f > 0.0);
}

fn act_dpre(k: u32, pre: f32, f: f32, df: f32, dfa: f32, pw: f32) -> f32 {
  return select(0.0, df, f > 0.0);
}

fn act_dxp(i: u32, k: u32, pre: f32, f: f32, df: f32, dfa: f32, pw: f32) -> f32 {
  let theta = act_theta(k);
  if (abs(pre - theta) < 0.5 * cfg.jump_eps) {
    return theta * (-(theta / cfg.jump_eps) * df - (1.0 / cfg.jump_eps) * pw);
  }
  return 0.0;
}

fn act_dbe(k: u32, dpre: f32, dxp: array<f32, XP_N>) -> f32 {
  return dpre;
}
