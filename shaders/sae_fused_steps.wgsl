// sae_fused_steps: K whole SAE training steps per dispatch, one workgroup per model, the same math
// and step order as the modular kernels (sample_data -> toy_forward -> sae_normalize -> sae_dead ->
// sae_forward -> sae_firing -> sae_grad -> sae_cos_grad -> sae_project_grad -> sae_loss -> adam), with the
// per-sample math of lib/sae_sample.wgsl (ReLU, TopK, JumpReLU; ghost grads or AuxK; not batch FVU/BatchTopK).
// Parameters live in workgroup memory for the whole chunk; each thread takes samples b = lid, lid+64, ...
// of the step's batch, accumulates its share of the gradient, the loss terms and the firing counts in
// its own column of workgroup memory, and one tree reduction per step sums them. Threads q < P then apply Adam.
// Only for small SAEs: P_SAE + S_LAT + 5 <= 64 values are reduced per step (the study's d=2, s=4: 31).
// The step counter is read once (state[0] = t0); steps run up to min(t0 + K, T, state[1]) (state[1] = the
// host's stop step); step_advance adds K afterwards, clamped the same way.
// Bindings: @0 cfg (uniform Config), @1 hyper (read), @2 state (read, u32 step), @3 tables (read, sampler
//   CDFs), @4 toy_params (read), @5 params (rw, [M][P_SAE]), @6 adam (rw, [2][M][P_SAE]),
//   @7 lat (rw, [M][S][3] u32), @8 status (rw, [M] u32), @9 hist (rw, [hist_len][M][HIST_W]).
// Dispatch: (M, 1, 1) workgroups of 64 threads; K = {{K_STEPS}} steps (clamped to T).
// Twin: src/train/reference.ts (RefSaeTrainer.doStep), checked against the modular path too.
//#include "lib/rng.wgsl"
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"
//#include "lib/sae_layout.wgsl"

const N_SETS: u32 = {{N_SETS}}u;
const SET_SIZE = array<u32, N_SETS>({{SET_SIZES}});
const K_STEPS: u32 = {{K_STEPS}}u;
const WG: u32 = {{WG}}u;
// reduced values per thread: gradient [P_SAE], firing counts [S_LAT], loss sums [5]
const RV: u32 = P_SAE + S_LAT + 5u;
const RV_FIRE: u32 = P_SAE;
const RV_LOSS: u32 = P_SAE + S_LAT;

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> tables: array<f32>;
@group(0) @binding(4) var<storage, read> toy_params: array<f32>;
@group(0) @binding(5) var<storage, read_write> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> adam: array<f32>;
@group(0) @binding(7) var<storage, read_write> lat: array<u32>;
@group(0) @binding(8) var<storage, read_write> status: array<u32>;
@group(0) @binding(9) var<storage, read_write> hist: array<f32>;

var<workgroup> wp: array<f32, P_SAE>;        // this model's parameters
var<workgroup> red: array<f32, RV * WG>;     // partial sums, value r of thread i at r * WG + i
var<workgroup> live: u32;
var<workgroup> dead_wg: array<u32, S_LAT>;  // this step's dead flags and L1 weights (workgroup copies: fast)
var<workgroup> weight_wg: array<f32, S_LAT>;

fn sae_param(i: u32) -> f32 {
  return wp[i];
}

fn latent_dead(k: u32) -> bool {
  return dead_wg[k] != 0u;
}

fn latent_weight(k: u32) -> f32 {
  return weight_wg[k];
}

