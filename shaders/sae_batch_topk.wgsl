// sae_batch_topk: BatchTopK threshold per model (Bussmann et al. 2024): with K = topk * B, bthr[m] is the
// K-th largest of the batch's B*S activations v = max(pre, 0) (0 when at most K are positive);
// sae_forward then keeps v >= bthr[m] (and v > 0). Found exactly by a 31-step binary search over the
// float bit patterns (non-negative floats order like their u32 bits), counting with a workgroup sum.
// Bindings: @0 cfg (uniform Config), @1 acts (read, inputs h), @2 params (read, [M][P_SAE]), @3 bthr (rw, [M]).
// Dispatch: (M, 1, 1), 64 threads striding over the batch (pre-activations recomputed per search step).
// Twin: src/reference/sae.ts (saeBatchTopkThreshold).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> acts: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> bthr: array<f32>;

var<workgroup> cnt: array<u32, 64>;
var<workgroup> total: u32;

// number of activations of model m whose bit pattern is >= t
fn count_at_least(m: u32, lid: u32, t: u32) -> u32 {
  let p = m * P_SAE;
  let pre_bias = select(0.0, 1.0, (cfg.flags & FLAG_PRE_BIAS) != 0u);
  var c = 0u;
  for (var b = lid; b < cfg.B; b += 64u) {
    let a = (m * cfg.B + b) * cfg.act_stride + cfg.act_offset;
    for (var k = 0u; k < S_LAT; k++) {
      var s = params[p + OFF_BE + k];
      for (var j = 0u; j < D_HID; j++) { s += params[p + OFF_WE + k * D_HID + j] * (acts[a + j] - pre_bias * params[p + OFF_BD + j]); }
      if (bitcast<u32>(max(s, 0.0)) >= t) { c += 1u; }
    }
  }
  cnt[lid] = c;
  // all counts in place before the tree reads them
  workgroupBarrier();
  for (var width = 32u; width > 0u; width >>= 1u) {
    if (lid < width) { cnt[lid] += cnt[lid + width]; }
    // the next level reads this level's sums
    workgroupBarrier();
  }
  if (lid == 0u) { total = cnt[0]; }
  // a uniform copy of the sum for every thread
  return workgroupUniformLoad(&total);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x;
  let K = cfg.topk * cfg.B;
  // largest t with count(bits >= t) >= K; t = 0 always qualifies (every v >= 0)
  var lo = 0u;
  var hi = 0x7f800000u;
  for (var it = 0u; it < 31u; it++) {
    let mid = lo + (hi - lo + 1u) / 2u;
    let ok = count_at_least(m, lid, mid) >= K;
    lo = select(lo, mid, ok);
    hi = select(mid - 1u, hi, ok);
  }
  if (lid == 0u) { bthr[m] = bitcast<f32>(lo); }
}
