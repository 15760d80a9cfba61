// wide sparse_wenc: the encoder's gradients from the columns' entries alone: g_W_enc,jk = sum over the rows r of
// column k in block 0 or AuxK's block of x_c,(r mod B)j dpre_rk (the GEMM x_c^T dpre without its zeros), and, from
// the j = 0 invocations, g_b_enc,k = the sum of those dpre_rk (the colsum of dpre). Matryoshka's inner blocks are
// skipped: sparse_dpre folded them into block 0.
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 colptr (read, [s + 1] u32), @2 col_r (read, [cap] u32),
//           @3 xc (read, [B][d]), @4 dpre (read, [R][s]), @5 blocks (read, [nb] RowBlock), @6 g_w_enc (rw, [d][s]),
//           @7 g_b_enc (rw, [s]).
// Dispatch: threads d * s, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> colptr: array<u32>;
@group(0) @binding(2) var<storage, read> col_r: array<u32>;
@group(0) @binding(3) var<storage, read> xc: array<f32>;
@group(0) @binding(4) var<storage, read> dpre: array<f32>;
@group(0) @binding(5) var<storage, read> blocks: array<RowBlock>;
@group(0) @binding(6) var<storage, read_write> g_w_enc: array<f32>;
@group(0) @binding(7) var<storage, read_write> g_b_enc: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.d * wide.s) { return; }
  let j = i / wide.s;
  let k = i % wide.s;
  let hi = min(colptr[k + 1u], wide.cap);
  var acc = 0.0;
  var bsum = 0.0;
  for (var c = colptr[k]; c < hi; c++) {
    let r = col_r[c];
    let q = r / wide.B;
    if (q == 0u || blocks[q].kind == 1u) {
      let g = dpre[r * wide.s + k];
      acc += xc[(r % wide.B) * wide.d + j] * g;
      bsum += g;
    }
  }
  g_w_enc[i] = acc;
  if (j == 0u) { g_b_enc[k] = bsum; }
}
