// wide select_resolve: the end of one round of BatchTopK's radix select: walks the global bins from the top digit to
// the one where the rank still sought falls (round 0 starts at rank kb), appends it to the prefix, clears the bins
// and advances the round. After round 3 the prefix is the key of the batch's kb-th largest pre-activation: thr[0];
// the inference threshold moves toward it, ema += ema_lr (value - ema), when the value is > 0 (ema_lr > 0).
// SAELens moves it toward the smallest positive activation kept: the same value whenever at least kb
// pre-activations are positive; with fewer, SAELens still moves and this kernel skips the step.
// Bindings: @0 wide (uniform), @1 hist (rw, [256] u32), @2 sel (rw, [4] u32: prefix, rank left, round),
//           @3 thr (rw, [B] u32), @4 ema (rw, [1] f32).
// Dispatch: one invocation. Twin: src/reference/wide.ts (rankValue; wideTrain's threshold).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read_write> hist: array<u32, 256>;
@group(0) @binding(2) var<storage, read_write> sel: array<u32>;
@group(0) @binding(3) var<storage, read_write> thr: array<u32>;
@group(0) @binding(4) var<storage, read_write> ema: array<f32>;

@compute @workgroup_size(1)
fn main() {
  let round = sel[2];
  let shift = 24u - 8u * round;
  var left = select(sel[1], wide.kb, round == 0u);
  let prefix = select(sel[0], 0u, round == 0u);
  var dg = 255u;
  loop {
    if (hist[dg] >= left || dg == 0u) { break; }
    left -= hist[dg];
    dg -= 1u;
  }
  for (var i = 0u; i < 256u; i++) { hist[i] = 0u; }
  let p = prefix | (dg << shift);
  sel[0] = p;
  sel[1] = left;
  sel[2] = (round + 1u) % 4u;
  if (round == 3u) {
    thr[0] = p;
    let v = key_value(p);
    if (wide.ema_lr > 0.0 && v > 0.0) { ema[0] += wide.ema_lr * (v - ema[0]); }
  }
}
