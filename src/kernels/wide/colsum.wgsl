// wide colsum: column sums out_j = sum_i a_ij of a [rows][cols] matrix (bias gradients: sum_b dr_bj, sum_b dpre_bk;
// the batch's activation mass sum_b f_bk). One invocation per column walks the rows: neighbouring lanes read
// neighbouring columns.
// Bindings: @0 shape (uniform {rows, cols}), @1 a (read, [rows][cols]), @2 out (rw, [cols]).
// Dispatch: threads cols, 64 per workgroup. Twin: src/reference/wide.ts (wideStep).

struct Shape {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= shape.cols) { return; }
  var acc = 0.0;
  for (var i = 0u; i < shape.rows; i++) { acc += a[i * shape.cols + j]; }
  out[j] = acc;
}
