// SAE loss bookkeeping shared by sae_loss.wgsl and the fused SAE kernels (twin: src/reference/sae.ts,
// saeLoss). The includer declares `cfg: Config`, `status` ([M] u32) and `hist` ([hist_len][M][HIST_W]);
// the history row itself comes from sae_loss_row (lib/sae_step.wgsl).

// Marks model m diverged at step t the first time the total is not finite, writes the history row
// (when t % log_every == 0) and returns whether the model is still live.
fn sae_loss_write(m: u32, t: u32, row: array<f32, 7>) -> bool {
  var live = status[m] == NOT_DIVERGED;
  if (!is_finite(row[0]) && live) {
    status[m] = t;
    live = false;
  }
  if (t % cfg.log_every == 0u) {
    let r = (((t / cfg.log_every) % cfg.hist_len) * cfg.M + m) * HIST_W;
    for (var q = 0u; q < 7u; q++) { hist[r + q] = row[q]; }
    hist[r + 7u] = f32(t);
  }
  return live;
}
