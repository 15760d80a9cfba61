// The dictionary's orthogonalisation on the GPU (SynthSAEBench-16k: 100 Adam steps on 16,384 x 768, whose Gram
// matrix alone is 1 GiB): per step, row block by row block, G_blk = E_blk E^T (GEMM), R_blk = 4 w (G_blk - c)
// (kernels/wide/ortho_r.wgsl), grad_blk = R_blk E (GEMM); then Adam (kernels/wide/adam.wgsl, torch's defaults, a
// constant lr). Twin: randomDictionary's host loop (src/data/dictionary.ts), the same objective and update.
import type { GpuContext } from '../gpu/context';
import { encodeGemm } from '../kernels/gemm';
import { grid2d } from '../kernels/wide';
import { defaultConfig, scheduleSteps } from '../core/wire';

/** Orthogonalises the n x d rows of E (row-major, as drawn; returned unit-normalised) by `steps` Adam steps. */
export async function orthogonaliseGpu(
  ctx: GpuContext,
  E0: Float32Array,
  n: number,
  d: number,
  opts: { steps: number; lr: number; target?: number; gemm: string; onProgress?: (step: number) => void; blockRows?: number },
): Promise<Float32Array> {
  if (E0.length !== n * d) throw new Error(`orthogonalise: E has ${E0.length} values, ${n} x ${d} expected`);
  const limit = Math.min(ctx.device.limits.maxStorageBufferBindingSize, ctx.device.limits.maxBufferSize);
  // row blocks of a multiple of 64 rows (256-byte offsets for any d) whose Gram block fits one binding
  const nb = opts.blockRows ?? Math.max(64, Math.min(n, Math.floor(limit / (4 * n) / 64) * 64));
  if (nb % 64 !== 0 && nb < n) throw new Error(`orthogonalise: blocks of ${nb} rows; a block must be a multiple of 64 rows (or all n)`);
  if (nb * n * 4 > limit)
    throw new Error(`orthogonalise: a block of 64 rows of the ${n} x ${n} Gram matrix needs ${64 * n * 4} bytes; this adapter binds ${limit}`);
  const owned: { destroy(): void }[] = [];
  const buf = (label: string, bytes: number) => {
    const b = ctx.createBuffer(label, bytes);
    owned.push(b);
    return b;
  };
  try {
    const E = ctx.upload('ortho E', E0);
    owned.push(E);
    const grad = buf('ortho grad', n * d * 4),
      G = buf('ortho gram block', Math.min(nb, n) * n * 4),
      moments = buf('ortho moments', 2 * n * d * 4);
    const rk = await ctx.kernel('kernels/wide/ortho_r.wgsl');
    const adam = await ctx.kernel('kernels/wide/adam.wgsl', { defines: { N_FEAT: 1, D_HID: 1, S_LAT: 1 } });
    const cfg = ctx.uniform(
      'ortho cfg',
      adam.packStruct('cfg', { ...defaultConfig({ ...scheduleSteps(opts.steps, 0, 0), beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 }), M: 1, B: 1 }),
    );
    const blk = ctx.uniform('ortho adam block', adam.packStruct('blk', { n: n * d, lr: opts.lr }));
    const state = ctx.upload('ortho step', new Uint32Array([0, 0, 0, 0]));
    owned.push(cfg, blk, state);
    const ops: ((pass: GPUComputePassEncoder) => void)[] = [];
    for (let i0 = 0; i0 < n; i0 += nb) {
      const rows = Math.min(nb, n - i0);
      const gram = await encodeGemm(
        ctx,
        opts.gemm,
        { M: rows, K: d, N: n, ta: false, tb: true },
        { a: { buffer: E, offset: i0 * d * 4, size: rows * d * 4 }, b: E, c: G },
      );
      const back = await encodeGemm(
        ctx,
        opts.gemm,
        { M: rows, K: n, N: d, ta: false, tb: false },
        { a: G, b: E, c: { buffer: grad, offset: i0 * d * 4, size: rows * d * 4 } },
      );
      owned.push(gram, back);
      const shape = ctx.uniform('ortho shape', rk.packStruct('shape', { rows, n, i0, off_diag: opts.target ?? 0 }));
      owned.push(shape);
      const rg = rk.bindPool({ shape, g: G });
      const rGrid = grid2d(rows * n, ctx.device.limits.maxComputeWorkgroupsPerDimension);
      ops.push(gram.encode, (pass) => rk.dispatch(pass, rg, ...rGrid), back.encode);
    }
    const ag = adam.bindPool({ cfg, blk, state, grads: grad, params: E, moments });
    const aGrid = grid2d(n * d, ctx.device.limits.maxComputeWorkgroupsPerDimension);
    for (let t = 0; t < opts.steps; t++) {
      ctx.device.queue.writeBuffer(state, 0, new Uint32Array([t]));
      // every block's gradient reads E before this step's update: the blocks first, then Adam
      await ctx.run('dictionary orthogonalisation', (pass) => {
        for (const o of ops) o(pass);
        adam.dispatch(pass, ag, ...aGrid);
      });
      if (opts.onProgress) {
        // ctx.run returns once submitted: wait for the step, so progress and its ETA are real
        await ctx.device.queue.onSubmittedWorkDone();
        opts.onProgress(t + 1);
      }
    }
    const out = await ctx.readF32(E, n * d);
    for (let i = 0; i < n; i++) {
      const row = out.subarray(i * d, (i + 1) * d);
      const norm = Math.hypot(...row);
      if (norm > 0) for (let j = 0; j < d; j++) row[j] /= norm;
    }
    return out;
  } finally {
    owned.forEach((o) => o.destroy());
  }
}
