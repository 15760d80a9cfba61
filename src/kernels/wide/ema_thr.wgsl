// wide ema_thr: BatchTopK at inference (SAELens saves it as a JumpReLU SAE with one threshold): thr[0] = the key of
// the threshold the training steps' EMA kept, in place of the evaluation batch's own.
// Bindings: @0 wide (uniform), @1 ema (read, [1] f32), @2 thr (rw, [B] u32).
// Dispatch: one invocation. Twin: src/reference/wide.ts (wideStep's threshold option).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> ema: array<f32>;
@group(0) @binding(2) var<storage, read_write> thr: array<u32>;

@compute @workgroup_size(1)
fn main() {
  thr[0] = order_key(ema[0]);
}
