// toy_steps/fused.wgsl: K whole toy-model training steps per dispatch, one workgroup per toy model, the same
// math and step order as the modular toy path (sample_data -> toy_forward -> toy_loss -> toy_grad -> adam):
//   h = W^T x, u = W h + b, xhat = ReLU(u), loss_b = (1/N) sum_i I_i (x_i - xhat_i)^2, L = mean_b loss_b;
//   delta_i = -2 I_i (x_i - xhat_i) [u_i > 0] / (B N), g_j = sum_i delta_i W_ij;
//   dW_ij = sum_b delta_i h_j + x_i g_j, db_i = sum_b delta_i; AdamW with the LR schedule (lib/adam.wgsl).
// WG = {{WG}} threads per model, each drawing samples b = lid, lid + WG, ... in-kernel (lib/sample.wgsl)
// and keeping its share of the gradient and the loss in registers; one subgroup (or workgroup-memory)
// pass leaves a few partials per value (lib/wg_partials.wgsl); parameter q's owner (thread q % WG)
// applies Adam; every thread derives the loss and the divergence flag, thread 0 stores the history row
// (lib/toy_step.wgsl). Barriers per step: 2 with subgroups, 3 without. Sums are in a different order
// than toy_grad's serial sums (equal within the training tolerances, not bitwise).
// Steps run from state[0] up to min(state[0] + K, T, state[1]); step_advance adds K afterwards.
// Bindings: @0 cfg (uniform Config), @1 hyper (read, [M] Hyper), @2 state (read, u32 step),
//   @3 tables (read, sampler CDFs), @4 importance (read, [N]), @5 toy_params (rw, [M][P_TOY]),
//   @6 adam (rw, [2][M][P_TOY]), @7 status (rw, [M] u32), @8 hist (rw, [hist_len][M][2]).
// Dispatch: (M, 1, 1) workgroups of WG threads; K = {{K_STEPS}} steps. Fits when P_TOY + 1 <= 128.
// Twin: src/reference/trainer.ts (RefToyTrainer.doStep), checked against the modular toy path too.
{{SG_ENABLE}}
//#include "lib/rng.wgsl"
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"
//#include "lib/toy_step.wgsl"
//#include "lib/adam.wgsl"

const N_SETS: u32 = {{N_SETS}}u;
const SET_SIZE = array<u32, N_SETS>({{SET_SIZES}});
const K_STEPS: u32 = {{K_STEPS}}u;
const WG: u32 = {{WG}}u;
// reduced values per thread: gradient [P_TOY], loss sum
const RV: u32 = P_TOY + 1u;
//#include "lib/wg_partials.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> tables: array<f32>;
@group(0) @binding(4) var<storage, read> importance: array<f32>;
@group(0) @binding(5) var<storage, read_write> toy_params: array<f32>;
@group(0) @binding(6) var<storage, read_write> adam: array<f32>;
@group(0) @binding(7) var<storage, read_write> status: array<u32>;
@group(0) @binding(8) var<storage, read_write> hist: array<f32>;

var<workgroup> wt: array<f32, P_TOY>;  // this model's parameters

//#include "lib/sample.wgsl"
//#include "lib/toy_sample.wgsl"
fn toy_w(q: u32) -> f32 { return wt[q]; }
fn toy_imp(i: u32) -> f32 { return importance[i]; }

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x;
  let base = m * P_TOY;
  let seed = hyper[m].seed;
  let lr0 = hyper[m].lr;
  let scale = 2.0 / f32(cfg.B * N_FEAT);
  for (var q = lid; q < P_TOY; q += WG) { wt[q] = toy_params[base + q]; }
  let t0 = state[0];
  let t_end = min(min(t0 + K_STEPS, cfg.T), state[1]);
  var live = status[m] == NOT_DIVERGED;
  // the parameters are loaded before any thread reads them
  workgroupBarrier();

  for (var t = t0; t < t_end; t++) {
    for (var r = 0u; r < RV; r++) { acc[r] = 0.0; }
    for (var b = lid; b < cfg.B; b += WG) {
      let x = sample_features(seed, t, b);
      let smp = toy_sample(x, scale);
      for (var q = 0u; q < P_TOY; q++) { acc[q] += toy_sample_grad(smp, x, q); }
      acc[P_TOY] += smp.loss / f32(N_FEAT);
    }
    part_write(lid);
    // toy_loss: every thread derives the same loss and divergence flag; thread 0 stores them
    let loss = part_total(P_TOY) / f32(cfg.B);
    if (lid == 0u) {
      live = toy_loss_write(m, t, loss);
    } else {
      live = live && is_finite(loss);
    }
    // adam (parameter q's owner), skipped for diverged models
    if (live) {
      let ast = adam_step(adam_lr(lr0, t), t);
      for (var q = lid; q < P_TOY; q += WG) {
        let pi = base + q;
        let o = adam_apply(wt[q], part_total(q), adam[pi], adam[cfg.M * P_TOY + pi], ast);
        adam[pi] = o.m1;
        adam[cfg.M * P_TOY + pi] = o.v;
        wt[q] = o.p;
      }
    }
    // updated parameters before the next step reads them; partials free again
    workgroupBarrier();
  }
  for (var q = lid; q < P_TOY; q += WG) { toy_params[base + q] = wt[q]; }
}
