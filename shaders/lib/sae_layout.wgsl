// Layouts of the SAE buffers (twin: src/core/wire.ts, saeLayout).
// Parameters of model m at params[m*P_SAE ...]: W_enc [S][D] (row k = latent k's encoder),
// b_enc [S], W_dec [S][D] (row k = latent k's decoder direction), b_dec [D], then XP_N extra per-latent
// blocks [XP_N][S], the variant's own parameters (src/variants/<name>.ts latentParams; by default one,
// log_threshold: JumpReLU's theta_k = exp(log_threshold_k), unused, gradient 0, by the other variants;
// Gated: r_mag, b_mag).
// Per-sample work record at work[(m*B + b)*REC ...]: f [S], dpre [S] (dL/d pre-activation),
// A [S] (ghost coefficients), dh [D] (dL/d h_hat), G [D] (dL/d ghost output), hin [D] (encoder input),
// e [D] (h_hat - h), loss [LOSS_N] (fvu, sum f, sum w f (the penalty: act_penalised; JumpReLU: sum w [f > 0],
// its L0), ghost term, l0, rec: the reconstruction terms of the loss, sum_i w_i fvu_i over the nested
// reconstructions (= fvu with one) plus the variant's auxiliary one (Gated), pen: sum act_penalised (unweighted),
// pen_next: sum act_pen_next (p-annealing's penalty at the next exponent; else 0)),
// dxp [XP_N][S] (this sample's gradient of the extra parameter blocks: JumpReLU's straight-through dth),
// dhx [(REC_G - 1) D]: dL/d h_hat as the latents of nested groups 1 .. REC_G-1 see it (group 0's is dh).
// Nested reconstructions (Matryoshka; one for every other variant): REC_G of them, reconstruction i uses the
// latents k < REC_ENDS[i] with loss weight REC_W[i]; defines REC_G, REC_ENDS, REC_W (src/kernels/defines.ts).

const XP_N: u32 = {{XP_N}}u;
const P_SAE: u32 = 2u * S_LAT * D_HID + S_LAT + D_HID + XP_N * S_LAT;
const OFF_WE: u32 = 0u;
const OFF_BE: u32 = S_LAT * D_HID;
const OFF_WD: u32 = S_LAT * D_HID + S_LAT;
const OFF_BD: u32 = 2u * S_LAT * D_HID + S_LAT;
const OFF_XP: u32 = 2u * S_LAT * D_HID + S_LAT + D_HID;

const REC_G: u32 = {{REC_G}}u;
const LOSS_N: u32 = 8u;
const R_F: u32 = 0u;
const R_DPRE: u32 = S_LAT;
const R_A: u32 = 2u * S_LAT;
const R_DH: u32 = 3u * S_LAT;
const R_G: u32 = 3u * S_LAT + D_HID;
const R_HIN: u32 = 3u * S_LAT + 2u * D_HID;
const R_E: u32 = 3u * S_LAT + 3u * D_HID;
const R_LOSS: u32 = 3u * S_LAT + 4u * D_HID;
const R_DXP: u32 = 3u * S_LAT + 4u * D_HID + LOSS_N;
const R_DHX: u32 = (3u + XP_N) * S_LAT + 4u * D_HID + LOSS_N;
const REC: u32 = (3u + XP_N) * S_LAT + 4u * D_HID + LOSS_N + (REC_G - 1u) * D_HID;

// module-scope constants, so no call builds the arrays (SwiftShader's JIT does not hoist a let array out of a loop)
const REC_ENDS = array<u32, REC_G>({{REC_ENDS}});
const REC_W = array<f32, REC_G>({{REC_W}});

// The nested group of latent k: the first reconstruction that uses it (0 with one reconstruction).
fn rec_group(k: u32) -> u32 {
  var g = 0u;
  // (loops in the form src/gpu/unroll.ts unrolls: with one reconstruction this one is empty, and the group a constant)
  for (var i = 0u; i < REC_G - 1u; i++) { if (k >= REC_ENDS[i]) { g = i + 1u; } }
  return g;
}

// Per-latent state at lat[(m*S + k)*3 ...]: steps since fired, ghost cooldown counter, dead flag.
const LAT_SINCE: u32 = 0u;
const LAT_COOL: u32 = 1u;
const LAT_DEAD: u32 = 2u;
const LAT_W: u32 = 3u;       // u32 values per latent

// History row (HIST_W floats per model): total, fvu, L1 term (lambda * sum w f), sum f, ghost, cosine penalty, l0, step.
const HIST_W: u32 = 8u;

// Metrics row (MET_W floats per model): monosemanticity, dead on probes, then eval-batch means:
// fvu, sum f, l0, dead on the batch, explained variance of h, of the toy output, selection loss (the variant's
// own objective: reconstruction term rec + lambda x its penalty), its penalty (mean sum act_penalised(f)).
const MET_W: u32 = 10u;
const MET_MONO: u32 = 0u;
const MET_DEAD_PROBE: u32 = 1u;
const MET_FVU: u32 = 2u;
const MET_L1: u32 = 3u;
const MET_L0: u32 = 4u;
const MET_DEAD_BATCH: u32 = 5u;
const MET_EV_H: u32 = 6u;
const MET_EV_OUT: u32 = 7u;
const MET_SEL: u32 = 8u;
const MET_PEN: u32 = 9u;

// TopK SAE (Config.topk = k > 0): keep the k largest pre-activations of a sample (ties: lowest index),
// zero the rest before the ReLU. Returns 1 for kept latents. k = 0 or k >= S keeps all.
fn topk_mask(pre: array<f32, S_LAT>, k: u32) -> array<u32, S_LAT> {
  var keep: array<u32, S_LAT>;
  for (var i = 0u; i < S_LAT; i++) { keep[i] = select(0u, 1u, k == 0u || k >= S_LAT); }
  if (k == 0u || k >= S_LAT) { return keep; }
  for (var r = 0u; r < k; r++) {
    var best = S_LAT;
    var bv = -3.4e38;
    for (var i = 0u; i < S_LAT; i++) {
      if (keep[i] == 0u && (best == S_LAT || pre[i] > bv)) { best = i; bv = pre[i]; }
    }
    keep[best] = 1u;
  }
  return keep;
}

// The L1 weight of a latent whose ghost cooldown counter is `cool` (docs/science.md §3): 1, or while cool > 0:
// 0 with the quirk flag, else 1 - cool/ghost_cooldown.
fn l1_weight(flags: u32, cool: u32, ghost_cooldown: u32) -> f32 {
  if ((flags & FLAG_GHOST) == 0u || cool == 0u) { return 1.0; }
  if ((flags & FLAG_GHOST_QUIRK) != 0u) { return 0.0; }
  return 1.0 - f32(cool) / f32(ghost_cooldown);
}
