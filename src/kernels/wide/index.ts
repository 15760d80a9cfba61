// The wide SAE engine's step as a kernel unit: one SAE of width s on d-dimensional rows (SynthSAEBench's shapes:
// d = 768, s = 4,096), its dense products through the GEMM unit (src/kernels/gemm, any version), its element-wise
// and row/column parts in the small kernels beside this module. One step, for a ReLU SAE in SAELens's layout and
// loss (twin: src/reference/wide.ts wideStep):
//   rownorm -> center -> GEMM pre = x_c W_enc (NN) -> act -> GEMM r = f W_dec (NN) -> residual -> rowloss
//   -> colsum g_b_dec = sum_b dr -> colsum fsum = sum_b f -> GEMM g_W_dec = f^T dr (TN) -> wdec_grad
//   -> GEMM df = dr W_dec^T (NT) -> dpre -> colsum g_b_enc = sum_b dpre -> GEMM g_W_enc = x_c^T dpre (TN) -> bdec_grad
// The optimiser, the other variants and the data generator join it next (docs/architecture.md).
import type { GpuContext } from '../../gpu/context';
import type { Grid, Kernel } from '../../gpu/kernel';
import { encodeGemm } from '../gemm';
import type { JobShape } from '../registry';

export interface WideShape {
  B: number;
  d: number;
  s: number;
}

/** The element-wise and row/column kernels of the step: file, what one invocation covers, for the registry. */
export const WIDE_KERNELS: { file: string; summary: string; grid: (s: JobShape) => Grid }[] = [
  { file: 'kernels/wide/rownorm.wgsl', summary: "the decoder rows' norms", grid: (s) => ({ threads: s.S }) },
  { file: 'kernels/wide/center.wgsl', summary: 'x_c = x - b_dec', grid: (s) => ({ threads: s.B * s.D }) },
  { file: 'kernels/wide/act.wgsl', summary: 'pre += b_enc, f = ReLU(pre)', grid: (s) => ({ threads: s.B * s.S }) },
  { file: 'kernels/wide/residual.wgsl', summary: 'e = f W_dec + b_dec - x, dr = 2 e / B', grid: (s) => ({ threads: s.B * s.D }) },
  { file: 'kernels/wide/rowloss.wgsl', summary: 'per-row squared error, weighted L1 and L0', grid: (s) => ({ threads: s.B }) },
  { file: 'kernels/wide/colsum.wgsl', summary: 'column sums (bias gradients, activation mass)', grid: (s) => ({ threads: s.S }) },
  { file: 'kernels/wide/wdec_grad.wgsl', summary: "the penalty's gradient on W_dec through the row norms", grid: (s) => ({ threads: s.S * s.D }) },
  { file: 'kernels/wide/dpre.wgsl', summary: 'dpre = [f > 0] (df + lambda n_k / B)', grid: (s) => ({ threads: s.B * s.S }) },
  { file: 'kernels/wide/bdec_grad.wgsl', summary: "b_dec's gradient through the encoder's input", grid: (s) => ({ threads: s.D }) },
  { file: 'kernels/wide/add_bias.wgsl', summary: "the synthetic rows' bias, x += b (src/data/synth-source.ts)", grid: (s) => ({ threads: s.B * s.D }) },
  { file: 'kernels/wide/adam.wgsl', summary: 'Adam on one parameter block (the trainer, src/train/wide.ts)', grid: (s) => ({ threads: s.S * s.D }) },
];

/** A 1-D count of invocations as a 2-D grid of 64-wide workgroups (a dimension holds at most 65,535 workgroups):
 * the kernels index i = gid.x + gid.y * num_workgroups.x * 64 and return past n. */
export function grid2d(n: number, maxPerDim = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / 64));
  const x = Math.min(groups, maxPerDim);
  return [x, Math.ceil(groups / x), 1];
}

