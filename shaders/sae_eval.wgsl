// sae_eval: per model, metrics of an evaluation batch already run through toy_forward and sae_forward:
//   fvu = mean_b fvu_b; sum f and l0 means; dead on the batch = #{k : f_k <= 1e-6 on every sample};
//   EV(h) = 1 - sum_b |hhat - h|^2 / sum_b |h - mean h|^2;
//   EV(out) = 1 - sum_b |xo - xhat|^2 / sum_b |xhat - mean xhat|^2, xhat = ReLU(W h + b), xo = ReLU(W hhat + b);
//   selection loss = mean rec + lambda * mean penalty, the variant's own objective (docs/science.md §5; the
//   study's ReLU: fvu + lambda mean sum f; no ghost or cosine terms; lib/eval_metrics.wgsl).
// Bindings: @0 cfg (uniform Config), @1 hyper (read), @2 acts (read, inputs h), @3 toy_params (read),
//           @4 toy_work (read, xhat), @5 work (read, [M][B][REC]), @6 metrics (rw, [M][MET_W]).
// Dispatch: (M, 1, 1), 64 threads striding over the batch then tree reductions.
// Twin: src/reference/metrics.ts (saeEval).
//#include "lib/common.wgsl"
const RED_WG: u32 = 64u;
const RED_ROWS: u32 = 1u;
//#include "lib/reduce.wgsl"
//#include "lib/toy_layout.wgsl"
//#include "lib/sae_layout.wgsl"


@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> acts: array<f32>;
@group(0) @binding(3) var<storage, read> toy_params: array<f32>;
@group(0) @binding(4) var<storage, read> toy_work: array<f32>;
@group(0) @binding(5) var<storage, read> work: array<f32>;
@group(0) @binding(6) var<storage, read_write> metrics: array<f32>;
//#include "lib/eval_metrics.wgsl"

var<workgroup> total: array<f32, EVAL_NV>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x;
  let tp = (m % cfg.toy_count) * P_TOY;
  var acc: array<f32, EVAL_NV>;
  var fired: array<f32, S_LAT>;
  for (var b = lid; b < cfg.B; b += 64u) {
    let row = m * cfg.B + b;
    let w = row * REC;
    let a = row * cfg.act_stride + cfg.act_offset;
    let tw = row * REC_T;
    acc[0] += work[w + R_LOSS + 0u];
    acc[1] += work[w + R_LOSS + 1u];
    acc[2] += work[w + R_LOSS + 4u];
    acc[EV_REC] += work[w + R_LOSS + 5u];
    acc[EV_PEN] += work[w + R_LOSS + 2u];
    for (var k = 0u; k < S_LAT; k++) { fired[k] = max(fired[k], select(0.0, 1.0, work[w + R_F + k] > 1e-6)); }
    for (var j = 0u; j < D_HID; j++) {
      let e = work[w + R_E + j];
      let h = acts[a + j];
      acc[3] += e * e;
      acc[4] += h * h;
      acc[7 + j] += h;
    }
    for (var i = 0u; i < N_FEAT; i++) {
      var u = toy_params[tp + T_OFF_B + i];
      for (var j = 0u; j < D_HID; j++) { u += toy_params[tp + i * D_HID + j] * (acts[a + j] + work[w + R_E + j]); }
      let xhat = toy_work[tw + T_XHAT + i];
      let d = max(u, 0.0) - xhat;
      acc[5] += d * d;
      acc[6] += xhat * xhat;
      acc[7 + D_HID + i] += xhat;
    }
  }
  for (var q = 0u; q < EVAL_NV; q++) {
    let s = reduce_sum(lid, acc[q]);
    if (lid == 0u) { total[q] = s; }
  }
  var dead = 0.0;
  for (var k = 0u; k < S_LAT; k++) {
    if (reduce_sum(lid, fired[k]) == 0.0) { dead += 1.0; }
  }
  if (lid != 0u) { return; }
  eval_metrics_write(m, total, dead, hyper[m].l1);
}
