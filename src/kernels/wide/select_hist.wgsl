// wide select_hist: one round of BatchTopK's radix select over the batch's B s pre-activations: counts the keys
// (order_key) that share the digits chosen so far (sel[0], round sel[2]) by their next 8-bit digit, in a workgroup's
// bins first, then added to the global bins (select_resolve reads, chooses and clears them).
// Bindings: @0 wide (uniform), @1 pre (read, [B][s]), @2 hist (rw, [256] atomic u32), @3 sel (read, [4] u32:
//           prefix, rank left, round).
// Dispatch: threads up to B s, 64 per workgroup, each striding over the batch. Twin: src/reference/wide.ts (rankValue).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read_write> hist: array<atomic<u32>, 256>;
@group(0) @binding(3) var<storage, read> sel: array<u32>;

var<workgroup> local_hist: array<atomic<u32>, 256>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  for (var i = lid; i < 256u; i += 64u) { atomicStore(&local_hist[i], 0u); }
  // the bins are zero before any invocation counts
  workgroupBarrier();
  let round = sel[2];
  let prefix = sel[0];
  let shift = 24u - 8u * round;
  let n = wide.B * wide.s;
  let stride = nw.x * 64u;
  for (var i = gid.x; i < n; i += stride) {
    let v = order_key(pre[i]);
    if (round == 0u || (v >> (shift + 8u)) == (prefix >> (shift + 8u))) { atomicAdd(&local_hist[(v >> shift) & 255u], 1u); }
  }
  // every count is in before the workgroup adds its bins
  workgroupBarrier();
  for (var i = lid; i < 256u; i += 64u) {
    let c = atomicLoad(&local_hist[i]);
    if (c > 0u) { atomicAdd(&hist[i], c); }
  }
}
