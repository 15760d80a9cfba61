// wide select_rows_serial: select_rows's thresholds, shaped for software adapters: one invocation per row, no
// workgroup memory, atomics or barriers (lavapipe pays for those). The key of the row's rank-th largest candidate is
// built bit by bit from the top: a bit stays set while at least rank candidates have keys at or above the prefix
// with it (32 passes over the row's s values, all in registers). Candidates, ranks and the rank-0 result
// (0xffffffff) as in select_rows.
// Bindings: @0 wide (uniform), @1 pre (read, [B][s]), @2 since (read, [s] u32), @3 aux_state (read, [4] u32),
//           @4 thr (rw, [B] u32).
// Dispatch: threads B, 64 per workgroup. Twin: src/reference/wide.ts (rankValue).
//#include "lib/wide.wgsl"

const DEAD_ONLY: bool = {{DEAD_ONLY}};

@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> since: array<u32>;
@group(0) @binding(3) var<storage, read> aux_state: array<u32>;
@group(0) @binding(4) var<storage, read_write> thr: array<u32>;

fn cand_key(b: u32, k: u32) -> u32 {
  let v = order_key(pre[b * wide.s + k]);
  if (DEAD_ONLY) { return select(0u, v, since[k] > wide.window); }
  return v;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  if (b >= wide.B) { return; }
  var rank = wide.k;
  if (DEAD_ONLY) { rank = aux_state[1]; }
  var t = 0u;
  for (var bit = 0u; bit < 32u; bit++) {
    let cand = t | (0x80000000u >> bit);
    var c = 0u;
    for (var k = 0u; k < wide.s; k++) { c += select(0u, 1u, cand_key(b, k) >= cand); }
    if (c >= rank) { t = cand; }
  }
  thr[b] = select(t, 0xffffffffu, rank == 0u);
}
