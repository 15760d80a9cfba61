// wide eval_rows: the evaluation's per-row norms, so only a few numbers per row leave the GPU: out_b = [|x_b|^2,
// |xhat_b|^2] with xhat = x + e (e = xhat - x from residual, in r). With rowloss's |e_b|^2 and L0 and the batch's
// column sums of x they give explained variance, shrinkage and L0 (src/metrics/wide.ts ReconstructionMetrics.addRows).
// Bindings: @0 wide (uniform), @1 x (read, [B][d]), @2 e (read, [R][d]: rows 0..B), @3 out (rw, [B][2]).
// Dispatch: threads B, 64 per workgroup (one invocation walks its row). Twin: ReconstructionMetrics.add.
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> e: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  if (b >= wide.B) { return; }
  var xx = 0.0;
  var hh = 0.0;
  for (var j = 0u; j < wide.d; j++) {
    let v = x[b * wide.d + j];
    let h = v + e[b * wide.d + j];
    xx += v * v;
    hh += h * h;
  }
  out[b * 2u] = xx;
  out[b * 2u + 1u] = hh;
}
