// sae_grad: batch reduction of the SAE gradient, one thread per (model m, parameter q):
//   dW_enc[k,j] = sum_b dpre_k hin_j;   db_enc[k] = sum_b dpre_k;
//   dW_dec[k,j] = sum_b dh_j f_k + G_j A_k;   db_dec[j] = sum_b dh_j - [pre_bias] sum_k dpre_k W_enc[k,j];
//   dlog_threshold[k] = sum_b dth_k (JumpReLU's straight-through terms; 0 for the other variants).
// Bindings: @0 cfg (uniform Config), @1 params (read, [M][P_SAE]), @2 work (read, [M][B][REC]),
//           @3 grads (rw, [M][P_SAE]).
// Dispatch: (ceil(M*P_SAE / 64), 1, 1): one thread per (model, parameter) summing over the batch in order
// (no float atomics; a serial sum keeps many models busy without per-parameter workgroups).
// Twin: src/reference/sae.ts (saeGrad).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> work: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= cfg.M * P_SAE) { return; }
  let q = gid.x % P_SAE;
  let m = gid.x / P_SAE;
  let pre_bias = (cfg.flags & FLAG_PRE_BIAS) != 0u;
  var acc = 0.0;
  for (var b = 0u; b < cfg.B; b++) {
    let w = (m * cfg.B + b) * REC;
    if (q < OFF_BE) {
      acc += work[w + R_DPRE + q / D_HID] * work[w + R_HIN + q % D_HID];
    } else if (q < OFF_WD) {
      acc += work[w + R_DPRE + q - OFF_BE];
    } else if (q < OFF_BD) {
      let k = (q - OFF_WD) / D_HID;
      let j = (q - OFF_WD) % D_HID;
      acc += work[w + R_DH + j] * work[w + R_F + k] + work[w + R_G + j] * work[w + R_A + k];
    } else if (q >= OFF_TH) {
      acc += work[w + R_DTH + q - OFF_TH];
    } else {
      let j = q - OFF_BD;
      acc += work[w + R_DH + j];
      if (pre_bias) {
        for (var k = 0u; k < S_LAT; k++) { acc -= work[w + R_DPRE + k] * params[m * P_SAE + OFF_WE + k * D_HID + j]; }
      }
    }
  }
  grads[gid.x] = acc;
}
