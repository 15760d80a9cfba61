// toy_forward: per sample of data row m (toy model tm = m % toy_count), docs/science.md §2:
//   h = W^T x, u = W h + b, xhat = ReLU(u), loss = (1/N) sum_i I_i (x_i - xhat_i)^2,
//   delta_i = dL/du_i = -2 I_i (x_i - xhat_i) [u_i > 0] / (B N)   (L = mean over batch and features),
//   g_j = dL/dh_j = sum_i delta_i W_ij.
// Bindings: @0 cfg (uniform Config), @1 x (read, [M][B][N]), @2 toy_params (read, [toy_count][P_TOY]),
//           @3 importance (read, [N]), @4 toy_work (rw, [M][B][REC_T]).
// Dispatch: (ceil(M*B / 64), 1, 1). Twin: src/reference/toy.ts (toyForward).
//#include "lib/common.wgsl"
//#include "lib/toy_layout.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> toy_params: array<f32>;
@group(0) @binding(3) var<storage, read> importance: array<f32>;
@group(0) @binding(4) var<storage, read_write> toy_work: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  if (row >= cfg.M * cfg.B) { return; }
  let m = row / cfg.B;
  let p = (m % cfg.toy_count) * P_TOY;
  let xb = row * N_FEAT;
  let w = row * REC_T;
  var h: array<f32, D_HID>;
  for (var j = 0u; j < D_HID; j++) {
    var acc = 0.0;
    for (var i = 0u; i < N_FEAT; i++) { acc += toy_params[p + i * D_HID + j] * x[xb + i]; }
    h[j] = acc;
    toy_work[w + T_H + j] = acc;
  }
  var g: array<f32, D_HID>;
  var loss = 0.0;
  let scale = 2.0 / f32(cfg.B * N_FEAT);
  for (var i = 0u; i < N_FEAT; i++) {
    var u = toy_params[p + T_OFF_B + i];
    for (var j = 0u; j < D_HID; j++) { u += toy_params[p + i * D_HID + j] * h[j]; }
    let xhat = max(u, 0.0);
    let err = x[xb + i] - xhat;
    loss += importance[i] * err * err;
    var delta = 0.0;
    if (u > 0.0) { delta = -scale * importance[i] * err; }
    toy_work[w + T_XHAT + i] = xhat;
    toy_work[w + T_DELTA + i] = delta;
    for (var j = 0u; j < D_HID; j++) { g[j] += delta * toy_params[p + i * D_HID + j]; }
  }
  for (var j = 0u; j < D_HID; j++) { toy_work[w + T_G + j] = g[j]; }
  toy_work[w + T_LOSS] = loss / f32(N_FEAT);
}
