// One composed-feature draw (docs/science.md §1), shared by sample_data.wgsl and the fused SAE steps (src/kernels/sae_steps/)
// (twin: src/reference/data.ts, sampleData). The including kernel declares `cfg: Config` and
// `tables` (joint CDF [table_len] then one-hot CDF [N]) and defines N_SETS and SET_SIZE.
//   With probability p_onehot: one feature i ~ onehot_cdf, x_i = a0. Else one feature per set from the
//   joint table (row-major, first set slowest); each set is left out w.p. p_set_empty; set 0 gets a0,
//   set j >= 1 gets (1 - rho) a_j + rho a0. Draws from rng(seed, STREAM_DATA, t, b, column):
//   0 one-hot vs composed, 1 the table entry, 2 + j set j's amplitude, 2 + N_SETS + j set j left out.

const STREAM_DATA: u32 = 3u;

// The draw's hash prefix up to the step, rng_prefix's first three of four hashes (seed, stream, t), kept for the
// invocation's next draw of the same seed and step: a kernel walking a step's batch serially (the CPU-shaped ones)
// hashes once per sample instead of four times. The bits are rng_prefix's.
var<private> draw_seed: u32;
var<private> draw_t: u32 = 0xffffffffu;
var<private> draw_pre: u32;

fn draw_prefix(seed: u32, t: u32, b: u32) -> u32 {
  if (t != draw_t || seed != draw_seed) {
    draw_seed = seed;
    draw_t = t;
    draw_pre = pcg_hash(pcg_hash(pcg_hash(seed ^ 0x9e3779b9u) ^ STREAM_DATA) ^ t);
  }
  return pcg_hash(draw_pre ^ b);
}

// Table look-ups: the first index i with u < cdf[i] (the last entry is 1, u < 1) is the count of entries
// i < len - 1 with cdf[i] <= u, as the CDF is non-decreasing (the reference's binary search gives the same
// index). A scan: every lane reads the same addresses, and with constant lengths (the CPU-shaped kernel
// bakes cfg.table_len in) the loops unroll.
fn sample_features(seed: u32, t: u32, b: u32) -> array<f32, N_FEAT> {
  var x: array<f32, N_FEAT>;
  // explicit zeros: SwiftShader was seen to keep loop-scoped arrays between iterations of a caller's loop
  for (var i = 0u; i < N_FEAT; i++) { x[i] = 0.0; }
  let pre_rng = draw_prefix(seed, t, b);
  let a0 = rng_unit_at(pre_rng, 2u);
  let u_pick = rng_unit_at(pre_rng, 1u);
  // (a probability of 0 skips its hash: u < 0 and u >= 0 are decided without it, u in [0, 1))
  if (cfg.p_onehot > 0.0 && rng_unit_at(pre_rng, 0u) < cfg.p_onehot) {
    var pick = 0u;
    for (var i = 0u; i < N_FEAT - 1u; i++) { pick += select(0u, 1u, u_pick >= tables[cfg.table_len + i]); }
    for (var i = 0u; i < N_FEAT; i++) { x[i] = select(0.0, a0, i == pick); }
    return x;
  }
  var c = 0u;
  for (var i = 0u; i < cfg.table_len - 1u; i++) { c += select(0u, 1u, u_pick >= tables[i]); }
  // decode from the last set (fastest varying) back to set 0
  var offset = N_FEAT;
  for (var jj = 0u; jj < N_SETS; jj++) {
    let j = N_SETS - 1u - jj;
    let k = SET_SIZE[j];
    offset -= k;
    let f = c % k;
    c = c / k;
    // (no `continue`: the loop stays unrollable, src/gpu/unroll.ts)
    if (cfg.p_set_empty <= 0.0 || rng_unit_at(pre_rng, 2u + N_SETS + j) >= cfg.p_set_empty) {
      var a = a0;
      if (j > 0u) { a = (1.0 - cfg.rho) * rng_unit_at(pre_rng, 2u + j) + cfg.rho * a0; }
      for (var i = 0u; i < N_FEAT; i++) { x[i] = select(x[i], a, i == offset + f); }
    }
  }
  return x;
}
