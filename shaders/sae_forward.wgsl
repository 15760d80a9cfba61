// sae_forward: SAE forward pass, per-sample loss and per-sample gradients (SPEC §3), one thread per sample.
//   hin = h - [pre_bias] b_dec;  pre = W_enc hin + b_enc;  f = ReLU(pre) (TopK: only the topk largest pre;
//   JumpReLU: f = pre [pre > theta], theta = exp(log_threshold), L0 penalty, straight-through dth);  hhat = W_dec^T f + b_dec
//   fvu = |hhat - h|^2 / den,  den = |h|^2 (1 if |h| = 0);  l1 = lambda * sum_k w_k f_k,
//   w_k = L1 weight of latent k: 1, or while its ghost cooldown c_k > 0: 0 (quirk flag) / 1 - c_k/cooldown.
//   dh = dL/dhhat = 2 (hhat - h) / (den B);  dpre_k = [f_k > 0] (W_dec dh + lambda w_k / B)_k.
// AuxK (FLAG_AUXK, a dead latent): aux = aux_coef |(h - hhat) - sum_{k in top aux_k dead} ReLU(pre_k) w_k|^2 / den
//   (residual detached), written to the ghost slot; G = d aux/d ehat / B, A_k = ReLU(pre_k), dpre_k += (W_dec G)_k.
// Ghost grads (FLAG_GHOST and the model has a dead latent): r = (h - hhat)/sqrt(den) (detached),
//   g = s * sum_{k dead} exp(pre_k) w_k with s = |r| / (2|g_raw| + 1e-6) (constant),
//   ghost = c |r - g|^2 with c = fvu / (|r - g|^2 + 1e-6) (constant);
//   G = dghost/dg / B = -2 c (r - g) / B;  A_k = s exp(pre_k) (dead k);  dpre_k += A_k (W_dec G)_k.
// Bindings: @0 cfg (uniform Config), @1 hyper (read, [M] Hyper), @2 acts (read, SAE inputs h, rows of
//   act_stride floats at act_offset), @3 params (read, [M][P_SAE]), @4 lat (read, [M][S][3] u32),
//   @5 work (rw, [M][B][REC] per-sample record, see lib/sae_layout.wgsl), @6 bstat (read, [M]: the batch-FVU
//   denominator from sae_batch_stats, used instead of den when FLAG_BATCH_FVU), @7 bthr (read, [M]: the
//   BatchTopK threshold from sae_batch_topk, used when FLAG_BATCH_TOPK).
// Dispatch: (ceil(M*B / 64), 1, 1). Twin: src/reference/sae.ts (saeForward).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> acts: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read> lat: array<u32>;
@group(0) @binding(5) var<storage, read_write> work: array<f32>;
@group(0) @binding(6) var<storage, read> bstat: array<f32>;
@group(0) @binding(7) var<storage, read> bthr: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  if (row >= cfg.M * cfg.B) { return; }
  let m = row / cfg.B;
  let p = m * P_SAE;
  let w = row * REC;
  let a = row * cfg.act_stride + cfg.act_offset;
  let lambda = hyper[m].l1;
  let inv_b = 1.0 / f32(cfg.B);
  let pre_bias = select(0.0, 1.0, (cfg.flags & FLAG_PRE_BIAS) != 0u);

  var h: array<f32, D_HID>;
  var hin: array<f32, D_HID>;
  var hn = 0.0;
  for (var j = 0u; j < D_HID; j++) {
    h[j] = acts[a + j];
    hn += h[j] * h[j];
    hin[j] = h[j] - pre_bias * params[p + OFF_BD + j];
    work[w + R_HIN + j] = hin[j];
  }
  var pre: array<f32, S_LAT>;
  var f: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) {
    var acc = params[p + OFF_BE + k];
    for (var j = 0u; j < D_HID; j++) { acc += params[p + OFF_WE + k * D_HID + j] * hin[j]; }
    pre[k] = acc;
  }
  let jump = (cfg.flags & FLAG_JUMPRELU) != 0u;
  var theta: array<f32, S_LAT>;
  let keep = topk_mask(pre, cfg.topk);
  for (var k = 0u; k < S_LAT; k++) {
    theta[k] = exp(params[p + OFF_TH + k]);
    if (jump) {
      f[k] = select(0.0, pre[k], pre[k] > theta[k]);
    } else if ((cfg.flags & FLAG_BATCH_TOPK) != 0u) {
      f[k] = select(0.0, pre[k], pre[k] > 0.0 && pre[k] >= bthr[m]);
    } else {
      f[k] = select(0.0, max(pre[k], 0.0), keep[k] != 0u);
    }
  }
  var e: array<f32, D_HID>;
  var se = 0.0;
  for (var j = 0u; j < D_HID; j++) {
    var acc = params[p + OFF_BD + j];
    for (var k = 0u; k < S_LAT; k++) { acc += params[p + OFF_WD + k * D_HID + j] * f[k]; }
    e[j] = acc - h[j];
    se += e[j] * e[j];
  }
  var den = select(1.0, hn, hn > 0.0);
  if ((cfg.flags & FLAG_BATCH_FVU) != 0u) { den = bstat[m]; }
  let fvu = se / den;

  var l1raw = 0.0;
  var l1w = 0.0;
  var l0 = 0.0;
  var any_dead = false;
  var wl1: array<f32, S_LAT>;  // each latent's penalty weight
  for (var k = 0u; k < S_LAT; k++) {
    let at = (m * S_LAT + k) * 3u;
    var wk = 1.0;
    let cool = lat[at + LAT_COOL];
    if ((cfg.flags & FLAG_GHOST) != 0u && cool > 0u) {
      if ((cfg.flags & FLAG_GHOST_QUIRK) != 0u) { wk = 0.0; } else { wk = 1.0 - f32(cool) / f32(cfg.ghost_cooldown); }
    }
    wl1[k] = wk;
    if (lat[at + LAT_DEAD] != 0u) { any_dead = true; }
    l1raw += f[k];
    // JumpReLU penalises L0 (the count of active latents), the others L1
    l1w += wk * select(f[k], select(0.0, 1.0, f[k] > 0.0), jump);
    if (f[k] > 0.0) { l0 += 1.0; }
    work[w + R_F + k] = f[k];
    // the L1 gradient term (none for JumpReLU's L0); the reconstruction term is added below
    work[w + R_DPRE + k] = select(lambda * wk * inv_b, 0.0, jump);
  }
  var dh: array<f32, D_HID>;
  for (var j = 0u; j < D_HID; j++) {
    dh[j] = 2.0 * e[j] / den * inv_b;
    work[w + R_DH + j] = dh[j];
    work[w + R_E + j] = e[j];
  }
  var dpre: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) {
    var df = 0.0;  // dL/df_k from the reconstruction
    for (var j = 0u; j < D_HID; j++) { df += params[p + OFF_WD + k * D_HID + j] * dh[j]; }
    dpre[k] = select(0.0, work[w + R_DPRE + k] + df, f[k] > 0.0);  // ReLU / TopK / JumpReLU derivative
    // JumpReLU straight-through estimator (rectangle kernel of width eps) for log_threshold:
    // d/dtheta of f = -(theta/eps) K, of [pre > theta] = -(1/eps) K; chain rule through theta = exp(t)
    var dth = 0.0;
    if (jump && abs(pre[k] - theta[k]) < 0.5 * cfg.jump_eps) {
      dth = theta[k] * (-(theta[k] / cfg.jump_eps) * df - (1.0 / cfg.jump_eps) * lambda * wl1[k] * inv_b);
    }
    work[w + R_DTH + k] = dth;
  }

  var ghost = 0.0;
  var G: array<f32, D_HID>;
  var A: array<f32, S_LAT>;
  if (any_dead && (cfg.flags & FLAG_AUXK) != 0u) {
    // AuxK: the aux_k largest pre-activations among dead latents model the (detached) residual h - hhat:
    // aux = aux_coef |(h - hhat) - ehat|^2 / den, ehat = sum_k A_k w_k with A_k = ReLU(pre_k) for the chosen k.
    var dpre_dead: array<f32, S_LAT>;
    for (var k = 0u; k < S_LAT; k++) {
      dpre_dead[k] = select(-3.4e38, pre[k], lat[(m * S_LAT + k) * 3u + LAT_DEAD] != 0u);
    }
    let pick = topk_mask(dpre_dead, min(cfg.aux_k, S_LAT));
    for (var k = 0u; k < S_LAT; k++) {
      if (pick[k] != 0u && lat[(m * S_LAT + k) * 3u + LAT_DEAD] != 0u) { A[k] = max(pre[k], 0.0); }
    }
    var q = 0.0;
    var diff: array<f32, D_HID>;
    for (var j = 0u; j < D_HID; j++) {
      var ehat = 0.0;
      for (var k = 0u; k < S_LAT; k++) { ehat += A[k] * params[p + OFF_WD + k * D_HID + j]; }
      diff[j] = -e[j] - ehat;
      q += diff[j] * diff[j];
    }
    ghost = cfg.aux_coef * q / den;
    for (var j = 0u; j < D_HID; j++) { G[j] = -2.0 * cfg.aux_coef * diff[j] / den * inv_b; }
    for (var k = 0u; k < S_LAT; k++) {
      if (A[k] > 0.0) {
        var acc = 0.0;
        for (var j = 0u; j < D_HID; j++) { acc += params[p + OFF_WD + k * D_HID + j] * G[j]; }
        dpre[k] += acc;
      }
    }
  } else if (any_dead) {
    let rs = 1.0 / sqrt(den);
    var graw: array<f32, D_HID>;
    var rn = 0.0;
    var gn = 0.0;
    for (var j = 0u; j < D_HID; j++) {
      var acc = 0.0;
      for (var k = 0u; k < S_LAT; k++) {
        if (lat[(m * S_LAT + k) * 3u + LAT_DEAD] != 0u) { acc += exp(pre[k]) * params[p + OFF_WD + k * D_HID + j]; }
      }
      graw[j] = acc;
      gn += acc * acc;
      rn += e[j] * e[j] * rs * rs;
    }
    let scale = sqrt(rn) / (2.0 * sqrt(gn) + 1e-6);
    var q = 0.0;
    var diff: array<f32, D_HID>;
    for (var j = 0u; j < D_HID; j++) {
      diff[j] = -e[j] * rs - scale * graw[j];
      q += diff[j] * diff[j];
    }
    let c = fvu / (q + 1e-6);
    ghost = c * q;
    for (var j = 0u; j < D_HID; j++) { G[j] = -2.0 * c * diff[j] * inv_b; }
    for (var k = 0u; k < S_LAT; k++) {
      if (lat[(m * S_LAT + k) * 3u + LAT_DEAD] != 0u) {
        A[k] = scale * exp(pre[k]);
        var acc = 0.0;
        for (var j = 0u; j < D_HID; j++) { acc += params[p + OFF_WD + k * D_HID + j] * G[j]; }
        dpre[k] += A[k] * acc;
      }
    }
  }
  for (var k = 0u; k < S_LAT; k++) {
    work[w + R_DPRE + k] = dpre[k];
    work[w + R_A + k] = A[k];
  }
  for (var j = 0u; j < D_HID; j++) { work[w + R_G + j] = G[j]; }
  work[w + R_LOSS + 0u] = fvu;
  work[w + R_LOSS + 1u] = l1raw;
  work[w + R_LOSS + 2u] = l1w;
  work[w + R_LOSS + 3u] = ghost;
  work[w + R_LOSS + 4u] = l0;
}
