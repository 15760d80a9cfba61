// sae_loss: per model, batch means of the per-sample loss terms; total = fvu + lambda * mean(sum w f) + ghost + aux
// (the cosine penalty). Marks the model diverged (status[m] = t) the first time total is not finite, and when
// t % log_every == 0 writes hist row (t / log_every) % hist_len: total, fvu, L1 term, sum f, ghost, cos, l0, t.
// p-annealing (Config.pa_n > 0): the queue sums and lambda of the next step (lib/p_anneal_step.wgsl).
// Bindings: @0 cfg (uniform Config), @1 hyper (rw, [M] Hyper: p-annealing rescales l1), @2 state (read, u32 step),
//           @3 work (read, [M][B][REC]), @4 aux (read, [M]), @5 status (rw, [M] u32), @6 hist (rw, [hist_len][M][HIST_W]),
//           @7 anneal (rw, [M][2]).
// Dispatch: (M, 1, 1), 64 threads striding over the batch then a tree reduction of 5 sums.
// Twin: src/reference/sae.ts (saeLoss).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"
//#include "lib/sae_step.wgsl"
//#include "lib/sae_loss.wgsl"

const RED_WG: u32 = 64u;
const RED_ROWS: u32 = LOSS_N;
//#include "lib/reduce.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read_write> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> work: array<f32>;
@group(0) @binding(4) var<storage, read> aux: array<f32>;
@group(0) @binding(5) var<storage, read_write> status: array<u32>;
@group(0) @binding(6) var<storage, read_write> hist: array<f32>;
@group(0) @binding(7) var<storage, read_write> anneal: array<f32>;
//#include "lib/p_anneal_step.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x;
  var acc: array<f32, LOSS_N>;
  for (var b = lid; b < cfg.B; b += 64u) {
    let w = (m * cfg.B + b) * REC + R_LOSS;
    for (var q = 0u; q < LOSS_N; q++) { acc[q] += work[w + q]; }
  }
  for (var q = 0u; q < LOSS_N; q++) { red[q * 64u + lid] = acc[q]; }
  reduce_rows(lid);
  if (lid != 0u) { return; }
  var sums: array<f32, LOSS_N>;
  for (var q = 0u; q < LOSS_N; q++) { sums[q] = red[q * 64u]; }
  let t = state[0];
  sae_loss_write(m, t, sae_loss_row(sums, hyper[m].l1, aux[m]));
  hyper[m].l1 = pa_step(m, t, hyper[m].l1, sums[6] / f32(cfg.B), sums[7] / f32(cfg.B));
}
