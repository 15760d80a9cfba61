// sae_steps/v1.wgsl: K whole SAE training steps per dispatch, one workgroup per model, the same math
// and step order as the modular kernels (sample_data -> toy_forward -> sae_normalize -> sae_dead ->
// sae_forward -> sae_firing -> sae_grad -> sae_cos_grad -> sae_project_grad -> sae_loss -> adam), with the
// per-sample math of lib/sae_sample.wgsl (ReLU, TopK, JumpReLU; ghost grads or AuxK; not batch FVU/BatchTopK).
// Version v1 (tuned for SwiftShader: few threads, few barrier round trips). v2 (sae_steps/v2.wgsl)
// is the version shaped for GPUs; both are checked against the same reference and the modular path.
// Parameters live in workgroup memory for the whole chunk; each thread takes samples b = lid, lid+WG, ...
// of the step's batch, accumulates its share of the gradient, the loss terms and the firing counts in
// its own column of workgroup memory, and one tree reduction per step sums them (lib/reduce.wgsl).
// Thread 0 then adds the cosine penalty and writes firing counters, loss history and divergence;
// threads k < S project the decoder gradient and threads q < P apply Adam. The per-step formulas are
// lib/sae_step.wgsl and lib/adam.wgsl, the per-sample ones lib/sae_sample.wgsl.
// Only for small SAEs: P_SAE + S_LAT + 5 <= 64 values are reduced per step (the study's d=2, s=4: 35),
// and RV * WG floats of red (the fit rule reads RV and the var<workgroup> sizes from this file: stepsFootprint).
// The step counter is read once (state[0] = t0); steps run up to min(t0 + K, T, state[1]) (state[1] = the
// host's stop step); step_advance adds K afterwards, clamped the same way.
// Bindings: @0 cfg (uniform Config), @1 hyper (read), @2 state (read, u32 step), @3 tables (read, sampler
//   CDFs), @4 toy_params (read), @5 params (rw, [M][P_SAE]), @6 adam (rw, [2][M][P_SAE]),
//   @7 lat (rw, [M][S][3] u32), @8 status (rw, [M] u32), @9 hist (rw, [hist_len][M][HIST_W]).
// Dispatch: (M, 1, 1) workgroups of WG = {{WG}} threads (default 16, src/kernels/sae_steps/index.ts); K = {{K_STEPS}} steps.
// Twin: src/reference/trainer.ts (RefSaeTrainer.doStep), checked against the modular path too.
//#include "lib/rng.wgsl"
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"
//#include "lib/sae_layout.wgsl"
//#include "lib/sae_step.wgsl"
//#include "lib/sae_loss.wgsl"
//#include "lib/adam.wgsl"

const N_SETS: u32 = {{N_SETS}}u;
const SET_SIZE = array<u32, N_SETS>({{SET_SIZES}});
const K_STEPS: u32 = {{K_STEPS}}u;
const WG: u32 = {{WG}}u;
// reduced values per thread: gradient [P_SAE], firing counts [S_LAT], loss sums [LOSS_RED]
// the loss terms it sums: the first six (p-annealing's penalty sums are the modular path's and cpu's: sharedMisfit)
const LOSS_RED: u32 = 6u;
const RV: u32 = P_SAE + S_LAT + LOSS_RED;
const RV_FIRE: u32 = P_SAE;
const RV_LOSS: u32 = P_SAE + S_LAT;
const RED_WG: u32 = WG;
const RED_ROWS: u32 = RV;
//#include "lib/reduce.wgsl"

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

var<workgroup> live: u32;
//#include "lib/fused_model.wgsl"

//#include "lib/sample.wgsl"
//#include "lib/sae_sample.wgsl"
//#include "lib/sae_grad_add.wgsl"

