// wide ortho_r: one row block of the dictionary orthogonalisation's residual, in place: for rows i = i0 + r of
// G = E E^T (the GEMM's block), R_ij = 4 w_ij (G_ij - c_ij) with w, c = n, 1 on the diagonal and 1, target off it,
// so that dL/dE = R E for L = sum_ij w_ij (G_ij - c_ij)^2 (the 4 folded in).
// Bindings: @0 shape (uniform {rows, n, i0, off_diag: the target off the diagonal}), @1 g (rw, [rows][n]).
// Dispatch: threads rows * n, 64 per workgroup, 2-D grid of workgroups. Twin: src/data/dictionary.ts (orthoLoss).

struct Shape {
  rows: u32,
  n: u32,
  i0: u32,
  off_diag: f32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read_write> g: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let t = gid.x + gid.y * nw.x * 64u;
  if (t >= shape.rows * shape.n) { return; }
  let i = shape.i0 + t / shape.n;
  let j = t % shape.n;
  let diag = i == j;
  let w = select(1.0, f32(shape.n), diag);
  let c = select(shape.off_diag, 1.0, diag);
  g[t] = 4.0 * w * (g[t] - c);
}
