// wide detector: SAELens's per-latent detection counts, accumulated over evaluation batches: latent k "fires"
// (f_bk > 0) against "its best-matching true feature is present" (a_b,best_k > 0); counts[k] += [tp, fp, fn]
// (tn = rows - tp - fp - fn). Precision, recall and F1 follow on the host (src/metrics/synth.ts DetectorCounts).
// Bindings: @0 shape (uniform {B, s, n}), @1 f (read, [B][s]), @2 acts (read, [B][n]: the rows' true feature
//           activations), @3 best (read, [s] u32), @4 counts (rw, [s][3] u32).
// Dispatch: threads s, 64 per workgroup (one invocation walks its latent's column). Twin: DetectorCounts.add.

struct Shape {
  B: u32,
  s: u32,
  n: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read> acts: array<f32>;
@group(0) @binding(3) var<storage, read> best: array<u32>;
@group(0) @binding(4) var<storage, read_write> counts: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  if (k >= shape.s) { return; }
  let j = best[k];
  var tp = 0u;
  var fp = 0u;
  var fn_ = 0u;
  for (var b = 0u; b < shape.B; b++) {
    let fires = f[b * shape.s + k] > 0.0;
    let present = acts[b * shape.n + j] > 0.0;
    tp += select(0u, 1u, fires && present);
    fp += select(0u, 1u, fires && !present);
    fn_ += select(0u, 1u, present && !fires);
  }
  counts[k * 3u] += tp;
  counts[k * 3u + 1u] += fp;
  counts[k * 3u + 2u] += fn_;
}
