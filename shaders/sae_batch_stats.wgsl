// sae_batch_stats: per model, the batch-FVU denominator over the batch's SAE inputs h (docs/science.md §3 option,
// SAELens/sparsify style): bstat[m] = sum_b |h_b - mean_b h|^2 / B (0 -> 1). With FLAG_BATCH_FVU,
// sae_forward divides every sample's squared error by bstat[m] instead of |h_b|^2, so the batch mean of
// the per-sample terms is sum_b |hhat_b - h_b|^2 / sum_b |h_b - mean h|^2 (mean h is a constant).
// Bindings: @0 cfg (uniform Config), @1 acts (read, inputs h), @2 bstat (rw, [M]).
// Dispatch: (M, 1, 1), 64 threads striding over the batch, tree reductions of sum h and sum |h|^2.
// Twin: src/reference/sae.ts (saeBatchStats).
//#include "lib/common.wgsl"
const RED_WG: u32 = 64u;
const RED_ROWS: u32 = 1u;
//#include "lib/reduce.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> acts: array<f32>;
@group(0) @binding(2) var<storage, read_write> bstat: array<f32>;


@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x;
  var sq = 0.0;
  var centred = 0.0;
  for (var j = 0u; j < D_HID; j++) {
    var s = 0.0;
    for (var b = lid; b < cfg.B; b += 64u) {
      let h = acts[(m * cfg.B + b) * cfg.act_stride + cfg.act_offset + j];
      s += h;
      sq += h * h;
    }
    let total = reduce_sum(lid, s);
    centred -= total * total / f32(cfg.B);
  }
  centred += reduce_sum(lid, sq);
  if (lid == 0u) {
    let v = centred / f32(cfg.B);
    bstat[m] = select(1.0, v, v > 0.0);
  }
}
