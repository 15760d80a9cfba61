// The CPU-shaped kernels' per-model sampling and BatchTopK threshold, shared by the training steps
// (kernels/sae_steps/cpu.wgsl) and the evaluation (kernels/sae_eval/cpu.wgsl): one invocation walks its
// model's samples serially, its toy weights in `tw` and its SAE in `wp` (lib/private_model.wgsl).
// Needs lib/sample.wgsl (sample_features), cfg and the layout constants.

// the toy model's weights (private for the whole chunk)
var<private> tw: array<f32, N_FEAT * D_HID>;

// sample b of step t through the toy model: h = W^T x
fn sample_h(seed: u32, t: u32, b: u32) -> array<f32, D_HID> {
  let x = sample_features(seed, t, b);
  var h: array<f32, D_HID>;
  for (var j = 0u; j < D_HID; j++) {
    var acc = 0.0;
    for (var i = 0u; i < N_FEAT; i++) { acc += tw[i * D_HID + j] * x[i]; }
    h[j] = acc;
  }
  return h;
}

// BatchTopK's threshold (twin: saeBatchTopkThreshold): the (topk B)-th largest max(pre, 0) of the step's batch, as
// the f32 bits of non-negative values order as u32. A radix select, 8 bits per pass from the top, recomputing the
// samples' pre-activations each pass (4 passes; no per-sample storage): each pass counts the values that share the
// bits chosen so far by their next 8 bits and keeps the digit where the rank still sought falls.
fn batch_threshold(seed: u32, t: u32) -> f32 {
  let pre_bias = select(0.0, 1.0, (cfg.flags & FLAG_PRE_BIAS) != 0u);
  var prefix = 0u;
  var need = cfg.topk * cfg.B;
  for (var round = 0u; round < 4u; round++) {
    let shift = 24u - 8u * round;
    var hist: array<u32, 256>;
    // explicit zeros: SwiftShader was seen to keep a loop body's arrays from the previous iteration
    for (var i = 0u; i < 256u; i++) { hist[i] = 0u; }
    for (var b = 0u; b < cfg.B; b++) {
      let h = sample_h(seed, t, b);
      for (var k = 0u; k < S_LAT; k++) {
        var acc = wp[OFF_BE + k];
        for (var j = 0u; j < D_HID; j++) { acc += wp[OFF_WE + k * D_HID + j] * (h[j] - pre_bias * wp[OFF_BD + j]); }
        let v = select(0u, bitcast<u32>(acc), acc > 0.0);
        if (round == 0u || (v >> (shift + 8u)) == (prefix >> (shift + 8u))) { hist[(v >> shift) & 255u] += 1u; }
      }
    }
    var d = 255u;
    loop {
      if (hist[d] >= need || d == 0u) { break; }
      need -= hist[d];
      d -= 1u;
    }
    prefix |= d << shift;
  }
  return bitcast<f32>(prefix);
}

