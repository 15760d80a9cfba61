// wide bias_pre: the encoder's bias alone, pre_bk += b_enc_k, for the variants that select after seeing every
// pre-activation (TopK, BatchTopK: select_rows / select_hist read pre before act gates it).
// Bindings: @0 wide (uniform), @1 b_enc (read, [s]), @2 pre (rw, [B][s]).
// Dispatch: threads B * s, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> b_enc: array<f32>;
@group(0) @binding(2) var<storage, read_write> pre: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.B * wide.s) { return; }
  pre[i] += b_enc[i % wide.s];
}
