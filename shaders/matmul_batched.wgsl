// matmul_batched: C[m, i, j] = sum_k A[m, i, k] * B[m, k, j] for m < M, i < R, j < N (row-major, f32).
// Bindings: @0 params (uniform {M, R, K, N}), @1 a (storage read, M*R*K), @2 b (storage read, M*K*N),
//           @3 c (storage rw, M*R*N).
// Dispatch: (ceil(N / 16), ceil(R / 16), M); 16x16 threads, one output each, K walked in 16-wide tiles
// staged in workgroup memory. Twin: src/reference/matmul.ts (matmulBatched).

const TILE: u32 = 16u;

struct Params {
  M: u32,
  R: u32,
  K: u32,
  N: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

var<workgroup> tile_a: array<array<f32, 16>, 16>;
var<workgroup> tile_b: array<array<f32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m = wid.z;
  let i = wid.y * TILE + lid.y;
  let j = wid.x * TILE + lid.x;
  let R = params.R;
  let K = params.K;
  let N = params.N;
  let a_base = m * R * K;
  let b_base = m * K * N;
  var acc = 0.0;
  let tiles = (K + TILE - 1u) / TILE;
  for (var t = 0u; t < tiles; t++) {
    let ka = t * TILE + lid.x;
    let kb = t * TILE + lid.y;
    // Out-of-range threads still load (zeros) and reach every barrier: barriers must be uniform.
    tile_a[lid.y][lid.x] = select(0.0, a[a_base + i * K + ka], i < R && ka < K);
    tile_b[lid.y][lid.x] = select(0.0, b[b_base + kb * N + j], kb < K && j < N);
    // Both tiles must be fully written before any thread reads them.
    workgroupBarrier();
    for (var kk = 0u; kk < TILE; kk++) {
      acc += tile_a[lid.y][kk] * tile_b[kk][lid.x];
    }
    // Everyone must finish reading before the next iteration overwrites the tiles.
    workgroupBarrier();
  }
  if (i < R && j < N) {
    c[m * R * N + i * N + j] = acc;
  }
}
