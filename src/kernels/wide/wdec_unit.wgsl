// wide wdec_unit: the decoder's rows rescaled to unit norm before a step, W_dec,k <- W_dec,k / |W_dec,k| (a zero row
// stays 0): the study's decoder normalisation (WideTrainMode.unitDecoder; wdec_project.wgsl removes the gradient
// along the rows after the backward pass).
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 w_dec (rw, [s][d]).
// Dispatch: threads s, 64 per workgroup (one invocation walks its row). Twin: src/reference/wide.ts (unitRows).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read_write> w_dec: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  if (k >= wide.s) { return; }
  var q = 0.0;
  for (var j = 0u; j < wide.d; j++) {
    let w = w_dec[k * wide.d + j];
    q += w * w;
  }
  if (q > 0.0) {
    let inv = 1.0 / sqrt(q);
    for (var j = 0u; j < wide.d; j++) { w_dec[k * wide.d + j] *= inv; }
  }
}
