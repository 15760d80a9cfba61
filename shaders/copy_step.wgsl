// copy_step: out[(m*B + b)*W + j] = src[((t*B) + b)*W + j] for t = state[0]: feeds stored batches
// (replay of given data) into the trainers' input buffers, the same batch for every model.
// Bindings: @0 cfg (uniform Config; M, B), @1 state (read, u32 step), @2 src (read, [T][B][W]),
//           @3 out (rw, [M][B][W]).
// Dispatch: (ceil(M*B*W / 64), 1, 1). Twin: src/reference/data.ts (copyStep).
//#include "lib/common.wgsl"

const W: u32 = {{WIDTH}}u;

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> state: array<u32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= cfg.M * cfg.B * W) { return; }
  let j = i % W;
  let b = (i / W) % cfg.B;
  out[i] = src[(state[0] * cfg.B + b) * W + j];
}
