// sample_data: composed-feature inputs x[m, b, :] for step t = state[0] (SPEC §1).
//   With probability p_onehot: one feature i ~ onehot_cdf, x_i = a0.
//   Else: one feature per set, the combination c ~ joint_cdf over the product of the sets
//   (row-major, first set slowest); set 0 gets a0, set j >= 1 gets (1 - rho) a_j + rho a0.
//   Each set is left out of a composed draw with probability p_set_empty (column 2 + N_SETS + j).
//   All draws a_* ~ U[0,1) from rng(seed_m, STREAM_DATA=3, t, b, column): column 0 picks one-hot
//   vs composed, 1 the table entry, 2 + j set j's amplitude.
// Bindings: @0 cfg (uniform Config), @1 hyper (read, [M] Hyper; seed), @2 state (read, u32 step),
//           @3 tables (read, f32: joint_cdf [table_len] then onehot_cdf [N]), @4 x (rw, [M][B][N]).
// Dispatch: (ceil(M*B / 64), 1, 1). Twin: src/reference/data.ts (sampleData).
//#include "lib/rng.wgsl"
//#include "lib/common.wgsl"

const N_SETS: u32 = {{N_SETS}}u;
const SET_SIZE = array<u32, N_SETS>({{SET_SIZES}});
const STREAM_DATA: u32 = 3u;

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> tables: array<f32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;

// First index i in [start, start+len) with u < cdf[i] (the last entry is 1, u < 1).
fn search_cdf(start: u32, len: u32, u: f32) -> u32 {
  var lo = 0u;
  var hi = len - 1u;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (u < tables[start + mid]) { hi = mid; } else { lo = mid + 1u; }
  }
  return lo;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  if (row >= cfg.M * cfg.B) { return; }
  let m = row / cfg.B;
  let b = row % cfg.B;
  let seed = hyper[m].seed;
  let t = state[0];
  let base = row * N_FEAT;
  for (var i = 0u; i < N_FEAT; i++) { x[base + i] = 0.0; }
  let pre_rng = rng_prefix(seed, STREAM_DATA, t, b);
  let a0 = rng_unit_at(pre_rng, 2u);
  let u_pick = rng_unit_at(pre_rng, 1u);
  if (rng_unit_at(pre_rng, 0u) < cfg.p_onehot) {
    x[base + search_cdf(cfg.table_len, N_FEAT, u_pick)] = a0;
    return;
  }
  var c = search_cdf(0u, cfg.table_len, u_pick);
  // decode from the last set (fastest varying) back to set 0
  var offset = N_FEAT;
  for (var jj = 0u; jj < N_SETS; jj++) {
    let j = N_SETS - 1u - jj;
    let k = SET_SIZE[j];
    offset -= k;
    let f = c % k;
    c = c / k;
    if (rng_unit_at(pre_rng, 2u + N_SETS + j) < cfg.p_set_empty) { continue; }
    var a = a0;
    if (j > 0u) { a = (1.0 - cfg.rho) * rng_unit_at(pre_rng, 2u + j) + cfg.rho * a0; }
    x[base + offset + f] = a;
  }
}
