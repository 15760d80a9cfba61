// wide adam: one Adam/AdamW update of one parameter block of the wide SAE at step t = state[0], with the kit's
// schedule and PyTorch semantics (lib/adam.wgsl, the same update as adam.wgsl and the fused steps; Config's
// beta1, beta2, eps, weight_decay, T, warmup, cooldown). The trainer dispatches it once per block (W_enc, b_enc,
// W_dec, b_dec).
// Bindings: @0 cfg (uniform Config), @1 blk (uniform {n, lr}), @2 state (read, u32 step), @3 grads (read, [n]),
//           @4 params (rw, [n]), @5 moments (rw, first moments [n] then second moments [n]).
// Dispatch: threads n, 64 per workgroup, 2-D grid of workgroups (x fastest). Twin: src/reference/adam.ts (adamStep),
// through src/reference/wide.ts (wideTrain).
//#include "lib/common.wgsl"
//#include "lib/adam.wgsl"

struct Block {
  n: u32,
  lr: f32,
}

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<uniform> blk: Block;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> grads: array<f32>;
@group(0) @binding(4) var<storage, read_write> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> moments: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= blk.n) { return; }
  let t = state[0];
  let o = adam_update(params[i], grads[i], moments[i], moments[blk.n + i], adam_lr(blk.lr, t), t);
  params[i] = o.p;
  moments[i] = o.m1;
  moments[blk.n + i] = o.v;
}
