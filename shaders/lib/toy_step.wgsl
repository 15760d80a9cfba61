// Toy-model loss bookkeeping shared by toy_loss.wgsl and the fused toy step (src/kernels/toy_steps/) (twin: src/reference/toy.ts,
// toyLoss). The includer declares `cfg: Config`, `status` ([M] u32) and `hist` ([hist_len][M][2]).

// Marks model m diverged at step t the first time the batch loss is not finite, writes the history
// row (loss, t) when t % log_every == 0, and returns whether the model is still live.
fn toy_loss_write(m: u32, t: u32, loss: f32) -> bool {
  var live = status[m] == NOT_DIVERGED;
  if (!is_finite(loss) && live) {
    status[m] = t;
    live = false;
  }
  if (t % cfg.log_every == 0u) {
    let r = ((t / cfg.log_every) % cfg.hist_len) * cfg.M + m;
    hist[r * 2u] = loss;
    hist[r * 2u + 1u] = f32(t);
  }
  return live;
}
