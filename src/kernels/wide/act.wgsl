// wide act: the encoder's bias and the variant's selection, element by element: pre_bk += b_enc_k (pre holds
// x_c W_enc from the GEMM; ADD_BIAS false: bias_pre added it before the selection), f_bk = pre_bk where pre_bk > 0 and order_key(pre_bk) >= thr[b thr_rows], else 0
// (ReLU: thr 0; TopK: the row's threshold; BatchTopK: the batch's, select_rows / select_resolve / ema_thr); and
// Matryoshka's inner blocks (kind 0 past block 0): f_bk where k < end, else 0.
// Bindings: @0 wide (uniform), @1 b_enc (read, [s]), @2 pre (rw, [B][s]), @3 f (rw, [R][s]: the level blocks),
//           @4 thr (read, [max(B, s)] u32), @5 blocks (read, [nb] RowBlock).
// Dispatch: threads B * s, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

const ADD_BIAS: bool = {{ADD_BIAS}};

@group(0) @binding(1) var<storage, read> b_enc: array<f32>;
@group(0) @binding(2) var<storage, read_write> pre: array<f32>;
@group(0) @binding(3) var<storage, read_write> f: array<f32>;
@group(0) @binding(4) var<storage, read> thr: array<u32>;
@group(0) @binding(5) var<storage, read> blocks: array<RowBlock>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.B * wide.s) { return; }
  var p = pre[i];
  if (ADD_BIAS) {
    p += b_enc[i % wide.s];
    pre[i] = p;
  }
  let t = thr[(i / wide.s) * wide.thr_rows + (i % wide.s) * wide.thr_cols];
  let v = select(0.0, p, p > 0.0 && order_key(p) >= t);
  f[i] = v;
  let k = i % wide.s;
  for (var q = 1u; q < wide.nb; q++) {
    if (blocks[q].kind == 0u) { f[q * wide.B * wide.s + i] = select(0.0, v, k < blocks[q].end); }
  }
}
