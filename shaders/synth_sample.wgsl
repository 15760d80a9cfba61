// synth_sample: SynthSAEBench's feature activations for one batch (docs/science.md §10), one thread per sample.
// Twin: src/data/synth.ts (sampleSynth), draw for draw: the same counters of the kit's RNG (stream 7), so only f32
// rounding differs. Per sample b of batch `batch` (row = batch B + b):
//   eps_r = N(0,1) (r < rank);  feature i fires when sqrt(diag_i) N(0,1) + sum_r F_ir eps_r > threshold_i
//   (rank 0: when U < p_i); a firing feature's value is max(0, mean_i + std_i N(0,1)), else 0;
//   then level by level: a child keeps its value only while its parent's is positive (times parent / mean_parent
//   where rescaled), and of the active children of a mutually exclusive group with an active parent one survives,
//   the floor(u k)-th of the k active in index order (u: 24 random bits; integer arithmetic, exact as in the twin).
// N(0,1): Box-Muller on two draws (columns 2c and 2c + 1).
// Bindings: @0 sp (read, u32: features N, rank, B, batch, seed, levels, groups), @1 feat (read, [N][8] f32: p, mean,
//   std, threshold, diag, parent (i32 bits, -1: none), level (u32 bits), rescale (0/1)), @2 factor (read, [N][rank]),
//   @3 groups (read, [G][3] u32: parent, first child, children; a group's children are consecutive), @4 out (rw, [B][N]).
// Dispatch: (ceil(B / 64), 1, 1). The correlation rank is the compile-time RANK (sp[1] holds it too; synthDefines, src/data/synth.ts,
// allows at most 64); with UNROLL the copula's loops unroll and eps stays in registers (a private array indexed per lane by a
// runtime r had cost 60 of 90 ms per 1,024 x 1,024 batch on lavapipe).
//#include "lib/rng.wgsl"

const RANK: u32 = {{RANK}}u;
const STREAM: u32 = 7u;

@group(0) @binding(0) var<storage, read> sp: array<u32>;
@group(0) @binding(1) var<storage, read> feat: array<f32>;
@group(0) @binding(2) var<storage, read> factor: array<f32>;
@group(0) @binding(3) var<storage, read> groups: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

fn normal(seed: u32, a: u32, b: u32, c: u32) -> f32 {
  let u1 = rng_unit(seed, STREAM, a, b, 2u * c);
  let u2 = rng_unit(seed, STREAM, a, b, 2u * c + 1u);
  // cos(2 pi u2) as -cos(pi (2 u2 - 1)): the same value, with the argument in [-pi, pi) where WGSL bounds cos's error
  return -sqrt(-2.0 * log(1.0 - u1)) * cos(3.141592653589793 * (2.0 * u2 - 1.0));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let N = sp[0];
  let B = sp[2];
  let seed = sp[4];
  let b = gid.x;
  if (b >= B) { return; }
  let row = sp[3] * B + b;
  let o = b * N;
  var eps: array<f32, {{RANK_SLOTS}}>;
  for (var r = 0u; r < RANK; r++) { eps[r] = normal(seed, 5u, row, r); }
  for (var i = 0u; i < N; i++) {
    var fires: bool;
    if (RANK > 0u) {
      var g = sqrt(feat[i * 8u + 4u]) * normal(seed, 6u, row, i);
      for (var r = 0u; r < RANK; r++) { g += factor[i * RANK + r] * eps[r]; }
      fires = g > feat[i * 8u + 3u];
    } else {
      fires = rng_unit(seed, STREAM, 6u, row, 2u * i) < feat[i * 8u];
    }
    var v = 0.0;
    if (fires) { v = max(0.0, feat[i * 8u + 1u] + feat[i * 8u + 2u] * normal(seed, 7u, row, i)); }
    out[o + i] = v;
  }
  for (var L = 0u; L < sp[5]; L++) {
    for (var i = 0u; i < N; i++) {
      let q = bitcast<i32>(feat[i * 8u + 5u]);
      if (bitcast<u32>(feat[i * 8u + 6u]) != L || q < 0) { continue; }
      let pv = out[o + u32(q)];
      var v = 0.0;
      if (pv > 0.0) {
        v = out[o + i];
        if (feat[i * 8u + 7u] != 0.0) { v = v * pv / feat[u32(q) * 8u + 1u]; }
      }
      out[o + i] = v;
    }
    for (var gi = 0u; gi < sp[6]; gi++) {
      let q = groups[gi * 3u];
      if (bitcast<u32>(feat[q * 8u + 6u]) != L || !(out[o + q] > 0.0)) { continue; }
      let c0 = groups[gi * 3u + 1u];
      let cn = groups[gi * 3u + 2u];
      var k = 0u;
      for (var c = c0; c < c0 + cn; c++) { if (out[o + c] > 0.0) { k += 1u; } }
      if (k < 2u) { continue; }
      let win = ((rng_u32(seed, STREAM, 8u, row, q) >> 8u) * k) >> 24u;
      var seen = 0u;
      for (var c = c0; c < c0 + cn; c++) {
        if (out[o + c] > 0.0) {
          if (seen != win) { out[o + c] = 0.0; }
          seen += 1u;
        }
      }
    }
  }
}
