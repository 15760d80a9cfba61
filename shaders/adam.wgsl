// adam: one Adam/AdamW update of every parameter of every model at step t = state[0] (PyTorch semantics):
//   lr_t = hyper[m].lr * lr_factor(t)                     (warmup / constant / cooldown, docs/science.md §3)
//   p <- p * (1 - lr_t * weight_decay)                    (decoupled decay; 0 gives plain Adam)
//   m1 <- beta1 m1 + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
//   p <- p - (lr_t / (1 - beta1^(t+1))) * m1 / (sqrt(v) / sqrt(1 - beta2^(t+1)) + eps)
// Models marked diverged (status[m] != NOT_DIVERGED) are frozen.
// Bindings: @0 cfg (uniform Config), @1 hyper (read, [M] Hyper), @2 state (read, u32 step),
//           @3 status (read, [M] u32), @4 grads (read, [M][P]), @5 params (rw, [M][P]),
//           @6 adam (rw, first moments [M][P] then second moments [M][P]).
// Dispatch: (ceil(M*P / 64), 1, 1) with P = {{P_COUNT}} parameters per model. Twin: src/reference/adam.ts (adamStep).
// The update itself: lib/adam.wgsl.
//#include "lib/common.wgsl"
//#include "lib/adam.wgsl"

const P: u32 = {{P_COUNT}}u;

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> status: array<u32>;
@group(0) @binding(4) var<storage, read> grads: array<f32>;
@group(0) @binding(5) var<storage, read_write> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> adam: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= cfg.M * P) { return; }
  let m = i / P;
  if (status[m] != NOT_DIVERGED) { return; }
  let t = state[0];
  let vi = cfg.M * P + i;
  let o = adam_update(params[i], grads[i], adam[i], adam[vi], adam_lr(hyper[m].lr, t), t);
  adam[i] = o.m1;
  adam[vi] = o.v;
  params[i] = o.p;
}
