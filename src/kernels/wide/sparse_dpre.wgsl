// wide sparse_dpre: the gradient at the pre-activations on f's entries alone (the GEMM df = dr W_dec^T and dpre.wgsl
// without their zeros). An entry of block 0 (row b, latent k): dpre_bk = lambda n_k / B (the L1's; none for JumpReLU)
// + (sum over the reconstruction blocks q with k < end_q of dr_q,b) . W_dec,k; an entry of AuxK's block (row r):
// dr_r . W_dec,k. Written into dpre at the entry's own row and latent (AuxK's part in its own block's rows, so no two
// entries share a slot); Matryoshka's inner blocks' entries write nothing (block 0's sums their dr).
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 state (read, [4] u32: nnz), @2 ent_k (read, [cap] u32),
//           @3 ent_r (read, [cap] u32), @4 dr (read, [R][d]), @5 w_dec (read, [s][d]), @6 norms (read, [s]),
//           @7 blocks (read, [nb] RowBlock), @8 dpre (rw, [R][s]).
// Dispatch: threads cap, 64 per workgroup, 2-D grid of workgroups (past nnz: return). Twin: src/reference/wide.ts.
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> state: array<u32>;
@group(0) @binding(2) var<storage, read> ent_k: array<u32>;
@group(0) @binding(3) var<storage, read> ent_r: array<u32>;
@group(0) @binding(4) var<storage, read> dr: array<f32>;
@group(0) @binding(5) var<storage, read> w_dec: array<f32>;
@group(0) @binding(6) var<storage, read> norms: array<f32>;
@group(0) @binding(7) var<storage, read> blocks: array<RowBlock>;
@group(0) @binding(8) var<storage, read_write> dpre: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let e = gid.x + gid.y * nw.x * 64u;
  if (e >= min(state[0], wide.cap)) { return; }
  let r = ent_r[e];
  let k = ent_k[e];
  let q = r / wide.B;
  let b = r % wide.B;
  let w = k * wide.d;
  var g = 0.0;
  if (q == 0u) {
    g = select(wide.lambda * norms[k] / f32(wide.B), 0.0, wide.jump != 0u);
    for (var j = 0u; j < wide.d; j++) {
      var sum = 0.0;
      for (var p = 0u; p < wide.nb; p++) {
        if (blocks[p].kind == 0u && k < blocks[p].end) { sum += dr[(p * wide.B + b) * wide.d + j]; }
      }
      g += sum * w_dec[w + j];
    }
  } else if (blocks[q].kind == 1u) {
    for (var j = 0u; j < wide.d; j++) { g += dr[r * wide.d + j] * w_dec[w + j]; }
  } else {
    return;
  }
  dpre[r * wide.s + k] = g;
}
