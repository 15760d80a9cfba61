// toy_steps/cpu.wgsl: K whole toy-model training steps per dispatch, ONE INVOCATION PER TOY MODEL: the version
// shaped for CPU (software) adapters. No barriers, no workgroup memory, no subgroup operations; WG = {{WG}}
// neighbouring models share the adapter's SIMD lanes (the study trains one toy model per experiment, which
// then runs alone, still several times faster than five dispatches per step on a software adapter).
// What changed from the fused version: the sums are in the modular path's order, so it trains the same bits:
//   per sample b = 0 .. B-1 (drawn in the kernel, lib/sample.wgsl): toy_forward's formulas
//     h = W^T x, u = W h + b, xhat = ReLU(u), loss_b = (1/N) sum_i I_i (x_i - xhat_i)^2,
//     delta_i = -2 I_i (x_i - xhat_i) [u_i > 0] / (B N), g_j = sum_i delta_i W_ij;
//   toy_grad's serial sums over b: dW_ij = sum_b delta_i h_j + x_i g_j, db_i = sum_b delta_i;
//   toy_loss's order: 64 partial sums (partial l adds the samples b = l mod 64 in turn), then the same
//     halving tree as lib/reduce.wgsl; L = sum / B, history row and divergence flag (lib/toy_step.wgsl);
//   adam's update (lib/adam.wgsl), skipped for a model that diverged.
// Steps run from state[0] up to min(state[0] + K, T, state[1]); step_advance adds K afterwards.
// Bindings: as toy_steps/fused.wgsl: @0 cfg (uniform Config), @1 hyper (read, [M] Hyper), @2 state (read, u32
//   step), @3 tables (read, sampler CDFs), @4 importance (read, [N]), @5 toy_params (rw, [M][P_TOY]),
//   @6 adam (rw, [2][M][P_TOY]), @7 status (rw, [M] u32), @8 hist (rw, [hist_len][M][2]).
// Dispatch: ceil(M / WG) workgroups of WG invocations, invocation m = model m (the tail returns at once);
// K = {{K_STEPS}} steps. Fits any n, d (private arrays of P_TOY floats).
// Twin: src/reference/trainer.ts (RefToyTrainer.doStep); checked bit for bit against the modular toy path.
//#include "lib/rng.wgsl"
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"
//#include "lib/toy_step.wgsl"
//#include "lib/adam.wgsl"

const N_SETS: u32 = {{N_SETS}}u;
const SET_SIZE = array<u32, N_SETS>({{SET_SIZES}});
const K_STEPS: u32 = {{K_STEPS}}u;
const WG: u32 = {{WG}}u;
// toy_loss's workgroup: its 64 threads' partial sums, reduced by a halving tree
const LOSS_PARTS: u32 = 64u;

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> tables: array<f32>;
@group(0) @binding(4) var<storage, read> importance: array<f32>;
@group(0) @binding(5) var<storage, read_write> toy_params: array<f32>;
@group(0) @binding(6) var<storage, read_write> adam: array<f32>;
@group(0) @binding(7) var<storage, read_write> status: array<u32>;
@group(0) @binding(8) var<storage, read_write> hist: array<f32>;

//#include "lib/sample.wgsl"
//#include "lib/toy_sample.wgsl"

// the model and the importances stay private for the whole chunk
var<private> wt: array<f32, P_TOY>;
var<private> imp: array<f32, N_FEAT>;
fn toy_w(q: u32) -> f32 { return wt[q]; }
fn toy_imp(i: u32) -> f32 { return imp[i]; }

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = gid.x;
  if (m >= cfg.M) { return; }
  let base = m * P_TOY;
  let vbase = cfg.M * P_TOY + base;
  let seed = hyper[m].seed;
  let lr0 = hyper[m].lr;
  let scale = 2.0 / f32(cfg.B * N_FEAT);
  for (var q = 0u; q < P_TOY; q++) { wt[q] = toy_params[base + q]; }
  for (var i = 0u; i < N_FEAT; i++) { imp[i] = importance[i]; }
  let t0 = state[0];
  let t_end = min(min(t0 + K_STEPS, cfg.T), state[1]);

  for (var t = t0; t < t_end; t++) {
    var grad: array<f32, P_TOY>;
    for (var q = 0u; q < P_TOY; q++) { grad[q] = 0.0; }
    var part: array<f32, LOSS_PARTS>;
    for (var l = 0u; l < LOSS_PARTS; l++) { part[l] = 0.0; }
    for (var b = 0u; b < cfg.B; b++) {
      // --- sample_data, toy_forward (lib/toy_sample.wgsl); toy_grad's running sums, toy_loss's partial sums
      let x = sample_features(seed, t, b);
      let smp = toy_sample(x, scale);
      for (var q = 0u; q < P_TOY; q++) { grad[q] += toy_sample_grad(smp, x, q); }
      part[b % LOSS_PARTS] += smp.loss / f32(N_FEAT);
    }
    // --- toy_loss: lib/reduce.wgsl's halving tree over the partials
    for (var width = LOSS_PARTS / 2u; width > 0u; width >>= 1u) {
      for (var l = 0u; l < width; l++) { part[l] += part[l + width]; }
    }
    let live = toy_loss_write(m, t, part[0] / f32(cfg.B));
    // --- adam, skipped for diverged models
    if (live) {
      let ast = adam_step(adam_lr(lr0, t), t);
      for (var q = 0u; q < P_TOY; q++) {
        let o = adam_apply(wt[q], grad[q], adam[base + q], adam[vbase + q], ast);
        adam[base + q] = o.m1;
        adam[vbase + q] = o.v;
        wt[q] = o.p;
      }
    }
  }
  for (var q = 0u; q < P_TOY; q++) { toy_params[base + q] = wt[q]; }
}
