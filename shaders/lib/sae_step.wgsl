// Per-step SAE building blocks shared by the modular kernels (sae_normalize, sae_dead, sae_firing,
// sae_cos_grad, sae_project_grad, sae_loss) and the fused kernels (src/kernels/sae_steps/: v1, v2, cpu), so each
// formula exists once (twins: src/reference/sae.ts). The includer declares `cfg: Config`;
// lib/common.wgsl and lib/sae_layout.wgsl come first. The loss bookkeeping that writes status and
// history is lib/sae_loss.wgsl.

// --- sae_normalize: w_k <- w_k / |w_k| (a row of zero norm is left as it is)
fn normalized_row(w: array<f32, D_HID>) -> array<f32, D_HID> {
  var o = w;
  var sq = 0.0;
  for (var j = 0u; j < D_HID; j++) { sq += w[j] * w[j]; }
  if (sq > 0.0) {
    let inv = 1.0 / sqrt(sq);
    for (var j = 0u; j < D_HID; j++) { o[j] = w[j] * inv; }
  }
  return o;
}

// --- sae_project_grad: g_k <- g_k - (g_k . w_k) w_k (w_k unit: the step stays tangent to the sphere)
fn projected_row(g: array<f32, D_HID>, w: array<f32, D_HID>) -> array<f32, D_HID> {
  var o = g;
  var dot = 0.0;
  for (var j = 0u; j < D_HID; j++) { dot += g[j] * w[j]; }
  for (var j = 0u; j < D_HID; j++) { o[j] = g[j] - dot * w[j]; }
  return o;
}

// The decoder row's step: projected_row, or 0 with a fixed decoder (reference SAEs; Adam's moments stay 0, so
// the rows do not move). The CPU-shaped kernel zeroes its rows itself, with text present only in the
// reference SAEs' jobs (FIXED_DEC_STEP, src/kernels/sae_steps/index.ts).
fn decoder_grad_row(g: array<f32, D_HID>, w: array<f32, D_HID>) -> array<f32, D_HID> {
  if ((cfg.flags & FLAG_FIXED_DEC) != 0u) {
    var z: array<f32, D_HID>;
    return z;
  }
  return projected_row(g, w);
}

// --- sae_dead: dead = since_fired > dead_after (only with ghost grads or AuxK); the cooldown counter is
// reset to ghost_cooldown while dead, else counts down to 0. l1 = the latent's L1 weight this step.
struct DeadState {
  dead: bool,
  cool: u32,
}

fn dead_update(since: u32, cool: u32) -> DeadState {
  var o: DeadState;
  o.dead = (cfg.flags & (FLAG_GHOST | FLAG_AUXK)) != 0u && since > cfg.dead_after;
  o.cool = cool;
  if (o.dead) { o.cool = cfg.ghost_cooldown; } else if (cool > 0u) { o.cool = cool - 1u; }
  return o;
}

// --- sae_firing: steps since the latent fired (f > 1e-6 on any sample of the batch)
fn since_update(since: u32, fired: bool) -> u32 {
  return select(since + 1u, 0u, fired);
}

// --- sae_cos_grad: pair (k, l) of decoder rows with norms nk, nl: S = w_k . w_l / (nk nl); phi(S) is
// S^2 (FLAG_COS_SQ), |S| (FLAG_COS_ABS) or S; c = gamma / Z phi'(S). Z = s^2, or s(s-1)/2 (FLAG_COS_PAIRS).
struct CosPair {
  sim: f32,
  phi: f32,
  c: f32,
}

fn cos_z() -> f32 {
  let s = f32(S_LAT);
  if ((cfg.flags & FLAG_COS_PAIRS) != 0u) { return max(s * (s - 1.0) / 2.0, 1.0); }
  return s * s;
}

// The penalty's constant part: the code's tril keeps the diagonal (s entries of 1) unless FLAG_COS_PAIRS.
fn cos_diag() -> f32 {
  return select(f32(S_LAT), 0.0, (cfg.flags & FLAG_COS_PAIRS) != 0u);
}

fn cos_norm(w: array<f32, D_HID>) -> f32 {
  var sq = 0.0;
  for (var j = 0u; j < D_HID; j++) { sq += w[j] * w[j]; }
  return max(sqrt(sq), 1e-12);
}

fn cos_pair(wk: array<f32, D_HID>, wl: array<f32, D_HID>, nk: f32, nl: f32, gamma: f32, z: f32) -> CosPair {
  var o: CosPair;
  var dot = 0.0;
  for (var j = 0u; j < D_HID; j++) { dot += wk[j] * wl[j]; }
  o.sim = dot / (nk * nl);
  var dphi = 1.0;
  if ((cfg.flags & FLAG_COS_SQ) != 0u) {
    o.phi = o.sim * o.sim;
    dphi = 2.0 * o.sim;
  } else if ((cfg.flags & FLAG_COS_ABS) != 0u) {
    o.phi = abs(o.sim);
    dphi = sign(o.sim);
  } else {
    o.phi = o.sim;
  }
  o.c = gamma / z * dphi;
  return o;
}

// d phi(S_kl) / d w_k[j] (times gamma / Z): the pair's gradient on row k (call with k, l swapped for row l)
fn cos_grad_term(p: CosPair, wkj: f32, wlj: f32, nk: f32, nl: f32) -> f32 {
  return p.c * (wlj / (nk * nl) - p.sim * wkj / (nk * nk));
}

// --- sae_loss: batch means of the per-sample terms (sums = fvu, sum f, sum w f, ghost, l0, rec over the
// batch) and the cosine penalty pen: the history row total, fvu, L1 term, sum f, ghost, cos, l0. The total
// takes the reconstruction term rec (Matryoshka: the weighted nested reconstructions; else rec = fvu).
fn sae_loss_row(sums: array<f32, LOSS_N>, lambda: f32, pen: f32) -> array<f32, 7> {
  let inv_b = 1.0 / f32(cfg.B);
  let fvu = sums[0] * inv_b;
  let l1term = lambda * sums[2] * inv_b;
  let ghost = sums[3] * inv_b;
  let total = sums[5] * inv_b + l1term + ghost + pen;
  return array<f32, 7>(total, fvu, l1term, sums[1] * inv_b, ghost, pen, sums[4] * inv_b);
}
