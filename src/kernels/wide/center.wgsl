// wide center: the encoder's input x_c = x - b_dec (SAELens's apply_b_dec_to_input; x_c = x without the pre-encoder
// bias, wide.pre_bias 0), element by element.
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 x (read, [B][d]), @2 b_dec (read, [d]), @3 xc (rw, [B][d]).
// Dispatch: threads B * d, 64 per workgroup, in a 2-D grid of workgroups (x fastest). Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> b_dec: array<f32>;
@group(0) @binding(3) var<storage, read_write> xc: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.B * wide.d) { return; }
  xc[i] = x[i] - select(0.0, b_dec[i % wide.d], wide.pre_bias != 0u);
}
