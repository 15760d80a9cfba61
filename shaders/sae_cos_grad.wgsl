// sae_cos_grad: cosine-similarity penalty on decoder rows (docs/science.md §4), one thread per model:
//   S_kl = w_k . w_l / (|w_k| |w_l|);  P = gamma / Z * sum_{k > l} phi(S_kl) (+ gamma s / Z for the kept diagonal,
//   a constant), phi = (.)^2 (FLAG_COS_SQ, decoder orthogonality), |.| (FLAG_COS_ABS) or identity; Z = s^2 (the study code's mean over all entries)
//   or s(s-1)/2 (FLAG_COS_PAIRS). Adds dP/dw_k = gamma/Z sum_{l != k} phi'(S_kl) (w_l/(|w_k||w_l|) - S_kl w_k/|w_k|^2)
//   to the decoder gradient and writes P to aux[m]. Skipped (aux = 0) when gamma = 0.
// Bindings: @0 cfg (uniform Config), @1 hyper (read, [M] Hyper; cos), @2 params (read, [M][P_SAE]),
//           @3 grads (rw, [M][P_SAE]), @4 aux (rw, [M]).
// Dispatch: (ceil(M / 64), 1, 1). The pair terms: lib/sae_step.wgsl. Twin: src/reference/sae.ts (saeCosGrad).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"
//#include "lib/sae_step.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;
@group(0) @binding(4) var<storage, read_write> aux: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = gid.x;
  if (m >= cfg.M) { return; }
  let gamma = hyper[m].cos;
  if (gamma == 0.0) { aux[m] = 0.0; return; }
  let z = cos_z();
  let wd = m * P_SAE + OFF_WD;
  var w: array<array<f32, D_HID>, S_LAT>;
  var norm: array<f32, S_LAT>;
  for (var k = 0u; k < S_LAT; k++) {
    for (var j = 0u; j < D_HID; j++) { w[k][j] = params[wd + k * D_HID + j]; }
    norm[k] = cos_norm(w[k]);
  }
  var pen = cos_diag();
  for (var k = 0u; k < S_LAT; k++) {
    for (var l = 0u; l < k; l++) {
      let p = cos_pair(w[k], w[l], norm[k], norm[l], gamma, z);
      pen += p.phi;
      for (var j = 0u; j < D_HID; j++) {
        grads[wd + k * D_HID + j] += cos_grad_term(p, w[k][j], w[l][j], norm[k], norm[l]);
        grads[wd + l * D_HID + j] += cos_grad_term(p, w[l][j], w[k][j], norm[l], norm[k]);
      }
    }
  }
  aux[m] = gamma * pen / z;
}
