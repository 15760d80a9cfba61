// wide dpre: the gradient at the pre-activations, element by element, from df = dr W_dec^T (the GEMM, in dpre):
// dpre_bk = [f_bk > 0] (df_bk + lambda n_k / B) + [a_bk != 0] dfa_bk: the selection's gate on the reconstruction's
// and the penalty's gradients, and with AuxK (R = 2B) its activations' gradient from rows B..2B (a = f's rows B..2B,
// dfa = df's).
// Bindings: @0 wide (uniform), @1 f (read, [R][s]), @2 norms (read, [s]), @3 dpre (rw, [R][s]: in df, out dpre
//           in rows 0..B).
// Dispatch: threads B * s, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read> norms: array<f32>;
@group(0) @binding(3) var<storage, read_write> dpre: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  let n = wide.B * wide.s;
  if (i >= n) { return; }
  let k = i % wide.s;
  var g = select(0.0, dpre[i] + wide.lambda * norms[k] / f32(wide.B), f[i] > 0.0);
  if (wide.R > wide.B && f[n + i] != 0.0) { g += dpre[n + i]; }
  dpre[i] = g;
}
