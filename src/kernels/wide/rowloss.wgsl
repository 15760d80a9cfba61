// wide rowloss: each row's loss terms, [mse_b, l1_b, l0_b, aux_b, rec_b] = [sum_j e_0,bj^2, sum_k f_bk n_k,
// #{k : f_bk > 0}, c sum_j u_bj^2 (AuxK's, 0 without it), sum_q w_q sum_j e_q,bj^2 (the reconstruction term as
// trained: mse itself for one block of weight 1)]; the host averages over the batch: loss = mean rec
// + lambda mean l1 + mean aux. With the study's per-sample FVU (wide.fvu 1) mse, aux and rec are divided by den[b].
// Bindings: @0 wide (uniform), @1 e (read, [R][d]: each block's error, AuxK's u), @2 f (read, [R][s]),
//           @3 norms (read, [s]), @4 rows (rw, [B][5]), @5 aux_state (read, [4] u32), @6 blocks (read, [nb] RowBlock),
//           @7 den (read, [B]).
// Dispatch: threads B, 64 per workgroup (one invocation walks its row). Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> e: array<f32>;
@group(0) @binding(2) var<storage, read> f: array<f32>;
@group(0) @binding(3) var<storage, read> norms: array<f32>;
@group(0) @binding(4) var<storage, read_write> rows: array<f32>;
@group(0) @binding(5) var<storage, read> aux_state: array<u32>;
@group(0) @binding(6) var<storage, read> blocks: array<RowBlock>;
@group(0) @binding(7) var<storage, read> den: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  if (b >= wide.B) { return; }
  var mse = 0.0;
  var aux = 0.0;
  var rec = 0.0;
  for (var q = 0u; q < wide.nb; q++) {
    var sq = 0.0;
    for (var j = 0u; j < wide.d; j++) {
      let v = e[(q * wide.B + b) * wide.d + j];
      sq += v * v;
    }
    if (q == 0u) { mse = sq; }
    if (blocks[q].kind == 0u) { rec += blocks[q].weight * sq; } else { aux = bitcast<f32>(aux_state[2]) * sq; }
  }
  var l1 = 0.0;
  var l0 = 0.0;
  for (var k = 0u; k < wide.s; k++) {
    let v = f[b * wide.s + k];
    l1 += v * norms[k];
    l0 += select(0.0, 1.0, v > 0.0);
  }
  let inv = 1.0 / select(1.0, den[b], wide.fvu != 0u);
  rows[b * 5u] = mse * inv;
  rows[b * 5u + 1u] = l1;
  rows[b * 5u + 2u] = l0;
  rows[b * 5u + 3u] = aux * inv;
  rows[b * 5u + 4u] = rec * inv;
}
