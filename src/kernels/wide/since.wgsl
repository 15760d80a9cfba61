// wide since: the steps since each latent last fired, after this step's forward pass: since_k = 0 where sum_b f_bk > 0,
// else since_k + 1 (SAELens's n_forward_passes_since_fired; AuxK's dead latents are those past the window).
// Bindings: @0 wide (uniform), @1 fsum (read, [s]), @2 since (rw, [s] u32).
// Dispatch: threads s, 64 per workgroup. Twin: src/reference/wide.ts (wideTrain).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> fsum: array<f32>;
@group(0) @binding(2) var<storage, read_write> since: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  if (k >= wide.s) { return; }
  since[k] = select(since[k] + 1u, 0u, fsum[k] > 0.0);
}
