// SAE variant panneal (p-annealing; Karvonen et al. 2024, dictionary_learning trainers/p_anneal.py): f_k = max(pre_k, 0),
// penalty lambda sum_k w_k f_k^p (Lp^p) with p annealed from p_start to p_end at the schedule's updates and lambda
// rescaled at each so the penalty keeps its scale (lib/p_anneal.wgsl, lib/p_anneal_step.wgsl):
//   dpre_k = [f_k > 0] (df_k + pw p f_k^(p-1)),  pw = lambda w_k / B.
// The interface: src/variants/relu.wgsl. Twin: src/variants/panneal.ts.
//#include "lib/p_anneal.wgsl"
//#include "lib/act_no_aux.wgsl"

// (p of this step, the next update's p), set per sample by act_begin; act_q: the step is in a queue (its penalty
// at the next p is summed: pa_step), else act_pen_next skips its pow
var<private> act_p: vec2<f32>;
var<private> act_q: bool;
// f_k^p of this sample, from act_penalised for act_dpre (lib/sae_sample.wgsl calls it first for every latent)
var<private> act_fp: array<f32, S_LAT>;
// the step act_p and act_q are for: the schedule's loops (u32 divisions, scalar on CPU adapters) run once per step
var<private> act_t: u32 = 0xffffffffu;

fn act_begin(t: u32) {
  if (t == act_t) { return; }
  act_t = t;
  act_p = pa_exponents(t);
  let c = pa_done(t);
  act_q = c >= 1u && c < cfg.pa_n && t + cfg.pa_queue > pa_update(c);
}

fn act_f(pre: array<f32, S_LAT>, bthr: f32) -> array<f32, S_LAT> {
  var f: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) { f[k] = max(pre[k], 0.0); }
  return f;
}

fn act_penalised(k: u32, pre: f32, f: f32) -> f32 {
  act_fp[k] = select(0.0, pow(f, act_p.x), f > 0.0);
  return act_fp[k];
}

fn act_pen_next(k: u32, pre: f32, f: f32) -> f32 {
  if (!act_q) { return 0.0; }
  return select(0.0, pow(f, act_p.y), f > 0.0);
}

// p f^(p-1) = p f^p / f (one pow per latent: act_penalised's)
fn act_dpre(k: u32, pre: f32, f: f32, df: f32, dfa: f32, pw: f32) -> f32 {
  return select(0.0, df + pw * act_p.x * act_fp[k] / f, f > 0.0);
}

fn act_dxp(i: u32, k: u32, pre: f32, f: f32, df: f32, dfa: f32, pw: f32) -> f32 {
  return 0.0;
}

fn act_dbe(k: u32, dpre: f32, dxp: array<f32, XP_N>) -> f32 {
  return dpre;
}
