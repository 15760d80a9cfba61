// wide row_den: the study's per-sample FVU denominators den_b = |x_b|^2 (1 for a zero row), which residual.wgsl and
// rowloss.wgsl divide each row's error terms by when wide.fvu is 1.
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 x (read, [B][d]), @2 den (rw, [B]).
// Dispatch: threads B, 64 per workgroup (one invocation walks its row). Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> den: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  if (b >= wide.B) { return; }
  var q = 0.0;
  for (var j = 0u; j < wide.d; j++) {
    let v = x[b * wide.d + j];
    q += v * v;
  }
  den[b] = select(1.0, q, q > 0.0);
}
