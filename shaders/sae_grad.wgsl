// sae_grad: batch reduction of the SAE gradient, one thread per (model m, parameter q):
//   dW_enc[k,j] = sum_b dpre_k hin_j;   db_enc[k] = sum_b act_dbe(k, dpre_k, ...) (dpre_k but for Gated);
//   dW_dec[k,j] = sum_b dh_j f_k + G_j A_k;   db_dec[j] = sum_b dh_j - [pre_bias] sum_k dpre_k W_enc[k,j];
//   d(extra block i)[k] = sum_b dxp_i,k (JumpReLU's straight-through threshold terms, Gated's r_mag, b_mag; else 0).
// Bindings: @0 cfg (uniform Config), @1 params (read, [M][P_SAE]), @2 work (read, [M][B][REC]),
//           @3 grads (rw, [M][P_SAE]).
// Dispatch: (ceil(M*P_SAE / 64), 1, 1): one thread per (model, parameter) summing over the batch in order
// (no float atomics; a serial sum keeps many models busy without per-parameter workgroups).
// The chain rule is lib/sae_grad.wgsl's (the fused kernels use it too), the sample read from the work record.
// Twin: src/reference/sae.ts (saeGrad).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> work: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;

var<private> cur_m: u32;
var<private> rec: u32;  // this sample's work record
fn sae_param(i: u32) -> f32 { return params[cur_m * P_SAE + i]; }
fn gs_dpre(k: u32) -> f32 { return work[rec + R_DPRE + k]; }
fn gs_hin(j: u32) -> f32 { return work[rec + R_HIN + j]; }
fn gs_dh(g: u32, j: u32) -> f32 { return work[rec + select(R_DHX + (g - 1u) * D_HID, R_DH, g == 0u) + j]; }
fn gs_f(k: u32) -> f32 { return work[rec + R_F + k]; }
fn gs_G(j: u32) -> f32 { return work[rec + R_G + j]; }
fn gs_A(k: u32) -> f32 { return work[rec + R_A + k]; }
fn gs_dxp(i: u32, k: u32) -> f32 { return work[rec + R_DXP + i * S_LAT + k]; }
//#include "lib/sae_grad.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= cfg.M * P_SAE) { return; }
  let q = gid.x % P_SAE;
  cur_m = gid.x / P_SAE;
  var acc = 0.0;
  for (var b = 0u; b < cfg.B; b++) {
    rec = (cur_m * cfg.B + b) * REC;
    acc += sae_grad_term(q);
  }
  grads[gid.x] = acc;
}
