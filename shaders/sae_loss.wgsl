// sae_loss: per model, batch means of the per-sample loss terms; total = fvu + lambda * mean(sum w f) + ghost + aux
// (the cosine penalty). Marks the model diverged (status[m] = t) the first time total is not finite, and when
// t % log_every == 0 writes hist row (t / log_every) % hist_len: total, fvu, L1 term, sum f, ghost, cos, l0, t.
// Bindings: @0 cfg (uniform Config), @1 hyper (read, [M] Hyper), @2 state (read, u32 step),
//           @3 work (read, [M][B][REC]), @4 aux (read, [M]), @5 status (rw, [M] u32), @6 hist (rw, [hist_len][M][HIST_W]).
// Dispatch: (M, 1, 1), 64 threads striding over the batch then a tree reduction of 5 sums.
// Twin: src/reference/sae.ts (saeLoss).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> hyper: array<Hyper>;
@group(0) @binding(2) var<storage, read> state: array<u32>;
@group(0) @binding(3) var<storage, read> work: array<f32>;
@group(0) @binding(4) var<storage, read> aux: array<f32>;
@group(0) @binding(5) var<storage, read_write> status: array<u32>;
@group(0) @binding(6) var<storage, read_write> hist: array<f32>;

var<workgroup> red: array<f32, 320>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x;
  var acc: array<f32, 5>;
  for (var b = lid; b < cfg.B; b += 64u) {
    let w = (m * cfg.B + b) * REC + R_LOSS;
    for (var q = 0u; q < 5u; q++) { acc[q] += work[w + q]; }
  }
  for (var q = 0u; q < 5u; q++) { red[q * 64u + lid] = acc[q]; }
  // all partial sums written before the tree reduction reads them
  workgroupBarrier();
  for (var width = 32u; width > 0u; width >>= 1u) {
    if (lid < width) {
      for (var q = 0u; q < 5u; q++) { red[q * 64u + lid] += red[q * 64u + lid + width]; }
    }
    // the next level reads this level's sums
    workgroupBarrier();
  }
  if (lid != 0u) { return; }
  let t = state[0];
  let inv_b = 1.0 / f32(cfg.B);
  let fvu = red[0] * inv_b;
  let l1term = hyper[m].l1 * red[128] * inv_b;
  let ghost = red[192] * inv_b;
  let total = fvu + l1term + ghost + aux[m];
  if (!is_finite(total) && status[m] == NOT_DIVERGED) { status[m] = t; }
  if (t % cfg.log_every == 0u) {
    let r = (((t / cfg.log_every) % cfg.hist_len) * cfg.M + m) * HIST_W;
    hist[r + 0u] = total;
    hist[r + 1u] = fvu;
    hist[r + 2u] = l1term;
    hist[r + 3u] = red[64] * inv_b;
    hist[r + 4u] = ghost;
    hist[r + 5u] = aux[m];
    hist[r + 6u] = red[256] * inv_b;
    hist[r + 7u] = f32(t);
  }
}
