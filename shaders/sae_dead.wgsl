// sae_dead: dead-latent bookkeeping before the forward pass (ghost grads, docs/science.md §3):
//   dead_k = since_fired_k > dead_after; cooldown_k = ghost_cooldown while dead, else counts down to 0.
// Without FLAG_GHOST or FLAG_AUXK nothing is marked dead (lib/sae_step.wgsl). Bindings: @0 cfg (uniform Config), @1 lat (rw, [M][S][3] u32).
// Dispatch: (ceil(M*S / 64), 1, 1). Twin: src/reference/sae.ts (saeDead).
//#include "lib/common.wgsl"
//#include "lib/sae_layout.wgsl"
//#include "lib/sae_step.wgsl"

@group(0) @binding(0) var<uniform> cfg: Config;
@group(0) @binding(1) var<storage, read_write> lat: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= cfg.M * S_LAT) { return; }
  let at = i * 3u;
  let d = dead_update(lat[at + LAT_SINCE], lat[at + LAT_COOL]);
  lat[at + LAT_DEAD] = select(0u, 1u, d.dead);
  lat[at + LAT_COOL] = d.cool;
}
