// rng_fill: out_u32[r*cols + c] = rng_u32(seed, stream, step, r, c);
//           out_unit[r*cols + c] = rng_unit(seed, stream, step, r, c)  (U[0,1), top 24 bits).
// Bindings: @0 params (uniform), @1 out_u32 (storage rw, rows*cols u32), @2 out_unit (storage rw, rows*cols f32).
// Dispatch: (ceil(rows*cols / 64), 1, 1). Twin: src/reference/rng.ts (rngFill).
//#include "lib/rng.wgsl"

struct Params {
  seed: u32,
  stream: u32,
  step: u32,
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out_u32: array<u32>;
@group(0) @binding(2) var<storage, read_write> out_unit: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.rows * params.cols) { return; }
  let r = i / params.cols;
  let c = i % params.cols;
  out_u32[i] = rng_u32(params.seed, params.stream, params.step, r, c);
  out_unit[i] = rng_unit(params.seed, params.stream, params.step, r, c);
}
