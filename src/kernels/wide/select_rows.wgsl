// wide select_rows: each row's selection threshold, the key of its rank-th largest candidate pre-activation:
// TopK (DEAD_ONLY false): rank k over all s latents; AuxK (DEAD_ONLY true): rank aux_state[1] = min(k_aux, n_dead)
// over the dead latents (since_k > window; the others take the lowest key). A radix select on order_key, 8 bits a
// round from the top: each round counts the candidates that share the digits chosen so far by their next digit and
// keeps the digit where the rank still sought falls. Rank 0 (no dead latents) gives 0xffffffff.
// Bindings: @0 wide (uniform), @1 pre (read, [B][s]), @2 since (read, [s] u32), @3 aux_state (read, [4] u32:
//           n_dead, AuxK's rank, its scale's bits), @4 thr (rw, [B] u32).
// Dispatch: one 64-invocation workgroup per row, 2-D grid of B workgroups. Twin: src/reference/wide.ts (rankValue).
//#include "lib/wide.wgsl"

const DEAD_ONLY: bool = {{DEAD_ONLY}};

@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> since: array<u32>;
@group(0) @binding(3) var<storage, read> aux_state: array<u32>;
@group(0) @binding(4) var<storage, read_write> thr: array<u32>;

var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> chosen: vec2<u32>;

fn cand_key(b: u32, k: u32) -> u32 {
  let v = order_key(pre[b * wide.s + k]);
  if (DEAD_ONLY) { return select(0u, v, since[k] > wide.window); }
  return v;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x + wid.y * nw.x;
  if (b >= wide.B) { return; }
  var rank = wide.k;
  if (DEAD_ONLY) { rank = aux_state[1]; }
  var prefix = 0u;
  var need = rank;
  for (var round = 0u; round < 4u; round++) {
    let shift = 24u - 8u * round;
    for (var i = lid; i < 256u; i += 64u) { atomicStore(&hist[i], 0u); }
    // the bins are zero before any invocation counts
    workgroupBarrier();
    for (var k = lid; k < wide.s; k += 64u) {
      let v = cand_key(b, k);
      if (round == 0u || (v >> (shift + 8u)) == (prefix >> (shift + 8u))) { atomicAdd(&hist[(v >> shift) & 255u], 1u); }
    }
    // every count is in before the walk
    workgroupBarrier();
    if (lid == 0u) {
      var dg = 255u;
      var left = need;
      loop {
        let h = atomicLoad(&hist[dg]);
        if (h >= left || dg == 0u) { break; }
        left -= h;
        dg -= 1u;
      }
      chosen = vec2<u32>(prefix | (dg << shift), left);
    }
    // (a barrier) every invocation continues with the digit chosen
    let c = workgroupUniformLoad(&chosen);
    prefix = c.x;
    need = c.y;
  }
  if (lid == 0u) { thr[b] = select(prefix, 0xffffffffu, rank == 0u); }
}
