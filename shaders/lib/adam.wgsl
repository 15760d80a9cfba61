// Adam/AdamW update of one parameter (PyTorch semantics), shared by adam.wgsl, the fused toy step (src/kernels/toy_steps/) and
// the fused SAE kernels (twin: src/reference/adam.ts, adamStep). The includer declares `cfg: Config`
// (lib/common.wgsl: beta1, beta2, eps, weight_decay, the schedule T / warmup / cooldown).
//   lr_t = lr * lr_factor(t);  p <- p (1 - lr_t wd);  m1 <- b1 m1 + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
//   p <- p - (lr_t / (1 - b1^(t+1))) m1 / (sqrt(v) / sqrt(1 - b2^(t+1)) + eps)

struct AdamOut {
  p: f32,
  m1: f32,
  v: f32,
}

// The scheduled learning rate of step t for a model whose base rate is lr.
fn adam_lr(lr: f32, t: u32) -> f32 {
  return lr * lr_factor(t, cfg.T, cfg.warmup, cfg.cooldown);
}

fn adam_update(p0: f32, g: f32, m0: f32, v0: f32, lr: f32, t: u32) -> AdamOut {
  var o: AdamOut;
  o.m1 = cfg.beta1 * m0 + (1.0 - cfg.beta1) * g;
  o.v = cfg.beta2 * v0 + (1.0 - cfg.beta2) * g * g;
  let step = f32(t + 1u);
  let bc1 = 1.0 - pow(cfg.beta1, step);
  let bc2 = 1.0 - pow(cfg.beta2, step);
  var p = p0 * (1.0 - lr * cfg.weight_decay);
  p -= (lr / bc1) * o.m1 / (sqrt(o.v) / sqrt(bc2) + cfg.eps);
  o.p = p;
  return o;
}
