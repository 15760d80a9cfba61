// The GEMM unit of the wide SAE engine (llm.c's dev/cuda and gpu.cpp's matmul ladder): every version of
// the op C = op(A) op(B) (+ C) is one entry of GEMM_VERSIONS, as data: its WGSL file beside this module, the
// adapters it is shaped for, its dispatch grid, its defines, the check that judges it against the twin
// (src/reference/matmul.ts gemm) and a one-line summary. The wide SAE needs three layouts, with W_enc stored
// d x s and W_dec s x d as SAELens stores them: the encoder and decoder forward X W_enc and F W_dec (NN), the
// latent gradient dR W_dec^T (NT), and the weight gradients X^T dPre and F^T dR (TN). The kernel registry,
// the checks and `npm run bench` read this map; a new version is one WGSL file plus one entry here.
import type { BufferBinding } from '../../gpu/kernel';
import type { GpuContext } from '../../gpu/context';
import type { Grid } from '../../gpu/kernel';
import type { Defines } from '../defines';

/** C (M x N) = op(A) (M x K) op(B) (K x N); ta: A is stored K x M; tb: B is stored N x K. */
export interface GemmShape {
  M: number;
  K: number;
  N: number;
  ta: boolean;
  tb: boolean;
}

export interface GemmVersion {
  readonly name: string;
  readonly file: string;
  readonly summary: string;
  /** the adapters it is shaped for ('any': the baseline) */
  readonly shapedFor: 'software' | 'gpu' | 'any';
  grid(s: Pick<GemmShape, 'M' | 'N'>): Grid;
  /** defines beyond TA / TB */
  readonly defines: Defines;
  readonly check: string;
  /** run C^T = op(B)^T op(A)^T instead (C written transposed) at this shape: a shape its tiles fit badly */
  swap?(s: Pick<GemmShape, 'M' | 'N'>): boolean;
}

const ceil = (a: number, b: number) => Math.ceil(a / b);

export const GEMM_VERSIONS: Readonly<Record<string, GemmVersion>> = {
  naive: {
    name: 'naive',
    file: 'kernels/gemm/naive.wgsl',
    summary: 'one invocation per output, K straight from storage (the baseline)',
    shapedFor: 'any',
    grid: (s) => ({ threads: [s.N, s.M, 1] }),
    defines: {},
    check: 'gemm naive',
  },
  tiled: {
    name: 'tiled',
    file: 'kernels/gemm/tiled.wgsl',
    summary: '16 x 16 tiles of A and B in workgroup memory, one output per invocation',
    shapedFor: 'gpu',
    grid: (s) => ({ groups: [ceil(s.N, 16), ceil(s.M, 16), 1] }),
    defines: {},
    check: 'gemm tiled',
  },
  blocked: {
    name: 'blocked',
    file: 'kernels/gemm/blocked.wgsl',
    summary: '64 x 64 blocks per workgroup, 4 x 4 outputs per invocation in vec4 registers, 16-deep slices in workgroup memory',
    shapedFor: 'gpu',
    grid: (s) => ({ groups: [ceil(s.N, 64), ceil(s.M, 64), 1] }),
    defines: {},
    check: 'gemm blocked',
  },
  lanes: {
    name: 'lanes',
    file: 'kernels/gemm/lanes.wgsl',
    summary: '8 rows shared by a workgroup x 4 columns per lane in private accumulators, no workgroup memory',
    shapedFor: 'software',
    // lanes.wgsl's TM = 8 rows x (64 lanes x TN = 4) columns per workgroup
    grid: (s) => ({ groups: [ceil(s.N, 256), ceil(s.M, 8), 1] }),
    defines: { UNROLL: 1 },
    check: 'gemm lanes',
    // a workgroup spans 256 columns: with fewer, most lanes would idle on the clamped edge path (the decoder
    // forward f W_dec at d = 64: 52 ms against 17 ms for the same flops with 256 columns, lavapipe)
    swap: (s) => s.N < 256 && s.M > s.N,
  },
};

