// sae_eval/cpu.wgsl: the evaluation on fresh samples in one kernel, ONE INVOCATION PER MODEL: the version shaped
// for CPU (software) adapters of the modular chain sample_data -> toy_forward -> sae_forward -> sae_eval
// (which keeps per-sample records of every model and reduces them in a workgroup). Same samples (the
// draws of lib/sample.wgsl at step state[0]) and formulas; the invocation walks its model's samples
// b = 0 .. B-1 serially and sums in private variables, in blocks of BLOCK samples whose sums are added
// to the totals (two-level sums: the f32 error of 1,000,000 terms stays that of ~2,000):
//   h = W^T x (toy model m % toy_count); xhat = ReLU(W h + b_toy); the SAE on h (lib/sae_sample.wgsl, no
//   ghost, cosine or batch terms); hhat = h + e; xo = ReLU(W hhat + b_toy);
//   fvu = mean_b fvu_b; mean sum f; mean l0; dead on the batch = #{k : f_k <= 1e-6 on every sample};
//   EV(h) = 1 - sum_b |e|^2 / sum_b |h - mean h|^2; EV(out) = 1 - sum_b |xo - xhat|^2 / sum_b |xhat - mean xhat|^2;
//   selection loss = mean rec + lambda mean penalty, the variant's own objective (docs/science.md §5).
// BatchTopK: first its threshold over the whole evaluation batch, as sae_batch_topk.wgsl finds it for the
// modular chain, by the training steps' radix select (lib/batch_threshold.wgsl: 4 more passes over the
// samples); written to bthr[m] for sae_probe.wgsl, which runs after this kernel.
// It writes the metrics sae_eval.wgsl writes (MET_FVU .. MET_SEL); sae_probe.wgsl writes the others.
// Bindings: @0 cfg (uniform Config), @1 hyper (read), @2 state (read, u32 step of the draws), @3 tables
//   (read, sampler CDFs), @4 toy_params (read), @5 params (read, [M][P_SAE]), @6 metrics (rw, [M][MET_W]),
//   @7 bthr (rw, [M]: BatchTopK's threshold, 0 for other variants).
// Dispatch: ceil(M / WG) workgroups of WG = {{WG}} invocations, invocation m = model m. Twin: src/reference/metrics.ts (saeEval), via the
// modular chain it is checked against (src/checks/kernels.ts).
//#include "lib/rng.wgsl"
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"
//#include "lib/sae_layout.wgsl"
//#include "lib/sae_step.wgsl"

const N_SETS: u32 = {{N_SETS}}u;
const SET_SIZE = array<u32, N_SETS>({{SET_SIZES}});
const WG: u32 = {{WG}}u;
const BLOCK: u32 = 1024u;

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> tables: array<f32>;
@group(0) @binding(4) var<storage, read> toy_params: array<f32>;
@group(0) @binding(5) var<storage, read> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(7) var<storage, read_write> bthr: array<f32>;

//#include "lib/private_model.wgsl"
//#include "lib/sample.wgsl"
//#include "lib/sae_sample.wgsl"
//#include "lib/batch_threshold.wgsl"
//#include "lib/eval_metrics.wgsl"
//#include "lib/eval_model.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = gid.x;
  if (m >= cfg.M) { return; }
  eval_model_setup(m);
  let tp = (m % cfg.toy_count) * P_TOY;
  var tb: array<f32, N_FEAT>;
  for (var i = 0u; i < N_FEAT; i++) { tb[i] = toy_params[tp + T_OFF_B + i]; }
  let seed = hyper[m].seed;
  let lambda = hyper[m].l1;
  let inv_b = 1.0 / f32(cfg.B);
  let t = state[0];
  var thr = 0.0;
  if ((cfg.flags & FLAG_BATCH_TOPK) != 0u) {
    thr = batch_threshold(seed, t);
  }
  bthr[m] = thr;

  var total: array<f32, EVAL_NV>;
  var fired: array<bool, S_LAT>;
  for (var q = 0u; q < EVAL_NV; q++) { total[q] = 0.0; }
  for (var k = 0u; k < S_LAT; k++) { fired[k] = false; }
  for (var b0 = 0u; b0 < cfg.B; b0 += BLOCK) {
    var acc: array<f32, EVAL_NV>;
    for (var q = 0u; q < EVAL_NV; q++) { acc[q] = 0.0; }
    let b1 = min(b0 + BLOCK, cfg.B);
    for (var b = b0; b < b1; b++) {
      let h = sample_h(seed, t, b);
      let o = sae_sample(h, lambda, inv_b, 1.0, thr, t);
      acc[0] += o.fvu;
      acc[1] += o.l1raw;
      acc[2] += o.l0;
      acc[EV_REC] += o.rec;
      acc[EV_PEN] += o.l1w;
      for (var k = 0u; k < S_LAT; k++) { fired[k] = fired[k] || o.f[k] > 1e-6; }
      for (var j = 0u; j < D_HID; j++) {
        acc[3] += o.e[j] * o.e[j];
        acc[4] += h[j] * h[j];
        acc[7 + j] += h[j];
      }
      for (var i = 0u; i < N_FEAT; i++) {
        var ux = tb[i];
        var uo = tb[i];
        for (var j = 0u; j < D_HID; j++) {
          ux += tw[i * D_HID + j] * h[j];
          uo += tw[i * D_HID + j] * (h[j] + o.e[j]);
        }
        let xhat = max(ux, 0.0);
        let d = max(uo, 0.0) - xhat;
        acc[5] += d * d;
        acc[6] += xhat * xhat;
        acc[7 + D_HID + i] += xhat;
      }
    }
    for (var q = 0u; q < EVAL_NV; q++) { total[q] += acc[q]; }
  }
  var dead = 0.0;
  for (var k = 0u; k < S_LAT; k++) { dead += select(1.0, 0.0, fired[k]); }
  eval_metrics_write(m, total, dead, lambda);
}
