// Shared declarations of the training kernels (twin: src/core/wire.ts).
// Shapes are compile-time constants substituted by the loader ({{...}} defines):
//   N_FEAT features, D_HID hidden dims, S_LAT SAE latents, N_SETS feature sets.
// Per-job scalars live in the Config uniform; per-model hyper-parameters in the Hyper table;
// the step counter lives on the GPU (state[0]) so many steps can be recorded in one submit.

const N_FEAT: u32 = {{N_FEAT}}u;
const D_HID: u32 = {{D_HID}}u;
const S_LAT: u32 = {{S_LAT}}u;

// Config.flags bits
const FLAG_PRE_BIAS: u32 = 1u;     // SAE encodes h - b_dec
const FLAG_GHOST: u32 = 2u;        // ghost grads for dead latents
const FLAG_GHOST_QUIRK: u32 = 4u;  // the study code's L1 switch-off while the cooldown counter > 0
const FLAG_COS_ABS: u32 = 8u;      // cosine penalty on |S| (else signed S)
const FLAG_COS_PAIRS: u32 = 16u;   // normalise the cosine penalty by s(s-1)/2 pairs (else the code's s^2)
const FLAG_COS_SQ: u32 = 32u;      // penalty on S^2 (decoder orthogonality); takes precedence over FLAG_COS_ABS
const FLAG_JUMPRELU: u32 = 128u;   // JumpReLU SAE: f = pre [pre > theta], L0 penalty, straight-through theta gradient
const FLAG_BATCH_FVU: u32 = 64u;
const FLAG_AUXK: u32 = 512u;       // AuxK dead-latent loss (TopK SAEs) instead of ghost grads
const FLAG_FIXED_DEC: u32 = 1024u;  // decoder fixed at its initial rows (reference SAEs): its gradient is zero
const FLAG_MATRYOSHKA: u32 = 2048u; // Matryoshka: nested reconstructions (REC_G of them; a variant bit, no kernel branches on it)
const FLAG_PANNEAL: u32 = 8192u;   // p-annealing (a variant bit; its schedule rides on Config.pa_*)
const FLAG_GATED: u32 = 4096u;     // Gated SAE: gate and magnitude paths, auxiliary reconstruction (a variant bit, no kernel branches on it)
const FLAG_BATCH_TOPK: u32 = 256u; // BatchTopK: keep the topk*B largest activations of the batch (threshold from sae_batch_topk)   // batch FVU: squared errors over the batch's centred variance (sae_batch_stats)

const NOT_DIVERGED: u32 = 0xffffffffu;

struct Config {
  M: u32,            // models (rows of every per-model buffer)
  B: u32,            // batch size
  T: u32,            // total steps of the schedule
  warmup: u32,       // warmup steps (0: none)
  cooldown: u32,     // cooldown steps (0: none)
  toy_count: u32,    // toy models feeding the data rows (row m uses toy m % toy_count)
  table_len: u32,    // entries of the joint composed-draw table
  flags: u32,
  dead_after: u32,   // a latent is dead after this many steps without firing
  ghost_cooldown: u32,
  hist_len: u32,     // rows of the loss-history ring
  log_every: u32,    // history row written when step % log_every == 0
  act_stride: u32,   // SAE input rows: acts[(m*B + b)*act_stride + act_offset + j]
  act_offset: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  rho: f32,          // amplitude correlation
  p_onehot: f32,     // probability of a one-hot draw
  p_set_empty: f32,  // probability that a set contributes nothing to a composed draw (sparser data)
  topk: u32,         // TopK SAE: keep the k largest pre-activations per sample (0: plain ReLU SAE)
  jump_eps: f32,     // JumpReLU: bandwidth of the rectangle kernel of the straight-through estimator
  aux_k: u32,        // AuxK: dead latents used to model the residual
  aux_coef: f32,     // AuxK: coefficient of the auxiliary loss
  pa_n: u32,         // p-annealing: number of p updates (0: none; lib/p_anneal.wgsl)
  pa_start: u32,     // p-annealing: the first update's step
  pa_end: u32,       // p-annealing: the last update's step
  pa_queue: u32,     // p-annealing: steps whose penalties rescale lambda at an update
  p_start: f32,      // p-annealing: the exponent before the first update
  p_end: f32,        // p-annealing: the last update's exponent
}

struct Hyper {
  lr: f32,
  l1: f32,           // SAE L1 coefficient
  cos: f32,          // SAE cosine-penalty coefficient
  seed: u32,
}

// Learning-rate factor at step t: linear warmup to 1, constant, linear cooldown (docs/science.md §3).
// Where warmup and cooldown overlap (very short runs) the smaller factor wins.
fn lr_factor(t: u32, T: u32, warmup: u32, cooldown: u32) -> f32 {
  var f = 1.0;
  if (warmup > 0u) { f = min(f, f32(t + 1u) / f32(warmup)); }
  if (cooldown > 0u && t + cooldown >= T) {
    f = min(f, 1.0 - f32(t - (T - cooldown)) / f32(cooldown));
  }
  return f;
}

// Exponent bits all ones = Inf or NaN. Checked on the bits: WGSL compilers may assume floats are finite.
fn is_finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}
