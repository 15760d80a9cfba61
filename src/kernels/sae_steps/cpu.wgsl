// sae_steps/cpu.wgsl: K whole SAE training steps per dispatch, ONE INVOCATION PER MODEL: the version
// shaped for CPU (software) adapters, where a workgroup's invocations run in SIMD lanes and barriers,
// workgroup memory and subgroup operations are emulated and expensive. Same math and step order as the
// modular kernels, v1 and v2 (sample_data -> toy_forward -> sae_normalize -> sae_dead -> sae_forward ->
// sae_firing -> sae_grad -> sae_cos_grad -> sae_project_grad -> sae_loss -> adam), with the formulas of
// lib/sample.wgsl, lib/sae_sample.wgsl, lib/sae_grad_add.wgsl, lib/sae_step.wgsl, lib/sae_loss.wgsl and lib/adam.wgsl.
// What changed from v1: no barriers, no workgroup memory, no subgroup operations. The invocation keeps
// its model's parameters, Adam moments, latent state and toy weights in private variables for the whole
// chunk, walks the step's batch b = 0 .. B-1 serially (samples drawn in the kernel), sums gradient,
// firing counts and loss terms in private accumulators, then does the cosine penalty, the projection and
// Adam itself. A small workgroup (WG = {{WG}}, 8-16) lets the adapter run neighbouring models side by
// side in its SIMD lanes. Sums are in a different order than the modular path (equal within the
// training tolerances, not bitwise).
// Steps run from state[0] up to min(state[0] + K, T, state[1]); step_advance adds K afterwards.
// Bindings: @0 cfg (uniform Config), @1 hyper (rw: p-annealing rescales its lambda), @2 state (read, u32 step),
//   @3 tables (read, sampler CDFs), @4 toy_params (read), @5 params (rw, [M][P_SAE]), @6 adam (rw, [2][M][P_SAE]),
//   @7 lat (rw, [M][S][3] u32), @8 status (rw, [M] u32), @9 hist (rw, [hist_len][M][HIST_W]),
//   @10 anneal (rw, [M][2]: p-annealing's queue sums, lib/p_anneal_step.wgsl).
// Dispatch: ceil(M / WG) workgroups of WG invocations, invocation m = model m (the tail returns at once);
// K = {{K_STEPS}} steps. Fits any d, s (private arrays of P_SAE floats); not batch FVU. BatchTopK: the batch
// threshold (sae_batch_topk.wgsl's) by a radix select over the step's batch before its samples (batch_threshold).
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

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read_write> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> tables: array<f32>;
@group(0) @binding(4) var<storage, read> toy_params: array<f32>;
@group(0) @binding(5) var<storage, read_write> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> adam: array<f32>;
@group(0) @binding(7) var<storage, read_write> lat: array<u32>;
@group(0) @binding(8) var<storage, read_write> status: array<u32>;
@group(0) @binding(9) var<storage, read_write> hist: array<f32>;
@group(0) @binding(10) var<storage, read_write> anneal: array<f32>;
//#include "lib/p_anneal_step.wgsl"

//#include "lib/private_model.wgsl"
//#include "lib/sample.wgsl"
//#include "lib/sae_sample.wgsl"
//#include "lib/sae_grad_add.wgsl"

//#include "lib/batch_threshold.wgsl"

