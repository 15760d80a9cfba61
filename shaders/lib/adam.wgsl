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

// One step's constants, computed once per step by the kernels that loop over a model's parameters rather than
// per parameter (the same operations and bits; alone it measured 1.03x / 0.98x on lavapipe, within noise).
struct AdamStep {
  decay: f32,  // 1 - lr_t wd
  rate: f32,   // lr_t / (1 - b1^(t+1))
  sbc2: f32,   // sqrt(1 - b2^(t+1))
}

// lr is the scheduled rate of step t (adam_lr).
fn adam_step(lr: f32, t: u32) -> AdamStep {
  let step = f32(t + 1u);
  return AdamStep(1.0 - lr * cfg.weight_decay, lr / (1.0 - pow(cfg.beta1, step)), sqrt(1.0 - pow(cfg.beta2, step)));
}

fn adam_apply(p0: f32, g: f32, m0: f32, v0: f32, s: AdamStep) -> AdamOut {
  var o: AdamOut;
  o.m1 = cfg.beta1 * m0 + (1.0 - cfg.beta1) * g;
  o.v = cfg.beta2 * v0 + (1.0 - cfg.beta2) * g * g;
  var p = p0 * s.decay;
  p -= s.rate * o.m1 / (sqrt(o.v) / s.sbc2 + cfg.eps);
  o.p = p;
  return o;
}

fn adam_update(p0: f32, g: f32, m0: f32, v0: f32, lr: f32, t: u32) -> AdamOut {
  return adam_apply(p0, g, m0, v0, adam_step(lr, t));
}
