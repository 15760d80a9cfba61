// The wide SAE engine's shapes (src/kernels/wide): one SAE of width s on d-dimensional inputs, a batch of B rows,
// SAELens's layout: W_enc [d][s], b_enc [s], W_dec [s][d], b_dec [d], all row-major f32.
// lambda: the L1 coefficient of the ReLU SAE's penalty lambda mean_b sum_k f_bk |W_dec,k|.

struct Wide {
  B: u32,
  d: u32,
  s: u32,
  lambda: f32,
}

@group(0) @binding(0) var<uniform> wide: Wide;