//#include "lib/sample.wgsl"
//#include "lib/sae_sample.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x;
  cur_m = m;
  let base = m * P_SAE;
  let tp = (m % cfg.toy_count) * P_TOY;
  let seed = hyper[m].seed;
  let lambda = hyper[m].l1;
  let gamma = hyper[m].cos;
  let inv_b = 1.0 / f32(cfg.B);
  let pre_bias = select(0.0, 1.0, (cfg.flags & FLAG_PRE_BIAS) != 0u);
  for (var q = lid; q < P_SAE; q += WG) { wp[q] = params[base + q]; }
  let t0 = state[0];
  let t_end = min(min(t0 + K_STEPS, cfg.T), state[1]);

  for (var t = t0; t < t_end; t++) {
    // --- sae_normalize (threads k < S) and sae_dead; the previous step's parameters (workgroup memory)
    // and firing counters (storage, written by thread 0) must be visible first
    workgroupBarrier();
    storageBarrier();
    if (lid < S_LAT) {
      let k = lid;
      var sq = 0.0;
      for (var j = 0u; j < D_HID; j++) { sq += wp[OFF_WD + k * D_HID + j] * wp[OFF_WD + k * D_HID + j]; }
      if (sq > 0.0) {
        let inv = 1.0 / sqrt(sq);
        for (var j = 0u; j < D_HID; j++) { wp[OFF_WD + k * D_HID + j] = wp[OFF_WD + k * D_HID + j] * inv; }
      }
      let at = (m * S_LAT + k) * 3u;
      let is_dead = (cfg.flags & (FLAG_GHOST | FLAG_AUXK)) != 0u && lat[at + LAT_SINCE] > cfg.dead_after;
      lat[at + LAT_DEAD] = select(0u, 1u, is_dead);
      if (is_dead) { lat[at + LAT_COOL] = cfg.ghost_cooldown; } else if (lat[at + LAT_COOL] > 0u) { lat[at + LAT_COOL] = lat[at + LAT_COOL] - 1u; }
      dead_wg[k] = select(0u, 1u, is_dead);
      weight_wg[k] = l1_weight(cfg.flags, lat[at + LAT_COOL], cfg.ghost_cooldown);
    }
    if (lid == 0u) { live = select(0u, 1u, status[m] == NOT_DIVERGED); }
    // normalised rows (workgroup memory) and dead flags / cooldowns (storage) are read by every thread below
    workgroupBarrier();
    storageBarrier();

    // --- per-sample work: sample_data, toy_forward (h only), sae_forward, per-sample gradients
    // each thread accumulates into its own column of `red` (workgroup memory): dynamically indexed
    // private arrays were 2x slower on SwiftShader
    for (var r = 0u; r < RV; r++) { red[r * WG + lid] = 0.0; }
    for (var b = lid; b < cfg.B; b += WG) {
      let x = sample_features(seed, t, b);
      var h: array<f32, D_HID>;
      for (var j = 0u; j < D_HID; j++) {
        var acc = 0.0;
        for (var i = 0u; i < N_FEAT; i++) { acc += toy_params[tp + i * D_HID + j] * x[i]; }
        h[j] = acc;
      }
      let o = sae_sample(h, lambda, inv_b, 1.0, 0.0);
      // sae_grad's and sae_loss's per-sample terms, and the firing counts of sae_firing
      for (var k = 0u; k < S_LAT; k++) {
        for (var j = 0u; j < D_HID; j++) {
          red[(OFF_WE + k * D_HID + j) * WG + lid] += o.dpre[k] * o.hin[j];
          red[(OFF_WD + k * D_HID + j) * WG + lid] += o.dh[j] * o.f[k] + o.G[j] * o.A[k];
        }
        red[(OFF_BE + k) * WG + lid] += o.dpre[k];
        red[(OFF_TH + k) * WG + lid] += o.dth[k];
        if (o.f[k] > 1e-6) { red[(RV_FIRE + k) * WG + lid] += 1.0; }
      }
      for (var j = 0u; j < D_HID; j++) {
        var acc = o.dh[j];
        if (pre_bias != 0.0) {
          for (var k = 0u; k < S_LAT; k++) { acc -= o.dpre[k] * wp[OFF_WE + k * D_HID + j]; }
        }
        red[(OFF_BD + j) * WG + lid] += acc;
      }
      red[RV_LOSS * WG + lid] += o.fvu;
      red[(RV_LOSS + 1u) * WG + lid] += o.l1raw;
      red[(RV_LOSS + 2u) * WG + lid] += o.l1w;
      red[(RV_LOSS + 3u) * WG + lid] += o.ghost;
      red[(RV_LOSS + 4u) * WG + lid] += o.l0;
    }
    // all partial sums in place before the tree reduction
    workgroupBarrier();
    for (var width = WG / 2u; width > 0u; width >>= 1u) {
      if (lid < width) {
        for (var r = 0u; r < RV; r++) { red[r * WG + lid] += red[r * WG + lid + width]; }
      }
      // the next level reads this level's sums
      workgroupBarrier();
    }
    // red[r * WG] now holds the batch sums. Thread 0: cosine penalty (adds to the decoder gradient),
    // firing counters, loss history and divergence; the sums are final, parameters still this step's.
    if (lid == 0u) {
      var pen = 0.0;
      if (gamma != 0.0) {
        let s = f32(S_LAT);
        var z = s * s;
        if ((cfg.flags & FLAG_COS_PAIRS) != 0u) { z = max(s * (s - 1.0) / 2.0, 1.0); } else { pen = s; }
        var norm: array<f32, S_LAT>;
        for (var k = 0u; k < S_LAT; k++) {
          var sq = 0.0;
          for (var j = 0u; j < D_HID; j++) { sq += wp[OFF_WD + k * D_HID + j] * wp[OFF_WD + k * D_HID + j]; }
          norm[k] = max(sqrt(sq), 1e-12);
        }
        for (var k = 0u; k < S_LAT; k++) {
          for (var l = 0u; l < k; l++) {
            var dot = 0.0;
            for (var j = 0u; j < D_HID; j++) { dot += wp[OFF_WD + k * D_HID + j] * wp[OFF_WD + l * D_HID + j]; }
            let sim = dot / (norm[k] * norm[l]);
            var dphi = 1.0;
            if ((cfg.flags & FLAG_COS_SQ) != 0u) { pen += sim * sim; dphi = 2.0 * sim; } else if ((cfg.flags & FLAG_COS_ABS) != 0u) { pen += abs(sim); dphi = sign(sim); } else { pen += sim; }
            let c = gamma / z * dphi;
            for (var j = 0u; j < D_HID; j++) {
              let wkj = wp[OFF_WD + k * D_HID + j];
              let wlj = wp[OFF_WD + l * D_HID + j];
              red[(OFF_WD + k * D_HID + j) * WG] += c * (wlj / (norm[k] * norm[l]) - sim * wkj / (norm[k] * norm[k]));
              red[(OFF_WD + l * D_HID + j) * WG] += c * (wkj / (norm[k] * norm[l]) - sim * wlj / (norm[l] * norm[l]));
            }
          }
        }
        pen = gamma * pen / z;
      }
      for (var k = 0u; k < S_LAT; k++) {
        let at = (m * S_LAT + k) * 3u + LAT_SINCE;
        lat[at] = select(lat[at] + 1u, 0u, red[(RV_FIRE + k) * WG] > 0.0);
      }
      let fvu = red[RV_LOSS * WG] * inv_b;
      let l1term = lambda * red[(RV_LOSS + 2u) * WG] * inv_b;
      let ghost = red[(RV_LOSS + 3u) * WG] * inv_b;
      let total = fvu + l1term + ghost + pen;
      if (!is_finite(total) && status[m] == NOT_DIVERGED) { status[m] = t; live = 0u; }
      if (t % cfg.log_every == 0u) {
        let r = (((t / cfg.log_every) % cfg.hist_len) * cfg.M + m) * HIST_W;
        hist[r + 0u] = total;
        hist[r + 1u] = fvu;
        hist[r + 2u] = l1term;
        hist[r + 3u] = red[(RV_LOSS + 1u) * WG] * inv_b;
        hist[r + 4u] = ghost;
        hist[r + 5u] = pen;
        hist[r + 6u] = red[(RV_LOSS + 4u) * WG] * inv_b;
        hist[r + 7u] = f32(t);
      }
    }
    // the gradient (with the cosine term) and `live` are complete
    workgroupBarrier();
    // sae_project_grad (threads k < S): rows are unit, gradient sums sit at red[q * WG]
    if (lid < S_LAT) {
      let k = lid;
      var dot = 0.0;
      for (var j = 0u; j < D_HID; j++) { dot += red[(OFF_WD + k * D_HID + j) * WG] * wp[OFF_WD + k * D_HID + j]; }
      for (var j = 0u; j < D_HID; j++) { red[(OFF_WD + k * D_HID + j) * WG] -= dot * wp[OFF_WD + k * D_HID + j]; }
    }
    // projected gradient complete before Adam reads it
    workgroupBarrier();
    // adam (threads q < P), skipped for diverged models
    if (live != 0u) {
      let lr = hyper[m].lr * lr_factor(t, cfg.T, cfg.warmup, cfg.cooldown);
      let step = f32(t + 1u);
      let bc1 = 1.0 - pow(cfg.beta1, step);
      let bc2 = 1.0 - pow(cfg.beta2, step);
      for (var q = lid; q < P_SAE; q += WG) {
        let i = base + q;
        let vi = cfg.M * P_SAE + i;
        let g = red[q * WG];
        let m1 = cfg.beta1 * adam[i] + (1.0 - cfg.beta1) * g;
        let v = cfg.beta2 * adam[vi] + (1.0 - cfg.beta2) * g * g;
        adam[i] = m1;
        adam[vi] = v;
        var p = wp[q] * (1.0 - lr * cfg.weight_decay);
        p -= (lr / bc1) * m1 / (sqrt(v) / sqrt(bc2) + cfg.eps);
        wp[q] = p;
      }
    }
  }
  // the last step's updates are written back once
  workgroupBarrier();
  for (var q = lid; q < P_SAE; q += WG) { params[base + q] = wp[q]; }
}
