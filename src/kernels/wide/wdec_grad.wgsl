// wide wdec_grad: the penalty's gradient on the decoder rows, added to g_W_dec = f^T dr (the GEMM):
// g_W_dec,kj += lambda / B (sum_b f_bk) W_dec,kj / n_k (d n_k / d W_dec,kj = W_dec,kj / n_k; 0 for a zero row).
// Bindings: @0 wide (uniform), @1 w_dec (read, [s][d]), @2 norms (read, [s]), @3 fsum (read, [s]: sum_b f_bk),
//           @4 g_w_dec (rw, [s][d]).
// Dispatch: threads s * d, 64 per workgroup, 2-D grid of workgroups. Twin: src/reference/wide.ts (wideStep).
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> w_dec: array<f32>;
@group(0) @binding(2) var<storage, read> norms: array<f32>;
@group(0) @binding(3) var<storage, read> fsum: array<f32>;
@group(0) @binding(4) var<storage, read_write> g_w_dec: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.x + gid.y * nw.x * 64u;
  if (i >= wide.s * wide.d) { return; }
  let k = i / wide.d;
  let n = norms[k];
  // the L1 weighted by decoder norms (JumpReLU's L0 does not touch W_dec)
  if (n > 0.0 && wide.jump == 0u) {
    g_w_dec[i] += wide.lambda / f32(wide.B) * fsum[k] * w_dec[i] / n;
  }
}