// the step's gradient, summed over the batch (lib/sae_grad.wgsl adds each sample's terms)
var<private> g: array<f32, P_SAE>;
fn grad_add(q: u32, v: f32) { g[q] += v; }

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = gid.x;
  if (m >= cfg.M) { return; }
  cur_m = m;
  let base = m * P_SAE;
  let vbase = cfg.M * P_SAE + base;
  let tp = (m % cfg.toy_count) * P_TOY;
  let seed = hyper[m].seed;
  var lambda = hyper[m].l1;
  let gamma = hyper[m].cos;
  let lr0 = hyper[m].lr;
  let inv_b = 1.0 / f32(cfg.B);
  // the model, its Adam moments, latent state and toy weights stay private for the whole chunk (moments read and
  // written per step were a fifth of the step at B = 64 on lavapipe: each is a gather across the lanes' models)

  var m1p: array<f32, P_SAE>;
  var vp: array<f32, P_SAE>;
  for (var q = 0u; q < P_SAE; q++) {
    wp[q] = params[base + q];
    m1p[q] = adam[base + q];
    vp[q] = adam[vbase + q];
  }
  var since: array<u32, S_LAT>;
  var cool: array<u32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) {
    since[k] = lat[(m * S_LAT + k) * LAT_W + LAT_SINCE];
    cool[k] = lat[(m * S_LAT + k) * LAT_W + LAT_COOL];
    dead_p[k] = lat[(m * S_LAT + k) * LAT_W + LAT_DEAD] != 0u;
  }
  for (var q = 0u; q < N_FEAT * D_HID; q++) { tw[q] = toy_params[tp + q]; }
  var live = status[m] == NOT_DIVERGED;
  let t0 = state[0];
  let t_end = min(min(t0 + K_STEPS, cfg.T), state[1]);

  for (var t = t0; t < t_end; t++) {
    // --- sae_normalize and sae_dead
    for (var k = 0u; k < S_LAT; k++) {
      let w = normalized_row(dec_row(k));
      for (var j = 0u; j < D_HID; j++) { wp[OFF_WD + k * D_HID + j] = w[j]; }
      let d = dead_update(since[k], cool[k]);
      cool[k] = d.cool;
      dead_p[k] = d.dead;
      weight_p[k] = l1_weight(cfg.flags, d.cool, cfg.ghost_cooldown);
    }

    // --- per-sample work, summed in private accumulators
    var fired: array<bool, S_LAT>;
    var sums: array<f32, LOSS_N>;
    for (var q = 0u; q < P_SAE; q++) { g[q] = 0.0; }
    for (var k = 0u; k < S_LAT; k++) { fired[k] = false; }
    for (var q = 0u; q < LOSS_N; q++) { sums[q] = 0.0; }
    // --- sae_batch_topk (BatchTopK only: a uniform branch)
    var bthr = 0.0;
    if ((cfg.flags & FLAG_BATCH_TOPK) != 0u) { bthr = batch_threshold(seed, t); }
    for (var b = 0u; b < cfg.B; b++) {
      let h = sample_h(seed, t, b);
      smp = sae_sample(h, lambda, inv_b, 1.0, bthr, t);
      sae_grad_add();
      for (var k = 0u; k < S_LAT; k++) { fired[k] = fired[k] || smp.f[k] > 1e-6; }
      sums[0] += smp.fvu;
      sums[1] += smp.l1raw;
      sums[2] += smp.l1w;
      sums[3] += smp.ghost;
      sums[4] += smp.l0;
      sums[5] += smp.rec;
      sums[6] += smp.pen;
      sums[7] += smp.pen_next;
    }

    // --- sae_cos_grad: the penalty and its decoder gradient
    var pen = 0.0;
    if (gamma != 0.0) {
      let z = cos_z();
      pen = cos_diag();
      var norm: array<f32, S_LAT>;
      for (var k = 0u; k < S_LAT; k++) { norm[k] = cos_norm(dec_row(k)); }
      //#rolled: once per step, and only with the penalty (S^2/2 pairs unrolled are most of the kernel's text)
      for (var k = 0u; k < S_LAT; k++) {
        let wk = dec_row(k);
        for (var l = 0u; l < k; l++) {
          let wl = dec_row(l);
          let p = cos_pair(wk, wl, norm[k], norm[l], gamma, z);
          pen += p.phi;
          for (var j = 0u; j < D_HID; j++) {
            g[OFF_WD + k * D_HID + j] += cos_grad_term(p, wk[j], wl[j], norm[k], norm[l]);
            g[OFF_WD + l * D_HID + j] += cos_grad_term(p, wl[j], wk[j], norm[l], norm[k]);
          }
        }
      }
      pen = gamma * pen / z;
    }
    // --- sae_firing and sae_loss (history row, divergence)
    for (var k = 0u; k < S_LAT; k++) { since[k] = since_update(since[k], fired[k]); }
    if (!sae_loss_write(m, t, sae_loss_row(sums, lambda, pen))) { live = false; }
    // p-annealing: the queue and lambda for the next step (unchanged without: Config.pa_n = 0)
    lambda = pa_step(m, t, lambda, sums[6] * inv_b, sums[7] * inv_b);
    // --- sae_project_grad: rows are unit
    for (var k = 0u; k < S_LAT; k++) {
      var gk: array<f32, D_HID>;
      for (var j = 0u; j < D_HID; j++) { gk[j] = g[OFF_WD + k * D_HID + j]; }
      gk = projected_row(gk, dec_row(k));
      for (var j = 0u; j < D_HID; j++) { g[OFF_WD + k * D_HID + j] = gk[j]; }
    }
    // reference SAEs (FLAG_FIXED_DEC): no decoder step, decoder_grad_row's rule; the text is there only in their jobs
    {{FIXED_DEC_STEP}}
    // --- adam, skipped for diverged models
    if (live) {
      let ast = adam_step(adam_lr(lr0, t), t);
      for (var q = 0u; q < P_SAE; q++) {
        let o = adam_apply(wp[q], g[q], m1p[q], vp[q], ast);
        m1p[q] = o.m1;
        vp[q] = o.v;
        wp[q] = o.p;
      }
    }
  }
  // the chunk's end state is written back once
  hyper[m].l1 = lambda;
  for (var q = 0u; q < P_SAE; q++) {
    params[base + q] = wp[q];
    adam[base + q] = m1p[q];
    adam[vbase + q] = vp[q];
  }
  for (var k = 0u; k < S_LAT; k++) {
    let at = (m * S_LAT + k) * LAT_W;
    lat[at + LAT_SINCE] = since[k];
    lat[at + LAT_COOL] = cool[k];
    lat[at + LAT_DEAD] = select(0u, 1u, dead_p[k]);
  }
}
