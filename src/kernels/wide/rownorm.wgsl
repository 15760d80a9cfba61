// wide rownorm: the decoder rows' norms n_k = |W_dec,k| (the L1 penalty weighs f_k by them).
// Bindings: @0 wide (uniform), @1 w_dec (read, [s][d]), @2 norms (rw, [s]).
// Dispatch: threads s, 64 per workgroup (one invocation walks its row). Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> w_dec: array<f32>;
@group(0) @binding(2) var<storage, read_write> norms: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  if (k >= wide.s) { return; }
  var q = 0.0;
  for (var j = 0u; j < wide.d; j++) {
    let w = w_dec[k * wide.d + j];
    q += w * w;
  }
  norms[k] = sqrt(q);
}
