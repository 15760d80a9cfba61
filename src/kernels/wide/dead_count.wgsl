// wide dead_count: AuxK's state for this step from the steps since each latent last fired: n_dead = #{k : since_k >
// window}, its rank min(k_aux, n_dead) and its scale aux min(n_dead / k_aux, 1) (SAELens: the loss shrinks while few
// latents are dead).
// Bindings: @0 wide (uniform), @1 since (read, [s] u32), @2 aux_state (rw, [4] u32: n_dead, rank, scale's bits).
// Dispatch: one workgroup of 64 invocations striding over the latents. Twin: src/reference/wide.ts (auxkScale).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> since: array<u32>;
@group(0) @binding(2) var<storage, read_write> aux_state: array<u32>;

var<workgroup> counts: array<u32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
  var c = 0u;
  for (var k = lid; k < wide.s; k += 64u) { c += select(0u, 1u, since[k] > wide.window); }
  counts[lid] = c;
  // all counts in place before the tree reads them
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid < w) { counts[lid] += counts[lid + w]; }
    // the next level reads this level's sums
    workgroupBarrier();
  }
  if (lid == 0u) {
    let n = counts[0];
    aux_state[0] = n;
    aux_state[1] = min(wide.k_aux, n);
    aux_state[2] = bitcast<u32>(wide.aux * min(f32(n) / f32(wide.k_aux), 1.0));
  }
}
