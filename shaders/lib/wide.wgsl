// The wide SAE engine's shapes and variant (src/kernels/wide): one SAE of width s on d-dimensional inputs, a batch of
// B rows, SAELens's layout: W_enc [d][s], b_enc [s], W_dec [s][d], b_dec [d], all row-major f32.
// lambda: the L1 coefficient of the penalty lambda mean_b sum_k f_bk |W_dec,k| (0 for the TopK family).
// Selection (the variant record's wide.select): a row keeps f_bk = pre_bk where pre_bk > 0 and
// order_key(pre_bk) >= thr[b * thr_rows + k * thr_cols] (ReLU: thr 0 keeps every positive; TopK: the row's k-th
// largest; BatchTopK: thr[0], the batch's kb-th largest; JumpReLU: thr[k], the key just above theta_k). The buffers f, r, dr and df hold nb blocks of B rows (R = nb B):
// block 0 the SAE's own (all s latents); Matryoshka's inner prefixes next, f masked to its first `end` latents
// (kind 0); AuxK's rows last (kind 1). Each block's reconstruction error enters the loss with its weight.

struct Wide {
  B: u32,
  d: u32,
  s: u32,
  lambda: f32,
  // TopK's k per row; BatchTopK's floor(k B) for the batch
  k: u32,
  kb: u32,
  // 1: a threshold per row (thr[b]); 0: one for the batch (thr[0])
  thr_rows: u32,
  // AuxK: coefficient (0: none), k_aux, dead after more than `window` steps without firing
  aux: f32,
  k_aux: u32,
  window: u32,
  // BatchTopK's inference threshold: an EMA of the batch's threshold at this rate (SAELens topk_threshold_lr)
  ema_lr: f32,
  // blocks of B rows in f, r, dr and df (1: the SAE's own only)
  nb: u32,
  // 1: a threshold per latent (thr[k]: JumpReLU's, jump_thr), with thr_rows 0
  thr_cols: u32,
  // JumpReLU: its L0 penalty replaces the L1 (no penalty gradient at pre or W_dec); the straight-through bandwidth
  jump: u32,
  bw: f32,
  // 1: the encoder reads x - b_dec (SAELens's pre-encoder bias); 0: x (the study's)
  pre_bias: u32,
  // 1: the study's per-sample FVU: each row's error terms divided by den[b] = |x_b|^2 (row_den.wgsl); 0: summed MSE
  fvu: u32,
  // the sparse decode's entry capacity (kernels/wide/sparse_*.wgsl; 0 on the dense path)
  cap: u32,
}

// one block of rows: kind 0 a reconstruction from the latents below `end` with weight `weight`, kind 1 AuxK's
struct RowBlock {
  kind: u32,
  end: u32,
  weight: f32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> wide: Wide;

// f32 -> u32 preserving order (negative values flipped whole, non-negative ones with the sign bit set): the radix
// selects compare keys
fn order_key(v: f32) -> u32 {
  let u = bitcast<u32>(v);
  return select(u | 0x80000000u, ~u, (u & 0x80000000u) != 0u);
}

fn key_value(k: u32) -> f32 {
  return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u));
}