export const GEMM_NAMES = Object.keys(GEMM_VERSIONS);

export function gemmVersion(name: string): GemmVersion {
  const v = GEMM_VERSIONS[name];
  if (!v) throw new Error(`unknown GEMM version '${name}' (known: ${GEMM_NAMES.join(', ')})`);
  return v;
}

export function gemmDefines(v: GemmVersion, s: Pick<GemmShape, 'ta' | 'tb'>, tc = false): Defines {
  return { ...v.defines, TA: s.ta ? 'true' : 'false', TB: s.tb ? 'true' : 'false', TC: tc ? 'true' : 'false' };
}

export function layoutName(s: Pick<GemmShape, 'ta' | 'tb'>): string {
  return `${s.ta ? 'T' : 'N'}${s.tb ? 'T' : 'N'}`;
}

function checkShape(s: GemmShape): void {
  for (const k of ['M', 'K', 'N'] as const) {
    const v = s[k];
    if (!Number.isInteger(v) || v < 1) throw new Error(`gemm: ${k} must be a positive integer, got ${v}`);
  }
}

/** Record C = op(A) op(B) (+ C when accumulate) for buffers already on the GPU; the caller submits. */
export async function encodeGemm(
  ctx: GpuContext,
  version: string,
  s: GemmShape,
  bufs: { a: BufferBinding; b: BufferBinding; c: BufferBinding },
  accumulate = false,
): Promise<{ encode: (pass: GPUComputePassEncoder) => void; destroy: () => void }> {
  checkShape(s);
  const v = gemmVersion(version);
  // the transposed problem where the version asks for it: C^T (N x M) = op(B)^T op(A)^T, the operands' roles swapped
  const swap = v.swap?.(s) ?? false;
  const run = swap ? { M: s.N, K: s.K, N: s.M, ta: !s.tb, tb: !s.ta } : s;
  const k = await ctx.kernel(v.file, { defines: gemmDefines(v, run, swap) });
  const params = ctx.uniform(`gemm ${v.name} params`, k.packStruct('params', { M: run.M, K: run.K, N: run.N, accumulate: accumulate ? 1 : 0 }));
  const groups = k.bind(
    { params, a: swap ? bufs.b : bufs.a, b: swap ? bufs.a : bufs.b, c: bufs.c },
    { a: run.M * run.K * 4, b: run.K * run.N * 4, c: run.M * run.N * 4 },
  );
  const grid = k.grid(v.grid(run));
  return { encode: (pass) => k.dispatch(pass, groups, ...grid), destroy: () => params.destroy() };
}

/** One GEMM on host arrays: upload, run, read back (checks and tests). `c0` is C before an accumulating call. */
export async function gpuGemm(ctx: GpuContext, version: string, s: GemmShape, a: Float32Array, b: Float32Array, c0?: Float32Array): Promise<Float32Array> {
  checkShape(s);
  if (a.length !== s.M * s.K) throw new Error(`gemm: A has ${a.length} values, ${s.M} x ${s.K} needs ${s.M * s.K}`);
  if (b.length !== s.K * s.N) throw new Error(`gemm: B has ${b.length} values, ${s.K} x ${s.N} needs ${s.K * s.N}`);
  const ab = ctx.upload('gemm a', a),
    bb = ctx.upload('gemm b', b);
  const cb = c0 ? ctx.upload('gemm c', c0) : ctx.createBuffer('gemm c', s.M * s.N * 4);
  const op = await encodeGemm(ctx, version, s, { a: ab, b: bb, c: cb }, c0 !== undefined);
  await ctx.run(`gemm ${version}`, (pass) => op.encode(pass));
  const out = await ctx.readF32(cb, s.M * s.N);
  op.destroy();
  [ab, bb, cb].forEach((x) => x.destroy());
  return out;
}
