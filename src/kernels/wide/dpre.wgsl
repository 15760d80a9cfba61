// wide dpre: the gradient at the pre-activations, element by element, from df = dr W_dec^T (the GEMM, in dpre):
// dpre_bk = [f_bk > 0] (df_bk + lambda n_k / B), the ReLU's gate on the reconstruction's and the penalty's gradients.
// Bindings: @0 wide (uniform), @1 f (read, [B][s]), @2 norms (read, [s]), @3 dpre (rw, [B][s]: in df, out dpre).
// Dispatch: threads B * s, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read> norms: array<f32>;
@group(0) @binding(3) var<storage, read_write> dpre: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.B * wide.s) { return; }
  let k = i % wide.s;
  dpre[i] = select(0.0, dpre[i] + wide.lambda * norms[k] / f32(wide.B), f[i] > 0.0);
}
