// wide act: the encoder's bias and the ReLU, element by element: pre_bk += b_enc_k (pre holds x_c W_enc from the
// GEMM), f_bk = max(pre_bk, 0).
// Bindings: @0 wide (uniform), @1 b_enc (read, [s]), @2 pre (rw, [B][s]), @3 f (rw, [B][s]).
// Dispatch: threads B * s, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> b_enc: array<f32>;
@group(0) @binding(2) var<storage, read_write> pre: array<f32>;
@group(0) @binding(3) var<storage, read_write> f: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.B * wide.s) { return; }
  let p = pre[i] + b_enc[i % wide.s];
  pre[i] = p;
  f[i] = max(p, 0.0);
}
