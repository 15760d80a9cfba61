// One composed-feature draw (docs/science.md §1), shared by sample_data.wgsl and sae_fused_steps.wgsl
// (twin: src/reference/data.ts, sampleData). The including kernel declares `cfg: Config` and
// `tables` (joint CDF [table_len] then one-hot CDF [N]) and defines N_SETS and SET_SIZE.
//   With probability p_onehot: one feature i ~ onehot_cdf, x_i = a0. Else one feature per set from the
//   joint table (row-major, first set slowest); each set is left out w.p. p_set_empty; set 0 gets a0,
//   set j >= 1 gets (1 - rho) a_j + rho a0. Draws from rng(seed, STREAM_DATA, t, b, column):
//   0 one-hot vs composed, 1 the table entry, 2 + j set j's amplitude, 2 + N_SETS + j set j left out.

const STREAM_DATA: u32 = 3u;

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

fn sample_features(seed: u32, t: u32, b: u32) -> array<f32, N_FEAT> {
  var x: array<f32, N_FEAT>;
  // explicit zeros: SwiftShader was seen to keep loop-scoped arrays between iterations of a caller's loop
  for (var i = 0u; i < N_FEAT; i++) { x[i] = 0.0; }
  let pre_rng = rng_prefix(seed, STREAM_DATA, t, b);
  let a0 = rng_unit_at(pre_rng, 2u);
  let u_pick = rng_unit_at(pre_rng, 1u);
  if (rng_unit_at(pre_rng, 0u) < cfg.p_onehot) {
    x[search_cdf(cfg.table_len, N_FEAT, u_pick)] = a0;
    return x;
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
    x[offset + f] = a;
  }
  return x;
}
