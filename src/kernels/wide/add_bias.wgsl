// wide add_bias: a row vector added to every row, a_ij += v_j (the synthetic data's bias b in x = sum_i a_i d_i + b).
// Bindings: @0 shape (uniform {rows, cols}), @1 v (read, [cols]), @2 a (rw, [rows][cols]).
// Dispatch: threads rows * cols, 64 per workgroup, 2-D grid of workgroups (x fastest). Twin: src/data/synth-source.ts
// (synthRows), checked in 'wide synth source'.

struct Shape {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> a: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= shape.rows * shape.cols) { return; }
  a[i] += v[i % shape.cols];
}
