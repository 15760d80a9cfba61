// sae_steps/v2.wgsl: K whole SAE training steps per dispatch, one workgroup per model: version v2,
// shaped for GPUs (v1, sae_steps/v1.wgsl, is tuned for SwiftShader). Same math and step order as the
// modular kernels and v1 (sample_data -> toy_forward -> sae_normalize -> sae_dead -> sae_forward ->
// sae_firing -> sae_grad -> sae_cos_grad -> sae_project_grad -> sae_loss -> adam); the formulas come from
// lib/sample.wgsl, lib/sae_sample.wgsl, lib/sae_step.wgsl, lib/sae_loss.wgsl and lib/adam.wgsl.
// What changed from v1: WG = {{WG}} threads per model (128-256 on a GPU), each with B / WG samples drawn
// in-kernel; every thread keeps its share of the reduced values (gradient [P_SAE], firing counts [S],
// loss sums [LOSS_RED], cosine penalty [1]) in registers, and one subgroup pass (or a workgroup-memory pass
// without subgroups, lib/wg_partials.wgsl) leaves a few partials per value that each consumer adds
// itself. No thread-0 section: latent k's owner (thread k % WG) computes its cosine terms against all
// other rows during the sample phase, then projects, updates (Adam) and renormalises its decoder row and
// keeps its firing / dead state; the other parameters have one owner each; every thread derives the
// loss and the divergence flag from the same partials (thread 0 stores the history row).
// Barriers per step: 2 with subgroups (partials complete; updates complete), 3 without.
// Sums are in a different order than the modular path (equal within the training tolerances, not bitwise).
// The step counter is read once (state[0] = t0); steps run up to min(t0 + K, T, state[1]).
// Bindings: @0 cfg (uniform Config), @1 hyper (read), @2 state (read, u32 step), @3 tables (read, sampler
//   CDFs), @4 toy_params (read), @5 params (rw, [M][P_SAE]), @6 adam (rw, [2][M][P_SAE]),
//   @7 lat (rw, [M][S][3] u32), @8 status (rw, [M] u32), @9 hist (rw, [hist_len][M][HIST_W]).
// Dispatch: (M, 1, 1) workgroups of WG threads; K = {{K_STEPS}} steps (clamped to T).
// Fits when RV = P_SAE + S + 6 <= 128 and the workgroup memory allows (the fit rule reads RV and the
// var<workgroup> sizes from this file: src/kernels/sae_steps/index.ts, stepsFootprint).
// Twin: src/reference/trainer.ts (RefSaeTrainer.doStep), checked against the modular path and v1 too.
{{SG_ENABLE}}
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
// reduced values per thread: gradient [P_SAE], firing counts [S_LAT], loss sums [LOSS_RED], cosine penalty
// the loss terms it sums: the first six (p-annealing's penalty sums are the modular path's and cpu's: sharedMisfit)
const LOSS_RED: u32 = 6u;
const RV: u32 = P_SAE + S_LAT + LOSS_RED + 1u;
const RV_FIRE: u32 = P_SAE;
const RV_LOSS: u32 = P_SAE + S_LAT;
const RV_PEN: u32 = P_SAE + S_LAT + LOSS_RED;
// decoder rows (latents) per thread, and the non-decoder parameters (one owner each)
const ROWS_PT: u32 = (S_LAT + WG - 1u) / WG;
const P_OTHER: u32 = P_SAE - S_LAT * D_HID;
//#include "lib/wg_partials.wgsl"

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

//#include "lib/fused_model.wgsl"

//#include "lib/sample.wgsl"
//#include "lib/sae_sample.wgsl"
//#include "lib/sae_grad_add.wgsl"

// this thread's share of the step's sums (gradient, firing counts, loss terms: lib/wg_partials.wgsl's acc)
fn grad_add(q: u32, v: f32) { acc[q] += v; }

