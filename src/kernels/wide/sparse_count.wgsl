// wide sparse_count: the sparse decode's first pass (the TopK family: f holds about k nonzeros per row of each
// block): the nonzeros of each of the R = nb B rows of f and of each of its s columns, into rowptr[r + 1] and
// colptr[k + 1] (sparse_scan.wgsl turns them into offsets). AuxK's activations may be negative: nonzero, not > 0.
// Bindings: @0 wide (uniform, lib/wide.wgsl), @1 f (read, [R][s]), @2 rowptr (rw, [R + 1] u32),
//           @3 colptr (rw, [s + 1] u32).
// Dispatch: threads R + s, 64 per workgroup (invocation i < R walks row i, the others column i - R).
// Twin: src/reference/wide.ts (wideStep: the step's outputs; the sparse structure has none of its own).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read_write> rowptr: array<u32>;
@group(0) @binding(3) var<storage, read_write> colptr: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let R = wide.nb * wide.B;
  if (i < R) {
    var n = 0u;
    for (var k = 0u; k < wide.s; k++) { n += select(0u, 1u, f[i * wide.s + k] != 0.0); }
    rowptr[i + 1u] = n;
  } else if (i < R + wide.s) {
    let k = i - R;
    var n = 0u;
    for (var r = 0u; r < R; r++) { n += select(0u, 1u, f[r * wide.s + k] != 0.0); }
    colptr[k + 1u] = n;
  }
}
