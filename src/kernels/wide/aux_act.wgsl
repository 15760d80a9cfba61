// wide aux_act: AuxK's activations (SAELens TopK family), f's last block (nb - 1): a_bk = pre_bk on the row's min(k_aux,
// n_dead) largest pre-activations among the dead latents (since_k > window; key >= athr[b] from select_rows), else 0.
// The pre-activations pass unrectified, as in SAELens.
// Bindings: @0 wide (uniform), @1 pre (read, [B][s]), @2 since (read, [s] u32), @3 aux_state (read, [4] u32),
//           @4 athr (read, [B] u32), @5 f (rw, [R][s]).
// Dispatch: threads B * s, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> since: array<u32>;
@group(0) @binding(3) var<storage, read> aux_state: array<u32>;
@group(0) @binding(4) var<storage, read> athr: array<u32>;
@group(0) @binding(5) var<storage, read_write> f: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.B * wide.s) { return; }
  let k = i % wide.s;
  let p = pre[i];
  let on = aux_state[1] > 0u && since[k] > wide.window && order_key(p) >= athr[i / wide.s];
  f[(wide.nb - 1u) * wide.B * wide.s + i] = select(0.0, p, on);
}
