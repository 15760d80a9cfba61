// toy_grad: batch reduction of the toy model's gradient, one workgroup per (parameter q, model m):
//   dL/dW_ij = sum_b delta_i h_j + x_i g_j   (W enters twice: h = W^T x and u = W h + b),
//   dL/db_i  = sum_b delta_i.
// Bindings: @0 cfg (uniform Config), @1 x (read, [M][B][N]), @2 toy_work (read, [M][B][REC_T]),
//           @3 grads (rw, [M][P_TOY]).
// Dispatch: (P_TOY, M, 1), 64 threads striding over the batch then a tree reduction.
// Twin: src/reference/toy.ts (toyGrad).
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> toy_work: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;

var<workgroup> red: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = wid.x;
  let m = wid.y;
  var acc = 0.0;
  for (var b = lid; b < cfg.B; b += 64u) {
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
  red[lid] = acc;
  // every partial sum must be in place before the tree starts
  workgroupBarrier();
  for (var width = 32u; width > 0u; width >>= 1u) {
    if (lid < width) { red[lid] += red[lid + width]; }
    // each level reads the previous level's results
    workgroupBarrier();
  }
  if (lid == 0u) { grads[m * P_TOY + q] = red[0]; }
}
