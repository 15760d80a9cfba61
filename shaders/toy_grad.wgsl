// toy_grad: batch reduction of the toy model's gradient, one thread per (model m, parameter q):
//   dL/dW_ij = sum_b delta_i h_j + x_i g_j   (W enters twice: h = W^T x and u = W h + b),
//   dL/db_i  = sum_b delta_i.
// Bindings: @0 cfg (uniform Config), @1 x (read, [M][B][N]), @2 toy_work (read, [M][B][REC_T]),
//           @3 grads (rw, [M][P_TOY]).
// Dispatch: (ceil(M*P_TOY / 64), 1, 1); each thread sums over the batch in order (no float atomics).
// Twin: src/reference/toy.ts (toyGrad).
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> toy_work: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= cfg.M * P_TOY) { return; }
  let q = gid.x % P_TOY;
  let m = gid.x / P_TOY;
  var acc = 0.0;
  for (var b = 0u; b < cfg.B; b++) {
    let row = m * cfg.B + b;
    let w = row * REC_T;
    if (q < T_OFF_B) {
      let i = q / D_HID;
      let j = q % D_HID;
      acc += toy_work[w + T_DELTA + i] * toy_work[w + T_H + j] + x[row * N_FEAT + i] * toy_work[w + T_G + j];
    } else {
      acc += toy_work[w + T_DELTA + q - T_OFF_B];
    }
  }
  grads[gid.x] = acc;
}
