// The act_ functions besides act_f shared by the SAE variants with an L1 penalty and no threshold (relu,
// topk, batchtopk; the interface: src/variants/relu.wgsl). Twin: src/variants/l1.ts.

fn act_penalised(f: f32) -> f32 {
  return f;
}

fn act_dpre(f: f32, df: f32, pw: f32) -> f32 {
  return select(0.0, pw + df, f > 0.0);
}

fn act_dth(k: u32, pre: f32, df: f32, pw: f32) -> f32 {
  return 0.0;
}