/** The step's buffers: parameters, the batch, work and gradients (sizes in floats in WIDE_BUFFERS). */
export interface WideBuffers {
  x: GPUBuffer;
  w_enc: GPUBuffer;
  b_enc: GPUBuffer;
  w_dec: GPUBuffer;
  b_dec: GPUBuffer;
  xc: GPUBuffer;
  pre: GPUBuffer;
  f: GPUBuffer;
  r: GPUBuffer;
  dr: GPUBuffer;
  dpre: GPUBuffer;
  norms: GPUBuffer;
  fsum: GPUBuffer;
  rows: GPUBuffer;
  g_w_enc: GPUBuffer;
  g_b_enc: GPUBuffer;
  g_w_dec: GPUBuffer;
  g_b_dec: GPUBuffer;
}

export function wideBufferFloats(sh: WideShape): Record<keyof WideBuffers, number> {
  const { B, d, s } = sh;
  return {
    x: B * d,
    w_enc: d * s,
    b_enc: s,
    w_dec: s * d,
    b_dec: d,
    xc: B * d,
    pre: B * s,
    f: B * s,
    r: B * d,
    dr: B * d,
    dpre: B * s,
    norms: s,
    fsum: s,
    rows: B * 3,
    g_w_enc: d * s,
    g_b_enc: s,
    g_w_dec: s * d,
    g_b_dec: d,
  };
}

/** Record one forward and backward pass of the wide SAE (no submit); `gemm` names the GEMM version. */
export async function encodeWideStep(
  ctx: GpuContext,
  gemm: string,
  sh: WideShape,
  bufs: WideBuffers,
  lambda: number,
): Promise<{ encode: (pass: GPUComputePassEncoder) => void; ops: { name: string; encode: (pass: GPUComputePassEncoder) => void }[]; destroy: () => void }> {
  for (const k of ['B', 'd', 's'] as const)
    if (!Number.isInteger(sh[k]) || sh[k] < 1) throw new Error(`wide SAE step: ${k} must be a positive integer, got ${sh[k]}`);
  const { B, d, s } = sh;
  const owned: { destroy: () => void }[] = [];
  const k = async (name: string) => ctx.kernel(`kernels/wide/${name}.wgsl`);
  const rownorm = await k('rownorm');
  const wideU = ctx.uniform('wide params', rownorm.packStruct('wide', { B, d, s, lambda }));
  owned.push(wideU);
  const steps: { name: string; encode: (pass: GPUComputePassEncoder) => void }[] = [];
  const add = (kern: Kernel, res: Record<string, GPUBuffer>, n: number, flat = false) => {
    const groups = kern.bindPool({ wide: wideU, ...res });
    const g = flat ? kern.grid({ threads: n }) : grid2d(n, ctx.device.limits.maxComputeWorkgroupsPerDimension);
    steps.push({ name: kern.name, encode: (pass) => kern.dispatch(pass, groups, ...g) });
  };
  const gemmOp = async (shape: { M: number; K: number; N: number; ta: boolean; tb: boolean }, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer) => {
    const op = await encodeGemm(ctx, gemm, shape, { a, b, c });
    owned.push(op);
    steps.push({ name: `gemm ${gemm} ${shape.ta ? 'T' : 'N'}${shape.tb ? 'T' : 'N'} ${shape.M}x${shape.K}x${shape.N}`, encode: op.encode });
  };
  const colsum = await k('colsum');
  const colsumOp = (rows: number, cols: number, a: GPUBuffer, out: GPUBuffer) => {
    const u = ctx.uniform('wide colsum shape', colsum.packStruct('shape', { rows, cols }));
    owned.push(u);
    const groups = colsum.bindPool({ shape: u, a, out });
    const g = colsum.grid({ threads: cols });
    steps.push({ name: `colsum ${rows}x${cols}`, encode: (pass) => colsum.dispatch(pass, groups, ...g) });
  };
  add(rownorm, { w_dec: bufs.w_dec, norms: bufs.norms }, s, true);
  add(await k('center'), { x: bufs.x, b_dec: bufs.b_dec, xc: bufs.xc }, B * d);
  await gemmOp({ M: B, K: d, N: s, ta: false, tb: false }, bufs.xc, bufs.w_enc, bufs.pre);
  add(await k('act'), { b_enc: bufs.b_enc, pre: bufs.pre, f: bufs.f }, B * s);
  await gemmOp({ M: B, K: s, N: d, ta: false, tb: false }, bufs.f, bufs.w_dec, bufs.r);
  add(await k('residual'), { x: bufs.x, b_dec: bufs.b_dec, r: bufs.r, dr: bufs.dr }, B * d);
  add(await k('rowloss'), { e: bufs.r, f: bufs.f, norms: bufs.norms, rows: bufs.rows }, B, true);
  colsumOp(B, d, bufs.dr, bufs.g_b_dec);
  colsumOp(B, s, bufs.f, bufs.fsum);
  await gemmOp({ M: s, K: B, N: d, ta: true, tb: false }, bufs.f, bufs.dr, bufs.g_w_dec);
  add(await k('wdec_grad'), { w_dec: bufs.w_dec, norms: bufs.norms, fsum: bufs.fsum, g_w_dec: bufs.g_w_dec }, s * d);
  await gemmOp({ M: B, K: d, N: s, ta: false, tb: true }, bufs.dr, bufs.w_dec, bufs.dpre);
  add(await k('dpre'), { f: bufs.f, norms: bufs.norms, dpre: bufs.dpre }, B * s);
  colsumOp(B, s, bufs.dpre, bufs.g_b_enc);
  await gemmOp({ M: d, K: B, N: s, ta: true, tb: false }, bufs.xc, bufs.dpre, bufs.g_w_enc);
  add(await k('bdec_grad'), { w_enc: bufs.w_enc, g_b_enc: bufs.g_b_enc, g_b_dec: bufs.g_b_dec }, d, true);
  return { encode: (pass) => steps.forEach((st) => st.encode(pass)), ops: steps, destroy: () => owned.forEach((o) => o.destroy()) };
}