// Latent k's owner, before a step: unit decoder row (sae_normalize) and dead bookkeeping (sae_dead).
fn latent_prologue(m: u32, k: u32) {
  let w = normalized_row(dec_row(k));
  for (var j = 0u; j < D_HID; j++) { wp[OFF_WD + k * D_HID + j] = w[j]; }
  let at = (m * S_LAT + k) * 3u;
  let d = dead_update(lat[at + LAT_SINCE], lat[at + LAT_COOL]);
  lat[at + LAT_DEAD] = select(0u, 1u, d.dead);
  lat[at + LAT_COOL] = d.cool;
  dead_wg[k] = select(0u, 1u, d.dead);
  weight_wg[k] = l1_weight(cfg.flags, d.cool, cfg.ghost_cooldown);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x;
  cur_m = m;
  let base = m * P_SAE;
  let tp = (m % cfg.toy_count) * P_TOY;
  let seed = hyper[m].seed;
  let lambda = hyper[m].l1;
  let gamma = hyper[m].cos;
  let lr0 = hyper[m].lr;
  let inv_b = 1.0 / f32(cfg.B);
  let z = cos_z();
  for (var q = lid; q < P_SAE; q += WG) { wp[q] = params[base + q]; }
  let t0 = state[0];
  let t_end = min(min(t0 + K_STEPS, cfg.T), state[1]);
  var live = status[m] == NOT_DIVERGED;
  // the parameters are loaded before the owners normalise their rows
  workgroupBarrier();
  for (var i = 0u; i < ROWS_PT; i++) {
    let k = lid + i * WG;
    if (k < S_LAT && t0 < t_end) { latent_prologue(m, k); }
  }
  // unit rows, dead flags and L1 weights are read by every thread below
  workgroupBarrier();

  for (var t = t0; t < t_end; t++) {
    // --- per-sample work (sample_data, toy_forward, sae_forward, per-sample gradients) into registers
    for (var r = 0u; r < RV; r++) { acc[r] = 0.0; }
    for (var b = lid; b < cfg.B; b += WG) {
      let x = sample_features(seed, t, b);
      var h: array<f32, D_HID>;
      for (var j = 0u; j < D_HID; j++) {
        var a = 0.0;
        for (var i = 0u; i < N_FEAT; i++) { a += toy_params[tp + i * D_HID + j] * x[i]; }
        h[j] = a;
      }
      smp = sae_sample(h, lambda, inv_b, 1.0, 0.0, t);
      sae_grad_add();
      for (var k = 0u; k < S_LAT; k++) {
        if (smp.f[k] > 1e-6) { acc[RV_FIRE + k] += 1.0; }
      }
      acc[RV_LOSS] += smp.fvu;
      acc[RV_LOSS + 1u] += smp.l1raw;
      acc[RV_LOSS + 2u] += smp.l1w;
      acc[RV_LOSS + 3u] += smp.ghost;
      acc[RV_LOSS + 4u] += smp.l0;
      acc[RV_LOSS + 5u] += smp.rec;
    }
    // --- cosine penalty (sae_cos_grad): latent k's owner, all pairs (k, l); the penalty counts l < k once
    var cosg: array<array<f32, D_HID>, ROWS_PT>;
    for (var i = 0u; i < ROWS_PT; i++) {
      for (var j = 0u; j < D_HID; j++) { cosg[i][j] = 0.0; }
      let k = lid + i * WG;
      if (k < S_LAT && gamma != 0.0) {
        let wk = dec_row(k);
        let nk = cos_norm(wk);
        for (var l = 0u; l < S_LAT; l++) {
          if (l == k) { continue; }
          let wl = dec_row(l);
          let nl = cos_norm(wl);
          let p = cos_pair(wk, wl, nk, nl, gamma, z);
          if (l < k) { acc[RV_PEN] += p.phi; }
          for (var j = 0u; j < D_HID; j++) { cosg[i][j] += cos_grad_term(p, wk[j], wl[j], nk, nl); }
        }
      }
    }
    part_write(lid);

    // --- loss, history, divergence (sae_loss): every thread derives the same values from the partials
    var sums: array<f32, LOSS_N>;
    for (var q = 0u; q < LOSS_RED; q++) { sums[q] = part_total(RV_LOSS + q); }  // the rest stay 0
    let pen = select(0.0, gamma * (cos_diag() + part_total(RV_PEN)) / z, gamma != 0.0);
    let row = sae_loss_row(sums, lambda, pen);
    if (lid == 0u) {
      live = sae_loss_write(m, t, row);
    } else {
      live = live && is_finite(row[0]);
    }
    let ast = adam_step(adam_lr(lr0, t), t);
    let more = t + 1u < t_end;
    // --- decoder rows and latent state (owners): sae_firing, sae_project_grad, adam, then the next
    // step's sae_normalize and sae_dead
    for (var i = 0u; i < ROWS_PT; i++) {
      let k = lid + i * WG;
      if (k < S_LAT) {
        let at = (m * S_LAT + k) * 3u + LAT_SINCE;
        lat[at] = since_update(lat[at], part_total(RV_FIRE + k) > 0.0);
        var w = dec_row(k);
        if (live) {
          var g: array<f32, D_HID>;
          for (var j = 0u; j < D_HID; j++) { g[j] = part_total(OFF_WD + k * D_HID + j) + cosg[i][j]; }
          g = decoder_grad_row(g, w);
          for (var j = 0u; j < D_HID; j++) {
            let pi = base + OFF_WD + k * D_HID + j;
            let o = adam_apply(w[j], g[j], adam[pi], adam[cfg.M * P_SAE + pi], ast);
            adam[pi] = o.m1;
            adam[cfg.M * P_SAE + pi] = o.v;
            w[j] = o.p;
          }
          for (var j = 0u; j < D_HID; j++) { wp[OFF_WD + k * D_HID + j] = w[j]; }
        }
        if (more) { latent_prologue(m, k); }
      }
    }
    // --- the other parameters (one owner each): adam
    if (live) {
      for (var u = lid; u < P_OTHER; u += WG) {
        let q = select(u + S_LAT * D_HID, u, u < OFF_WD);
        let pi = base + q;
        let o = adam_apply(wp[q], part_total(q), adam[pi], adam[cfg.M * P_SAE + pi], ast);
        adam[pi] = o.m1;
        adam[cfg.M * P_SAE + pi] = o.v;
        wp[q] = o.p;
      }
    }
    // updated parameters, dead flags and L1 weights before the next step reads them; partials free again
    workgroupBarrier();
  }
  for (var q = lid; q < P_SAE; q += WG) { params[base + q] = wp[q]; }
}