// each thread sums its samples' gradient into its own column of `red` (lib/sae_grad.wgsl's terms)
var<private> lid_p: u32;
fn grad_add(q: u32, v: f32) { red[q * WG + lid_p] += v; }

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x;
  cur_m = m;
  lid_p = lid;
  let base = m * P_SAE;
  let tp = (m % cfg.toy_count) * P_TOY;
  let seed = hyper[m].seed;
  let lambda = hyper[m].l1;
  let gamma = hyper[m].cos;
  let inv_b = 1.0 / f32(cfg.B);
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
      let w = normalized_row(dec_row(k));
      for (var j = 0u; j < D_HID; j++) { wp[OFF_WD + k * D_HID + j] = w[j]; }
      let at = (m * S_LAT + k) * 3u;
      let d = dead_update(lat[at + LAT_SINCE], lat[at + LAT_COOL]);
      lat[at + LAT_DEAD] = select(0u, 1u, d.dead);
      lat[at + LAT_COOL] = d.cool;
      dead_wg[k] = select(0u, 1u, d.dead);
      weight_wg[k] = l1_weight(cfg.flags, d.cool, cfg.ghost_cooldown);
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
      smp = sae_sample(h, lambda, inv_b, 1.0, 0.0, t);
      sae_grad_add();
      // sae_loss's per-sample terms and the firing counts of sae_firing
      for (var k = 0u; k < S_LAT; k++) {
        if (smp.f[k] > 1e-6) { red[(RV_FIRE + k) * WG + lid] += 1.0; }
      }
      red[RV_LOSS * WG + lid] += smp.fvu;
      red[(RV_LOSS + 1u) * WG + lid] += smp.l1raw;
      red[(RV_LOSS + 2u) * WG + lid] += smp.l1w;
      red[(RV_LOSS + 3u) * WG + lid] += smp.ghost;
      red[(RV_LOSS + 4u) * WG + lid] += smp.l0;
      red[(RV_LOSS + 5u) * WG + lid] += smp.rec;
    }
    reduce_rows(lid);
    // red[r * WG] now holds the batch sums. Thread 0: cosine penalty (adds to the decoder gradient),
    // firing counters, loss history and divergence; the sums are final, parameters still this step's.
    if (lid == 0u) {
      var pen = 0.0;
      if (gamma != 0.0) {
        let z = cos_z();
        pen = cos_diag();
        var norm: array<f32, S_LAT>;
        for (var k = 0u; k < S_LAT; k++) { norm[k] = cos_norm(dec_row(k)); }
        for (var k = 0u; k < S_LAT; k++) {
          let wk = dec_row(k);
          for (var l = 0u; l < k; l++) {
            let wl = dec_row(l);
            let p = cos_pair(wk, wl, norm[k], norm[l], gamma, z);
            pen += p.phi;
            for (var j = 0u; j < D_HID; j++) {
              red[(OFF_WD + k * D_HID + j) * WG] += cos_grad_term(p, wk[j], wl[j], norm[k], norm[l]);
              red[(OFF_WD + l * D_HID + j) * WG] += cos_grad_term(p, wl[j], wk[j], norm[l], norm[k]);
            }
          }
        }
        pen = gamma * pen / z;
      }
      for (var k = 0u; k < S_LAT; k++) {
        let at = (m * S_LAT + k) * 3u + LAT_SINCE;
        lat[at] = since_update(lat[at], red[(RV_FIRE + k) * WG] > 0.0);
      }
      var sums: array<f32, LOSS_N>;
      for (var q = 0u; q < LOSS_RED; q++) { sums[q] = red[(RV_LOSS + q) * WG]; }  // the rest stay 0
      if (!sae_loss_write(m, t, sae_loss_row(sums, lambda, pen))) { live = 0u; }
    }
    // the gradient (with the cosine term) and `live` are complete
    workgroupBarrier();
    // sae_project_grad (threads k < S): rows are unit, gradient sums sit at red[q * WG]
    if (lid < S_LAT) {
      let k = lid;
      var g: array<f32, D_HID>;
      for (var j = 0u; j < D_HID; j++) { g[j] = red[(OFF_WD + k * D_HID + j) * WG]; }
      g = decoder_grad_row(g, dec_row(k));
      for (var j = 0u; j < D_HID; j++) { red[(OFF_WD + k * D_HID + j) * WG] = g[j]; }
    }
    // projected gradient complete before Adam reads it
    workgroupBarrier();
    // adam (threads q < P), skipped for diverged models
    if (live != 0u) {
      let ast = adam_step(adam_lr(hyper[m].lr, t), t);
      for (var q = lid; q < P_SAE; q += WG) {
        let i = base + q;
        let vi = cfg.M * P_SAE + i;
        let o = adam_apply(wp[q], red[q * WG], adam[i], adam[vi], ast);
        adam[i] = o.m1;
        adam[vi] = o.v;
        wp[q] = o.p;
      }
    }
  }
  // the last step's updates are written back once
  workgroupBarrier();
  for (var q = lid; q < P_SAE; q += WG) { params[base + q] = wp[q]; }
}
