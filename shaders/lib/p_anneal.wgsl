// p-annealing's schedule (docs/science.md §8.2; dictionary_learning trainers/p_anneal.py): pa_n updates at steps
//   pa_update(i) = pa_start + floor(i (pa_end - pa_start) / (pa_n - 1)), setting p_i = p_start + (p_end - p_start) i / (pa_n - 1).
// Step t trains with p_{c-1}, c = #{i : pa_update(i) < t} (p_start before the first update), and the queue compares
// it with the next update's p_c (p_end after the last). The includer declares cfg. Twin: src/core/wire.ts paExponents.

fn pa_update(i: u32) -> u32 {
  if (cfg.pa_n <= 1u) { return cfg.pa_start; }
  return cfg.pa_start + (i * (cfg.pa_end - cfg.pa_start)) / (cfg.pa_n - 1u);
}

fn pa_value(i: u32) -> f32 {
  if (cfg.pa_n <= 1u) { return cfg.p_start; }
  return cfg.p_start + (cfg.p_end - cfg.p_start) * f32(i) / f32(cfg.pa_n - 1u);
}

// updates before step t
fn pa_done(t: u32) -> u32 {
  var c = 0u;
  for (var i = 0u; i < cfg.pa_n; i++) { if (pa_update(i) < t) { c += 1u; } }
  return c;
}

// (p of step t, the next update's p)
fn pa_exponents(t: u32) -> vec2<f32> {
  let c = pa_done(t);
  return vec2<f32>(select(cfg.p_start, pa_value(c - 1u), c > 0u), select(cfg.p_end, pa_value(c), c < cfg.pa_n));
}
