// sae_forward: SAE forward pass, per-sample loss and per-sample gradients (docs/science.md §3), one thread per sample.
//   hin = h - [pre_bias] b_dec;  pre = W_enc hin + b_enc;  f = ReLU(pre) (TopK: only the topk largest pre;
//   JumpReLU: f = pre [pre > theta], theta = exp(log_threshold), L0 penalty, straight-through dth);  hhat = W_dec^T f + b_dec
//   fvu = |hhat - h|^2 / den,  den = |h|^2 (1 if |h| = 0);  l1 = lambda * sum_k w_k f_k,
//   w_k = L1 weight of latent k: 1, or while its ghost cooldown c_k > 0: 0 (quirk flag) / 1 - c_k/cooldown.
//   dh = dL/dhhat = 2 (hhat - h) / (den B);  dpre_k = [f_k > 0] (W_dec dh + lambda w_k / B)_k.
//   Matryoshka's nested reconstructions: rec and the per-group dL/dhhat (R_DHX), lib/sae_sample.wgsl.
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
//   BatchTopK threshold from sae_batch_topk, read by the batchtopk variant's act_f), @8 state (read, u32 step:
//   what depends on it, p-annealing's exponent).
// Dispatch: (ceil(M*B / 64), 1, 1). Twin: src/reference/sae.ts (saeForward). The math: lib/sae_sample.wgsl.
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
@group(0) @binding(8) var<storage, read> state: array<u32>;

fn sae_param(i: u32) -> f32 {
  return params[cur_m * P_SAE + i];
}

fn latent_dead(k: u32) -> bool {
  return lat[(cur_m * S_LAT + k) * 3u + LAT_DEAD] != 0u;
}

fn latent_weight(k: u32) -> f32 {
  return l1_weight(cfg.flags, lat[(cur_m * S_LAT + k) * 3u + LAT_COOL], cfg.ghost_cooldown);
}

//#include "lib/sae_sample.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  if (row >= cfg.M * cfg.B) { return; }
  cur_m = row / cfg.B;
  let a = row * cfg.act_stride + cfg.act_offset;
  var h: array<f32, D_HID>;
  for (var j = 0u; j < D_HID; j++) { h[j] = acts[a + j]; }
  let o = sae_sample(h, hyper[cur_m].l1, 1.0 / f32(cfg.B), bstat[cur_m], bthr[cur_m], state[0]);
  let w = row * REC;
  for (var k = 0u; k < S_LAT; k++) {
    work[w + R_F + k] = o.f[k];
    work[w + R_DPRE + k] = o.dpre[k];
    work[w + R_A + k] = o.A[k];
    for (var i = 0u; i < XP_N; i++) { work[w + R_DXP + i * S_LAT + k] = o.dxp[i][k]; }
  }
  for (var j = 0u; j < D_HID; j++) {
    work[w + R_DH + j] = o.dhg[0][j];
    work[w + R_G + j] = o.G[j];
    work[w + R_HIN + j] = o.hin[j];
    work[w + R_E + j] = o.e[j];
  }
  work[w + R_LOSS + 0u] = o.fvu;
  work[w + R_LOSS + 1u] = o.l1raw;
  work[w + R_LOSS + 2u] = o.l1w;
  work[w + R_LOSS + 3u] = o.ghost;
  work[w + R_LOSS + 4u] = o.l0;
  work[w + R_LOSS + 5u] = o.rec;
  work[w + R_LOSS + 6u] = o.pen;
  work[w + R_LOSS + 7u] = o.pen_next;
  for (var g = 1u; g < REC_G; g++) {
    for (var j = 0u; j < D_HID; j++) { work[w + R_DHX + (g - 1u) * D_HID + j] = o.dhg[g][j]; }
  }
}
