// One sample through the toy model and its gradient terms (toy_forward.wgsl's formulas, in its order), shared
// by the K-step toy versions (src/kernels/toy_steps/). The includer defines fn toy_w(q: u32) -> f32 (this
// model's parameter q, lib/toy_layout.wgsl) and fn toy_imp(i: u32) -> f32 (feature i's importance).
//   h = W^T x, u = W h + b, xhat = ReLU(u), loss = sum_i I_i (x_i - xhat_i)^2 (the includer divides by N);
//   delta_i = -scale I_i (x_i - xhat_i) [u_i > 0] (scale = 2 / (B N)), g_j = sum_i delta_i W_ij;
//   the gradient term of parameter W_ij is delta_i h_j + x_i g_j, of b_i delta_i (toy_sample_grad).

struct ToySample {
  h: array<f32, D_HID>,
  g: array<f32, D_HID>,
  delta: array<f32, N_FEAT>,
  loss: f32,
}

fn toy_sample(x: array<f32, N_FEAT>, scale: f32) -> ToySample {
  var o: ToySample;
  for (var j = 0u; j < D_HID; j++) {
    var a = 0.0;
    for (var i = 0u; i < N_FEAT; i++) { a += toy_w(i * D_HID + j) * x[i]; }
    o.h[j] = a;
  }
  for (var j = 0u; j < D_HID; j++) { o.g[j] = 0.0; }
  o.loss = 0.0;
  for (var i = 0u; i < N_FEAT; i++) {
    var u = toy_w(T_OFF_B + i);
    for (var j = 0u; j < D_HID; j++) { u += toy_w(i * D_HID + j) * o.h[j]; }
    let err = x[i] - max(u, 0.0);
    o.loss += toy_imp(i) * err * err;
    o.delta[i] = select(0.0, -scale * toy_imp(i) * err, u > 0.0);
    for (var j = 0u; j < D_HID; j++) { o.g[j] += o.delta[i] * toy_w(i * D_HID + j); }
  }
  return o;
}

// Parameter q's term of sample s's gradient (q < P_TOY).
fn toy_sample_grad(s: ToySample, x: array<f32, N_FEAT>, q: u32) -> f32 {
  if (q < T_OFF_B) {
    let i = q / D_HID;
    let j = q % D_HID;
    return s.delta[i] * s.h[j] + x[i] * s.g[j];
  }
  return s.delta[q - T_OFF_B];
}
