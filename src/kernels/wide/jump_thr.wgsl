// wide jump_thr: JumpReLU's thresholds as selection keys, thr_k = order_key(theta_k) + 1 with theta_k =
// exp(log_threshold_k), so act's "key >= thr" keeps exactly pre > theta (theta > 0: its key + 1 is the next float up).
// Bindings: @0 wide (uniform), @1 log_threshold (read, [s]), @2 thr (rw, [max(B, s)] u32).
// Dispatch: threads s, 64 per workgroup. Twin: src/reference/wide.ts (wideStep, select jumprelu).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> log_threshold: array<f32>;
@group(0) @binding(2) var<storage, read_write> thr: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  if (k >= wide.s) { return; }
  thr[k] = order_key(exp(log_threshold[k])) + 1u;
}