/** One step on host arrays (checks): upload, run, read back the loss rows and the gradients. */
export async function gpuWideStep(
  ctx: GpuContext,
  gemm: string,
  sh: WideShape,
  p: { w_enc: Float32Array; b_enc: Float32Array; w_dec: Float32Array; b_dec: Float32Array },
  x: Float32Array,
  lambda: number,
): Promise<{ rows: Float32Array; g_w_enc: Float32Array; g_b_enc: Float32Array; g_w_dec: Float32Array; g_b_dec: Float32Array }> {
  const sizes = wideBufferFloats(sh);
  const given: Partial<Record<keyof WideBuffers, Float32Array>> = { x, ...p };
  const bufs = {} as WideBuffers;
  for (const [name, n] of Object.entries(sizes) as [keyof WideBuffers, number][]) {
    const data = given[name];
    if (data && data.length !== n) throw new Error(`wide SAE step: ${name} has ${data.length} values, ${n} expected`);
    bufs[name] = data ? ctx.upload(`wide ${name}`, data) : ctx.createBuffer(`wide ${name}`, n * 4);
  }
  try {
    const op = await encodeWideStep(ctx, gemm, sh, bufs, lambda);
    await ctx.run('wide SAE step', (pass) => op.encode(pass));
    op.destroy();
    const names = ['rows', 'g_w_enc', 'g_b_enc', 'g_w_dec', 'g_b_dec'] as const;
    const out = await ctx.readback(
      names.map((n) => bufs[n]),
      names.map((n) => sizes[n] * 4),
    );
    return Object.fromEntries(names.map((n, i) => [n, new Float32Array(out[i])])) as Awaited<ReturnType<typeof gpuWideStep>>;
  } finally {
    Object.values(bufs).forEach((b) => b.destroy());
  }
}
