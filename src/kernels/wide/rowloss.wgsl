// wide rowloss: each row's loss terms, [mse_b, l1_b, l0_b] = [sum_j e_bj^2, sum_k f_bk n_k, #{k : f_bk > 0}]
// (the host or a later reduction averages them over the batch: loss = mean mse + lambda mean l1).
// Bindings: @0 wide (uniform), @1 e (read, [B][d]), @2 f (read, [B][s]), @3 norms (read, [s]), @4 rows (rw, [B][3]).
// Dispatch: threads B, 64 per workgroup (one invocation walks its row). Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> e: array<f32>;
@group(0) @binding(2) var<storage, read> f: array<f32>;
@group(0) @binding(3) var<storage, read> norms: array<f32>;
@group(0) @binding(4) var<storage, read_write> rows: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  if (b >= wide.B) { return; }
  var mse = 0.0;
  for (var j = 0u; j < wide.d; j++) {
    let v = e[b * wide.d + j];
    mse += v * v;
  }
  var l1 = 0.0;
  var l0 = 0.0;
  for (var k = 0u; k < wide.s; k++) {
    let v = f[b * wide.s + k];
    l1 += v * norms[k];
    l0 += select(0.0, 1.0, v > 0.0);
  }
  rows[b * 3u] = mse;
  rows[b * 3u + 1u] = l1;
  rows[b * 3u + 2u] = l0;
}
