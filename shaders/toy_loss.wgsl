// toy_loss: per toy model, the batch-mean loss L = mean_b loss_b; marks the model diverged (status[m] = t)
// the first time L is not finite; writes hist[(t / log_every) % hist_len][m] = (L, t) when t % log_every == 0.
// Bindings: @0 cfg (uniform Config), @1 state (read, u32 step), @2 toy_work (read, [M][B][REC_T]),
//           @3 status (rw, [M] u32), @4 hist (rw, [hist_len][M][2]).
// Dispatch: (M, 1, 1), 64 threads striding over the batch then a tree reduction.
// Twin: src/reference/toy.ts (toyLoss).
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"
//#include "lib/toy_step.wgsl"

const RED_WG: u32 = 64u;
const RED_ROWS: u32 = 1u;
//#include "lib/reduce.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> state: array<u32>;
@group(0) @binding(2) var<storage, read> toy_work: array<f32>;
@group(0) @binding(3) var<storage, read_write> status: array<u32>;
@group(0) @binding(4) var<storage, read_write> hist: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x;
  var acc = 0.0;
  for (var b = lid; b < cfg.B; b += 64u) { acc += toy_work[(m * cfg.B + b) * REC_T + T_LOSS]; }
  red[lid] = acc;
  reduce_rows(lid);
  if (lid != 0u) { return; }
  toy_loss_write(m, state[0], red[0] / f32(cfg.B));
}
