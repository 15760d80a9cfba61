// Host wrappers of the foundation kernels: shapes checked, buffers bound by name, one submit.
import type { GpuContext } from './context';

export async function gpuRngFill(
  ctx: GpuContext,
  p: { seed: number; stream: number; step: number; rows: number; cols: number },
): Promise<{ u32: Uint32Array; unit: Float32Array }> {
  const k = await ctx.kernel('rng_fill.wgsl');
  const n = p.rows * p.cols;
  const params = ctx.uniform('rng params', k.packStruct('params', p));
  const outU = ctx.createBuffer('rng out_u32', n * 4);
  const outF = ctx.createBuffer('rng out_unit', n * 4);
  const groups = k.bind({ params, out_u32: outU, out_unit: outF }, { out_u32: n * 4, out_unit: n * 4 });
  await ctx.run('rng_fill', (pass) => k.dispatch(pass, groups, k.groupsFor(n)));
  const [u, f] = await ctx.readback([outU, outF], [n * 4, n * 4]);
  [params, outU, outF].forEach((b) => b.destroy());
  return { u32: new Uint32Array(u), unit: new Float32Array(f) };
}

export interface MatmulShape {
  M: number;
  R: number;
  K: number;
  N: number;
}

/** Encode C[m] = A[m] B[m] for buffers already on the GPU (no submit). */
export async function encodeMatmulBatched(ctx: GpuContext, s: MatmulShape, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer) {
  for (const [k, v] of Object.entries(s)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`matmul_batched: ${k} must be a positive integer, got ${v}`);
  }
  const k = await ctx.kernel('matmul_batched.wgsl');
  const params = ctx.uniform('matmul params', k.packStruct('params', { ...s }));
  const groups = k.bind({ params, a, b, c }, { a: s.M * s.R * s.K * 4, b: s.M * s.K * s.N * 4, c: s.M * s.R * s.N * 4 });
  return {
    params,
    encode: (pass: GPUComputePassEncoder) => k.dispatch(pass, groups, ...k.grid({ threads: [s.N, s.R, s.M] })),
  };
}

export async function gpuMatmulBatched(ctx: GpuContext, s: MatmulShape, a: Float32Array, b: Float32Array): Promise<Float32Array> {
  const ab = ctx.upload('matmul a', a),
    bb = ctx.upload('matmul b', b);
  const cb = ctx.createBuffer('matmul c', s.M * s.R * s.N * 4);
  const op = await encodeMatmulBatched(ctx, s, ab, bb, cb);
  await ctx.run('matmul_batched', (pass) => op.encode(pass));
  const out = await ctx.readF32(cb, s.M * s.R * s.N);
  [ab, bb, cb, op.params].forEach((x) => x.destroy());
  return out;
}
