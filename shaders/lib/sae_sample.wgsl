// One sample through the SAE: forward pass, loss terms and per-sample gradients (docs/science.md §3-4), shared by
// sae_forward.wgsl (one thread per sample, terms written to the work record) and the fused SAE steps
// (terms summed per model; their gradient through lib/sae_grad.wgsl). Twin: src/reference/sae.ts (saeForward).
// The including kernel provides `cfg`, sets `cur_m` (the model) and defines fn sae_param(i: u32) -> f32
// (this model's parameter i, see lib/sae_layout.wgsl), fn latent_dead(k: u32) -> bool and
// fn latent_weight(k: u32) -> f32 (the L1 weight: 1, or while the ghost cooldown c > 0: 0 with the quirk
// flag, else 1 - c/cooldown).
//   hin = h - [pre_bias] b_dec;  pre = W_enc hin + b_enc;  f = act_f(pre) (the SAE variant's activation:
//   one file per variant, src/variants/<SAE_VARIANT>.wgsl, included at compile time; its interface: relu.wgsl);
//   hhat = W_dec^T f + b_dec;  fvu = |hhat - h|^2 / den (den = |h|^2, 1 if 0; batch FVU: the batch value);
//   nested reconstructions (lib/sae_layout.wgsl; Matryoshka, else one): hhat_i = b_dec + sum_{k < REC_ENDS[i]} f_k W_dec_k,
//   rec = sum_i REC_W[i] |hhat_i - h|^2 / den (the loss's reconstruction term; = fvu with one);
//   the variant's auxiliary reconstruction (ACT_AUX, Gated): ha = b_dec + sum_k act_aux_k W_dec_k through a
//   detached decoder, rec += |ha - h|^2 / den, dha = 2 (ha - h) / (den B), dfa_k = W_dec_k . dha (else 0);
//   penalty = lambda sum_k w_k act_penalised(k, pre_k, f_k) (L1: f_k; JumpReLU's L0: [f_k > 0]), w_k the
//   ghost-cooldown L1 weight;  dh_i = 2 REC_W[i] (hhat_i - h) / (den B);  latent k of group g sees
//   dhg_g = sum_{i >= g} dh_i (dhg_0, every reconstruction's, is b_dec's);  df_k = W_dec_k . dhg_{group(k)};
//   dpre_k = act_dpre(k, pre_k, f_k, df_k, dfa_k, lambda w_k / B) (ReLU: [f_k > 0] (df_k + lambda w_k / B));
//   dxp_i,k = act_dxp(i, k, ...) (the variant's own parameters: JumpReLU's threshold, Gated's r_mag, b_mag).
//   pen = sum_k act_penalised(k, pre_k, f_k), pen_next = sum_k act_pen_next(...) (unweighted: p-annealing's queue).
//   t: the step (act_begin(t) lets a variant set what depends on it: p-annealing's exponents).
//   Dead latents: AuxK (FLAG_AUXK) or ghost grads (FLAG_GHOST), see sae_forward.wgsl's header.
//#include "variants/{{SAE_VARIANT}}.wgsl"

var<private> cur_m: u32;

struct SaeSample {
  f: array<f32, S_LAT>,
  dpre: array<f32, S_LAT>,
  A: array<f32, S_LAT>,
  dxp: array<array<f32, S_LAT>, XP_N>,
  dhg: array<array<f32, D_HID>, REC_G>,
  G: array<f32, D_HID>,
  hin: array<f32, D_HID>,
  e: array<f32, D_HID>,
  fvu: f32,
  rec: f32,
  l1raw: f32,
  l1w: f32,
  ghost: f32,
  l0: f32,
  pen: f32,
  pen_next: f32,
}

