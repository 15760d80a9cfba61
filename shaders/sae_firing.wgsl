// sae_firing: after the forward pass, per latent: since_fired <- 0 if f_k > 1e-6 on any sample of the
// batch, else since_fired + 1. Bindings: @0 cfg (uniform Config), @1 work (read, [M][B][REC]),
// @2 lat (rw, [M][S][3] u32). Dispatch: (S, M, 1), 64 threads striding over the batch + tree reduction.
// Twin: src/reference/sae.ts (saeFiring).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"
//#include "lib/sae_step.wgsl"

const RED_WG: u32 = 64u;
const RED_ROWS: u32 = 1u;
//#include "lib/reduce.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read> work: array<f32>;
@group(0) @binding(2) var<storage, read_write> lat: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let k = wid.x;
  let m = wid.y;
  var fired = 0.0;
  for (var b = lid; b < cfg.B; b += 64u) {
    if (work[(m * cfg.B + b) * REC + R_F + k] > 1e-6) { fired = 1.0; }
  }
  // counts of threads that saw a firing (small integers: exact in f32)
  let count = reduce_sum(lid, fired);
  if (lid == 0u) {
    let at = (m * S_LAT + k) * 3u + LAT_SINCE;
    lat[at] = since_update(lat[at], count > 0.0);
  }
}
