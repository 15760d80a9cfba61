// wide dpre: the gradient at the pre-activations, element by element, from each block's df_q = dr_q W_dec^T (the
// GEMM, in dpre): dpre_bk = [f_bk > 0] (sum over the reconstruction blocks q with k < end_q of df_q,bk
// + lambda n_k / B) + [a_bk != 0] df_aux,bk: the selection's gate on the reconstructions' and the penalty's
// gradients, and AuxK's activations' gradient (a: f's AuxK block).
// Bindings: @0 wide (uniform), @1 f (read, [R][s]), @2 norms (read, [s]), @3 dpre (rw, [R][s]: in df, out dpre
//           in rows 0..B), @4 blocks (read, [nb] RowBlock).
// Dispatch: threads B * s, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read> norms: array<f32>;
@group(0) @binding(3) var<storage, read_write> dpre: array<f32>;
@group(0) @binding(4) var<storage, read> blocks: array<RowBlock>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  let n = wide.B * wide.s;
  if (i >= n) { return; }
  let k = i % wide.s;
  var g = 0.0;
  if (f[i] > 0.0) {
    // the L1's gradient (JumpReLU's L0 has none at pre)
    g = select(wide.lambda * norms[k] / f32(wide.B), 0.0, wide.jump != 0u);
    for (var q = 0u; q < wide.nb; q++) {
      if (blocks[q].kind == 0u && k < blocks[q].end) { g += dpre[q * n + i]; }
    }
  }
  let last = (wide.nb - 1u) * n + i;
  if (blocks[wide.nb - 1u].kind == 1u && f[last] != 0.0) { g += dpre[last]; }
  dpre[i] = g;
}
