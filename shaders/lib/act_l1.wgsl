// The act_ functions besides act_f shared by the SAE variants with an L1 penalty, no parameters of their own
// and no auxiliary reconstruction (relu, topk, batchtopk; the interface: src/variants/relu.wgsl). Twin:
// src/variants/l1.ts.

//#include "lib/act_no_aux.wgsl"
//#include "lib/act_fixed_penalty.wgsl"

fn act_penalised(k: u32, pre: f32, f: f32) -> f32 {
  return f;
}

fn act_dpre(k: u32, pre: f32, f: f32, df: f32, dfa: f32, pw: f32) -> f32 {
  return select(0.0, pw + df, f > 0.0);
}

fn act_dxp(i: u32, k: u32, pre: f32, f: f32, df: f32, dfa: f32, pw: f32) -> f32 {
  return 0.0;
}

fn act_dbe(k: u32, dpre: f32, dxp: array<f32, XP_N>) -> f32 {
  return dpre;
}
