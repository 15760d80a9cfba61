// bench_fma: the adapter's peak f32 FMA throughput. Each thread runs ITERS iterations of 8 independent
// vec4 multiply-adds (64 flops per iteration) and writes one value so nothing is optimised away.
// Bindings: @0 out (rw, one f32 per thread). Dispatch: (groups, 1, 1) of 64 threads.
// Twin: src/bench/peak.ts (fmaReference); the benchmark checks a few outputs against it.

const ITERS: u32 = {{ITERS}}u;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let s = f32(gid.x) * 1e-7;
  var a0 = vec4<f32>(s, s + 1e-3, s + 2e-3, s + 3e-3);
  var a1 = a0 + 0.1; var a2 = a0 + 0.2; var a3 = a0 + 0.3;
  var a4 = a0 + 0.4; var a5 = a0 + 0.5; var a6 = a0 + 0.6; var a7 = a0 + 0.7;
  let m = vec4<f32>(0.999999);
  let c = vec4<f32>(1e-7);
  for (var i = 0u; i < ITERS; i++) {
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
  }
  let r = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
  out[gid.x] = r.x + r.y + r.z + r.w;
}
