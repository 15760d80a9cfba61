// sample_data: composed-feature inputs x[m, b, :] for step t = state[0] (docs/science.md §1).
//   With probability p_onehot: one feature i ~ onehot_cdf, x_i = a0.
//   Else: one feature per set, the combination c ~ joint_cdf over the product of the sets
//   (row-major, first set slowest); set 0 gets a0, set j >= 1 gets (1 - rho) a_j + rho a0.
//   Each set is left out of a composed draw with probability p_set_empty (column 2 + N_SETS + j).
//   All draws a_* ~ U[0,1) from rng(seed_m, STREAM_DATA=3, t, b, column): column 0 picks one-hot
//   vs composed, 1 the table entry, 2 + j set j's amplitude.
// Bindings: @0 cfg (uniform Config), @1 hyper (read, [M] Hyper; seed), @2 state (read, u32 step),
//           @3 tables (read, f32: joint_cdf [table_len] then onehot_cdf [N]), @4 x (rw, [M][B][N]).
// Dispatch: (ceil(M*B / 64), 1, 1). Twin: src/reference/data.ts (sampleData). The draw itself: lib/sample.wgsl.
//#include "lib/rng.wgsl"
//#include "lib/common.wgsl"

const N_SETS: u32 = {{N_SETS}}u;
const SET_SIZE = array<u32, N_SETS>({{SET_SIZES}});

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> tables: array<f32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;

//#include "lib/sample.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  if (row >= cfg.M * cfg.B) { return; }
  let v = sample_features(hyper[row / cfg.B].seed, state[0], row % cfg.B);
  for (var i = 0u; i < N_FEAT; i++) { x[row * N_FEAT + i] = v[i]; }
}
