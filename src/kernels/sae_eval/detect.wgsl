// sae_eval/detect.wgsl: each latent as a detector of the true features, and shrinkage, on the evaluation's fresh
// samples (the same draws as sae_eval: lib/sample.wgsl at step state[0], the model's salted seed), ONE
// INVOCATION PER MODEL walking its samples serially (the CPU-shaped evaluation's shape):
//   x = the draw, h = W^T x (toy model m % toy_count), f = the SAE's latents on h (lib/sae_sample.wgsl, no
//   ghost, cosine or batch terms; BatchTopK at the evaluation's threshold bthr[m]), hhat = h + e;
//   fired[k] = #{b : f_k > 0}; present[i] = #{b : x_i > 0}; both[k][i] = #{b : f_k > 0 and x_i > 0}
//   (SAELens's detector rule: a latent fires when f > 0, a feature is present when x > 0);
//   shrinkage sums: sum of |hhat| / |h| and the count, over samples with |h| > 1e-6.
// The host turns the counts into precision, recall and F1 against each latent's best-matching feature
// (src/metrics/synth.ts) and, for hierarchies, a parent latent's recall with and without a child.
// Bindings: @0 cfg (uniform Config), @1 hyper (read), @2 state (read, u32 step of the draws), @3 tables (read,
//   sampler CDFs), @4 toy_params (read), @5 params (read, [M][P_SAE]), @6 bthr (read, [M]: BatchTopK's threshold
//   as the evaluation found it), @7 detect (rw, [M][DET_W]: fired [S], active [N], both [S][N], shrinkage sum, count).
// Dispatch: ceil(M / WG) workgroups of WG = {{WG}} invocations, invocation m = model m.
// Twin: src/reference/metrics.ts (saeDetect).
//#include "lib/rng.wgsl"
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"
//#include "lib/sae_layout.wgsl"
//#include "lib/sae_step.wgsl"

const N_SETS: u32 = {{N_SETS}}u;
const SET_SIZE = array<u32, N_SETS>({{SET_SIZES}});
const WG: u32 = {{WG}}u;
const BLOCK: u32 = 1024u;
const DET_BOTH: u32 = S_LAT + N_FEAT;
const DET_W: u32 = S_LAT + N_FEAT + S_LAT * N_FEAT + 2u;

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> tables: array<f32>;
@group(0) @binding(4) var<storage, read> toy_params: array<f32>;
@group(0) @binding(5) var<storage, read> params: array<f32>;
@group(0) @binding(6) var<storage, read> bthr: array<f32>;
@group(0) @binding(7) var<storage, read_write> detect: array<f32>;

//#include "lib/private_model.wgsl"
//#include "lib/sample.wgsl"
//#include "lib/sae_sample.wgsl"
//#include "lib/batch_threshold.wgsl"
//#include "lib/eval_model.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = gid.x;
  if (m >= cfg.M) { return; }
  eval_model_setup(m);
  let seed = hyper[m].seed;
  let lambda = hyper[m].l1;
  let inv_b = 1.0 / f32(cfg.B);
  let t = state[0];
  let thr = bthr[m];
  let o0 = m * DET_W;
  // every count in private memory (constant loop bounds: unrolled, in registers at small S x N), written once at
  // the end: a storage read-modify-write per co-firing pair cost 7x the evaluation itself on lavapipe
  var both: array<f32, S_LAT * N_FEAT>;
  var fired: array<f32, S_LAT>;
  var present: array<f32, N_FEAT>;
  var shr = 0.0;
  var shr_n = 0.0;
  for (var b0 = 0u; b0 < cfg.B; b0 += BLOCK) {
    // block sums of the ratios (two-level sums, as sae_eval/cpu.wgsl); counts are exact in f32 below 2^24
    var acc = 0.0;
    let b1 = min(b0 + BLOCK, cfg.B);
    for (var b = b0; b < b1; b++) {
      let x = sample_features(seed, t, b);
      var h: array<f32, D_HID>;
      for (var j = 0u; j < D_HID; j++) {
        var a = 0.0;
        for (var i = 0u; i < N_FEAT; i++) { a += tw[i * D_HID + j] * x[i]; }
        h[j] = a;
      }
      let o = sae_sample(h, lambda, inv_b, 1.0, thr, t);
      var hn = 0.0;
      var on = 0.0;
      for (var j = 0u; j < D_HID; j++) {
        hn += h[j] * h[j];
        on += (h[j] + o.e[j]) * (h[j] + o.e[j]);
      }
      if (sqrt(hn) > 1e-6) {
        acc += sqrt(on) / sqrt(hn);
        shr_n += 1.0;
      }
      for (var i = 0u; i < N_FEAT; i++) { present[i] += select(0.0, 1.0, x[i] > 0.0); }
      for (var k = 0u; k < S_LAT; k++) {
        let on = o.f[k] > 0.0;
        fired[k] += select(0.0, 1.0, on);
        for (var i = 0u; i < N_FEAT; i++) { both[k * N_FEAT + i] += select(0.0, 1.0, on && x[i] > 0.0); }
      }
    }
    shr += acc;
  }
  for (var k = 0u; k < S_LAT; k++) { detect[o0 + k] = fired[k]; }
  for (var i = 0u; i < N_FEAT; i++) { detect[o0 + S_LAT + i] = present[i]; }
  for (var q = 0u; q < S_LAT * N_FEAT; q++) { detect[o0 + DET_BOTH + q] = both[q]; }
  detect[o0 + DET_W - 2u] = shr;
  detect[o0 + DET_W - 1u] = shr_n;
}
