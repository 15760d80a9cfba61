// The evaluation metrics from the sums over an evaluation batch (docs/science.md §5), shared by sae_eval.wgsl
// (sums from a workgroup reduction) and src/kernels/sae_eval/cpu.wgsl (sums from one invocation's walk). Twin:
// src/reference/metrics.ts (saeEval). The includer declares `cfg: Config` and `metrics` ([M][MET_W], rw);
// include after lib/sae_layout.wgsl.
// Sums (EVAL_NV of them): 0 fvu, 1 sum f, 2 l0, 3 |e|^2, 4 |h|^2, 5 |xo - xhat|^2, 6 |xhat|^2,
//   7 .. 7 + D_HID - 1: h, 7 + D_HID .. : xhat, then EV_REC: rec (the loss's reconstruction term; = fvu but
//   for Matryoshka) and EV_PEN: sum act_penalised(f) (the variant's penalty at weight 1: L1 sum f, JumpReLU's L0).

const EV_REC: u32 = 7u + D_HID + N_FEAT;
const EV_PEN: u32 = 8u + D_HID + N_FEAT;
const EVAL_NV: u32 = 9u + D_HID + N_FEAT;

// fvu, mean sum f, mean l0, dead on the batch, EV(h), EV(out), the variant's penalty and its selection loss,
// its own objective without dead-latent or cosine terms: mean rec + lambda mean penalty (the study's ReLU:
// fvu + lambda mean sum f; JumpReLU: its L0 objective; Matryoshka: its nested reconstructions)
fn eval_metrics_write(m: u32, total: array<f32, EVAL_NV>, dead: f32, lambda: f32) {
  let nb = f32(cfg.B);
  var mh = 0.0;
  for (var j = 0u; j < D_HID; j++) { mh += total[7 + j] * total[7 + j]; }
  var mx = 0.0;
  for (var i = 0u; i < N_FEAT; i++) { mx += total[7 + D_HID + i] * total[7 + D_HID + i]; }
  let var_h = total[4] - mh / nb;
  let var_x = total[6] - mx / nb;
  let o = m * MET_W;
  metrics[o + MET_FVU] = total[0] / nb;
  metrics[o + MET_L1] = total[1] / nb;
  metrics[o + MET_L0] = total[2] / nb;
  metrics[o + MET_DEAD_BATCH] = dead;
  metrics[o + MET_EV_H] = 1.0 - total[3] / max(var_h, 1e-30);
  metrics[o + MET_EV_OUT] = 1.0 - total[5] / max(var_x, 1e-30);
  metrics[o + MET_PEN] = total[EV_PEN] / nb;
  metrics[o + MET_SEL] = total[EV_REC] / nb + lambda * total[EV_PEN] / nb;
}
