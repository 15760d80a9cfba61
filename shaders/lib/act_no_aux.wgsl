// The act_ hooks of a variant without an auxiliary reconstruction (every variant but Gated; the interface:
// src/variants/relu.wgsl): ACT_AUX false compiles sae_sample's auxiliary term away.

const ACT_AUX: bool = false;

fn act_aux(k: u32, pre: f32) -> f32 {
  return 0.0;
}