fn sae_sample(h: array<f32, D_HID>, lambda: f32, inv_b: f32, den_batch: f32, bthr: f32, t: u32) -> SaeSample {
  var o: SaeSample;
  act_begin(t);
  // explicit zeros for what is written conditionally: SwiftShader was seen to keep arrays between
  // iterations of a caller's loop (the other fields are written in full below)
  for (var k = 0u; k < S_LAT; k++) { o.A[k] = 0.0; }
  for (var j = 0u; j < D_HID; j++) { o.G[j] = 0.0; }
  o.ghost = 0.0;
  let pre_bias = select(0.0, 1.0, (cfg.flags & FLAG_PRE_BIAS) != 0u);
  var hn = 0.0;
  for (var j = 0u; j < D_HID; j++) {
    hn += h[j] * h[j];
    o.hin[j] = h[j] - pre_bias * sae_param(OFF_BD + j);
  }
  var pre: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) {
    var acc = sae_param(OFF_BE + k);
    for (var j = 0u; j < D_HID; j++) { acc += sae_param(OFF_WE + k * D_HID + j) * o.hin[j]; }
    pre[k] = acc;
  }
  o.f = act_f(pre, bthr);
  // the nested reconstructions' errors (one accumulation over k, snapshotted at each prefix end; the last is the
  // full hhat - h). Constant loop bounds, so the CPU-shaped kernels unroll them and keep f and eg in registers.
  var eg: array<array<f32, D_HID>, REC_G>;
  var se = 0.0;
  for (var j = 0u; j < D_HID; j++) {
    var acc = sae_param(OFF_BD + j);
    for (var k = 0u; k < S_LAT; k++) {
      acc += sae_param(OFF_WD + k * D_HID + j) * o.f[k];
      for (var g = 0u; g < REC_G; g++) { if (k + 1u == REC_ENDS[g]) { eg[g][j] = acc - h[j]; } }
    }
    o.e[j] = eg[REC_G - 1u][j];
    se += o.e[j] * o.e[j];
  }
  var den = select(1.0, hn, hn > 0.0);
  if ((cfg.flags & FLAG_BATCH_FVU) != 0u) { den = den_batch; }
  o.fvu = se / den;
  o.rec = 0.0;
  for (var g = 0u; g < REC_G; g++) {
    var sg = 0.0;
    for (var j = 0u; j < D_HID; j++) { sg += eg[g][j] * eg[g][j]; }
    o.rec += REC_W[g] * (sg / den);
  }
  // the variant's auxiliary reconstruction (a compile-time constant: gone for every variant without one)
  var dfa: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) { dfa[k] = 0.0; }
  if (ACT_AUX) {
    var ga: array<f32, S_LAT>;
    for (var k = 0u; k < S_LAT; k++) { ga[k] = act_aux(k, pre[k]); }
    var dha: array<f32, D_HID>;
    var sa = 0.0;
    for (var j = 0u; j < D_HID; j++) {
      var acc = sae_param(OFF_BD + j) - h[j];
      for (var k = 0u; k < S_LAT; k++) { acc += sae_param(OFF_WD + k * D_HID + j) * ga[k]; }
      sa += acc * acc;
      dha[j] = 2.0 * acc / den * inv_b;
    }
    o.rec += sa / den;
    for (var k = 0u; k < S_LAT; k++) {
      var acc = 0.0;
      for (var j = 0u; j < D_HID; j++) { acc += sae_param(OFF_WD + k * D_HID + j) * dha[j]; }
      dfa[k] = acc;
    }
  }

  var any_dead = false;
  var wl1: array<f32, S_LAT>;
  o.l1raw = 0.0;
  o.l1w = 0.0;
  o.l0 = 0.0;
  o.pen = 0.0;
  o.pen_next = 0.0;
  for (var k = 0u; k < S_LAT; k++) {
    wl1[k] = latent_weight(k);
    if (latent_dead(k)) { any_dead = true; }
    o.l1raw += o.f[k];
    let pk = act_penalised(k, pre[k], o.f[k]);
    o.l1w += wl1[k] * pk;
    o.pen += pk;
    o.pen_next += act_pen_next(k, pre[k], o.f[k]);
    if (o.f[k] > 0.0) { o.l0 += 1.0; }
  }
  for (var j = 0u; j < D_HID; j++) {
    var run = 0.0;
    for (var i = 0u; i < REC_G; i++) {
      let g = REC_G - 1u - i;
      run += 2.0 * REC_W[g] * eg[g][j] / den * inv_b;
      o.dhg[g][j] = run;
    }
  }
  for (var k = 0u; k < S_LAT; k++) {
    let g = rec_group(k);
    var df = 0.0;  // dL/df_k from the reconstructions that use latent k
    for (var j = 0u; j < D_HID; j++) { df += sae_param(OFF_WD + k * D_HID + j) * o.dhg[g][j]; }
    let pw = lambda * wl1[k] * inv_b;
    o.dpre[k] = act_dpre(k, pre[k], o.f[k], df, dfa[k], pw);
    for (var i = 0u; i < XP_N; i++) { o.dxp[i][k] = act_dxp(i, k, pre[k], o.f[k], df, dfa[k], pw); }
  }

  if (any_dead && (cfg.flags & FLAG_AUXK) != 0u) {
    // AuxK: the aux_k largest pre-activations among dead latents model the (detached) residual h - hhat
    var pre_dead: array<f32, S_LAT>;
    for (var k = 0u; k < S_LAT; k++) { pre_dead[k] = select(-3.4e38, pre[k], latent_dead(k)); }
    let pick = topk_mask(pre_dead, min(cfg.aux_k, S_LAT));
    for (var k = 0u; k < S_LAT; k++) {
      if (pick[k] != 0u && latent_dead(k)) { o.A[k] = max(pre[k], 0.0); }
    }
    var q = 0.0;
    var diff: array<f32, D_HID>;
    for (var j = 0u; j < D_HID; j++) {
      var ehat = 0.0;
      for (var k = 0u; k < S_LAT; k++) { ehat += o.A[k] * sae_param(OFF_WD + k * D_HID + j); }
      diff[j] = -o.e[j] - ehat;
      q += diff[j] * diff[j];
    }
    o.ghost = cfg.aux_coef * q / den;
    for (var j = 0u; j < D_HID; j++) { o.G[j] = -2.0 * cfg.aux_coef * diff[j] / den * inv_b; }
    for (var k = 0u; k < S_LAT; k++) {
      if (o.A[k] > 0.0) {
        var acc = 0.0;
        for (var j = 0u; j < D_HID; j++) { acc += sae_param(OFF_WD + k * D_HID + j) * o.G[j]; }
        o.dpre[k] += acc;
      }
    }
  } else if ((cfg.flags & FLAG_GHOST) != 0u || any_dead) {
    // ghost grads: g = s sum_{k dead} exp(pre_k) w_k, s = |r| / (2|g_raw| + 1e-6), r = (h - hhat)/sqrt(den)
    // (both constant); ghost = c |r - g|^2 with c = fvu / (|r - g|^2 + 1e-6) (constant). Applied where a
    // latent is dead; in a ghost-grads job computed for every sample and kept where one is (a uniform
    // condition: a software adapter would run a per-lane branch's body for all lanes anyway)
    let rs = 1.0 / sqrt(den);
    // exp once per dead latent (SwiftShader's Subzero JIT does not merge repeated exp calls); 0 for a live one,
    // whose terms below then add exact zeros (no per-latent branch: software adapters run both sides)
    var ex: array<f32, S_LAT>;
    for (var k = 0u; k < S_LAT; k++) { ex[k] = 0.0; if (latent_dead(k)) { ex[k] = exp(pre[k]); } }
    var graw: array<f32, D_HID>;
    var rn = 0.0;
    var gn = 0.0;
    for (var j = 0u; j < D_HID; j++) {
      var acc = 0.0;
      for (var k = 0u; k < S_LAT; k++) { acc += ex[k] * sae_param(OFF_WD + k * D_HID + j); }
      graw[j] = acc;
      gn += acc * acc;
      rn += o.e[j] * o.e[j] * rs * rs;
    }
    let scale = sqrt(rn) / (2.0 * sqrt(gn) + 1e-6);
    var q = 0.0;
    var diff: array<f32, D_HID>;
    for (var j = 0u; j < D_HID; j++) {
      diff[j] = -o.e[j] * rs - scale * graw[j];
      q += diff[j] * diff[j];
    }
    let c = o.fvu / (q + 1e-6);
    o.ghost = select(0.0, c * q, any_dead);
    for (var j = 0u; j < D_HID; j++) { o.G[j] = select(0.0, -2.0 * c * diff[j] * inv_b, any_dead); }
    for (var k = 0u; k < S_LAT; k++) {
      o.A[k] = scale * ex[k];
      var acc = 0.0;
      for (var j = 0u; j < D_HID; j++) { acc += sae_param(OFF_WD + k * D_HID + j) * o.G[j]; }
      o.dpre[k] += o.A[k] * acc;
    }
  }
  return o;
}

// The sample whose gradient the fused kernels add (lib/sae_grad.wgsl reads it through these accessors):
// smp = sae_sample(...), then sae_grad_add().
var<private> smp: SaeSample;
fn gs_dpre(k: u32) -> f32 { return smp.dpre[k]; }
fn gs_hin(j: u32) -> f32 { return smp.hin[j]; }
fn gs_dh(g: u32, j: u32) -> f32 { return smp.dhg[g][j]; }
fn gs_f(k: u32) -> f32 { return smp.f[k]; }
fn gs_G(j: u32) -> f32 { return smp.G[j]; }
fn gs_A(k: u32) -> f32 { return smp.A[k]; }
fn gs_dxp(i: u32, k: u32) -> f32 { return smp.dxp[i][k]; }
