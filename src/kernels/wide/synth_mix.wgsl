// wide synth_mix: the synthetic rows from their active features (synth_compact's lists), x_bj = bias_j
// + sum_q val_bq D_(idx_bq) j in list order: the dense x = a D + b without touching the zeros of a (SynthSAEBench-16k
// rows hold about 34 of 16,384 features).
// Bindings: @0 shape (uniform {B, n, d}), @1 idx (read, [B][CAP] u32), @2 val (read, [B][CAP]), @3 count (read, [B]
//           u32), @4 dict (read, [n][d]), @5 bias (read, [d]), @6 x (rw, [B][d]).
// Dispatch: threads B * d, 64 per workgroup, 2-D grid of workgroups. Twin: src/data/synth-source.ts (synthRows).

//#include "lib/synth_list.wgsl"
@group(0) @binding(1) var<storage, read> idx: array<u32>;
@group(0) @binding(2) var<storage, read> val: array<f32>;
@group(0) @binding(3) var<storage, read> count: array<u32>;
@group(0) @binding(4) var<storage, read> dict: array<f32>;
@group(0) @binding(5) var<storage, read> bias: array<f32>;
@group(0) @binding(6) var<storage, read_write> x: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let t = gid.x + gid.y * nw.x * 64u;
  if (t >= shape.B * shape.d) { return; }
  let b = t / shape.d;
  let j = t % shape.d;
  var acc = bias[j];
  for (var q = 0u; q < count[b]; q++) {
    acc += val[b * CAP + q] * dict[idx[b * CAP + q] * shape.d + j];
  }
  x[t] = acc;
}
