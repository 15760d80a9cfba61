// wide jump_grad: JumpReLU's straight-through gradient at its log thresholds (SAELens's JumpReLU and Step
// backward, rectangle kernel K = [|pre - theta| < bw / 2]):
//   g_k = sum_b K_bk theta_k (-(theta_k / bw) df_bk - lambda / (bw B)),  theta_k = exp(log_threshold_k),
// with df_bk = dL/df_bk summed over the reconstruction blocks holding k (the GEMM's df, before dpre gates it).
// Bindings: @0 wide (uniform), @1 pre (read, [B][s]), @2 log_threshold (read, [s]), @3 df (read, [R][s]),
//           @4 blocks (read, [nb] RowBlock), @5 g_log_threshold (rw, [s]).
// Dispatch: threads s, 64 per workgroup (one invocation walks its latent's column). Twin: src/reference/wide.ts.
//#include "lib/wide.wgsl"

@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> log_threshold: array<f32>;
@group(0) @binding(3) var<storage, read> df: array<f32>;
@group(0) @binding(4) var<storage, read> blocks: array<RowBlock>;
@group(0) @binding(5) var<storage, read_write> g_log_threshold: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  if (k >= wide.s) { return; }
  let theta = exp(log_threshold[k]);
  let n = wide.B * wide.s;
  var acc = 0.0;
  for (var b = 0u; b < wide.B; b++) {
    let i = b * wide.s + k;
    if (abs(pre[i] - theta) < 0.5 * wide.bw) {
      var d = 0.0;
      for (var q = 0u; q < wide.nb; q++) {
        if (blocks[q].kind == 0u && k < blocks[q].end) { d += df[q * n + i]; }
      }
      acc += theta * (-(theta / wide.bw) * d - wide.lambda / (wide.bw * f32(wide.B)));
    }
  }
  g_log_threshold[k] = acc;
}
