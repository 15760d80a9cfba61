// p-annealing's lambda bookkeeping, once per step after its loss sums (docs/science.md §8.2): update c >= 1 (at step
// u_c) multiplies lambda by S_cur / S_next, the sums over the pa_queue steps u_c - pa_queue + 1 .. u_c of the batch
// means of sum_k f_k^p (this step's p) and sum_k f_k^p_next (the next update's); kept when S_next is 0 (nothing fired).
// The includer declares cfg and anneal ([M][2] f32, rw: S_cur, S_next). Twin: src/reference/sae.ts saeAnnealStep.
//#include "lib/p_anneal.wgsl"

// lambda for step t + 1 from step t's lambda and its batch means
fn pa_step(m: u32, t: u32, lambda: f32, cur_mean: f32, next_mean: f32) -> f32 {
  let c = pa_done(t);
  if (c < 1u || c >= cfg.pa_n) { return lambda; }
  let u = pa_update(c);
  if (t + cfg.pa_queue <= u) { return lambda; }
  anneal[m * 2u] += cur_mean;
  anneal[m * 2u + 1u] += next_mean;
  if (t != u) { return lambda; }
  let sc = anneal[m * 2u];
  let sn = anneal[m * 2u + 1u];
  anneal[m * 2u] = 0.0;
  anneal[m * 2u + 1u] = 0.0;
  return select(lambda, lambda * sc / sn, sn > 0.0);
}
