// Evaluation of trained SAEs on fresh samples (metrics and one-hot probes): the modular chain, or the
// CPU-shaped kernel on software adapters; models grouped per dispatch as the adapter's limits allow.
import { isSoftwareAdapter, type GpuContext } from '../gpu/context';
import { definesFor, kernelEntry, type JobShape } from '../kernels/registry';
import { dimDefines } from '../kernels/defines';
import { detectDefines, detectMisfit, SAE_DETECT_FILE, SAE_EVAL, type EvalKernel } from '../kernels/sae_eval';

export type { EvalKernel };
import { detWidth, FLAG, saeLayout, toyLayout, type GpuConfig } from '../core/wire';
import { variantDefines, variantOf } from '../variants';
import type { SaeJobSpec } from '../core/job';

export function evalModelsPerDispatch(
  dims: { N: number; D: number; S: number },
  samples: number,
  M: number,
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupsPerDimension: number },
  wg: number,
): number {
  const L = saeLayout(dims),
    T = toyLayout(dims);
  const perModel = samples * Math.max(L.REC, T.REC, dims.N) * 4;
  const cap = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  const byBytes = Math.floor(cap / perModel);
  const byGrid = Math.floor((limits.maxComputeWorkgroupsPerDimension * wg) / samples);
  if (byBytes < 1)
    throw new Error(`evaluation: ${samples} samples of one SAE need ${perModel} bytes of per-sample work, the adapter allows ${cap}; lower eval_samples`);
  if (byGrid < 1)
    throw new Error(
      `evaluation: ${samples} samples need ${Math.ceil(samples / wg)} workgroups in one dispatch, the adapter allows ${limits.maxComputeWorkgroupsPerDimension}; lower eval_samples`,
    );
  return Math.max(1, Math.min(M, byBytes, byGrid));
}

/**
 * Evaluate trained SAEs on fresh samples (docs/science.md §5): sample_data -> toy_forward -> sae_forward (no ghost,
 * no cosine term, no update) -> sae_probe -> sae_eval. Returns the metrics rows [M][MET_W] and the one-hot
 * probe activations [M][N][S]. Models are evaluated in groups that fit the adapter's limits
 * (evalModelsPerDispatch, or `modelsPerDispatch`); a model's samples depend only on its own seed and the
 * sample index, so the grouping does not change any result.
 */
export async function evaluateSaes(
  ctx: GpuContext,
  spec: SaeJobSpec,
  params: Float32Array,
  samples: number,
  seedSalt: number,
  opts: { modelsPerDispatch?: number; kernel?: EvalKernel } = {},
): Promise<{ metrics: Float32Array; probe: Float32Array; detect: Float32Array | null; kernel: EvalKernel }> {
  const { dims } = spec;
  const L = saeLayout(dims);
  const M = spec.cfg.M;
  const kernel = opts.kernel ?? evalKernelFor(ctx, spec, samples);
  if (kernel === 'cpu') return { ...(await evaluateGroup(ctx, spec, params, samples, seedSalt, 0, M, true)), kernel };
  let per = opts.modelsPerDispatch;
  if (per === undefined) {
    // the per-sample kernels set the grid: one invocation per sample of every model in the group
    const shape: JobShape = { M, B: samples, ...dims, sets: spec.sets };
    const perSample = ['sample_data.wgsl', 'toy_forward.wgsl', 'sae_forward.wgsl'];
    const defines = (f: string) => ({ ...definesFor(f, shape), ...variantDefines(spec.cfg) });
    const sizes = await Promise.all(perSample.map(async (f) => (await ctx.kernel(f, { defines: defines(f) })).workgroupSize.reduce((a, b) => a * b)));
    per = evalModelsPerDispatch(dims, samples, M, ctx.device.limits, Math.min(...sizes));
  }
  if (per >= M) return { ...(await evaluateGroup(ctx, spec, params, samples, seedSalt, 0, M, false)), kernel };
  if (spec.cfg.toy_count !== 1)
    throw new Error(`evaluation: ${M} models do not fit one dispatch, and grouping needs a single toy model (toy_count ${spec.cfg.toy_count})`);
  const DW = detWidth(dims);
  const metrics = new Float32Array(M * L.MET_W),
    probe = new Float32Array(M * dims.N * dims.S);
  let detect: Float32Array | null = new Float32Array(M * DW);
  for (let m0 = 0; m0 < M; m0 += per) {
    const n = Math.min(per, M - m0);
    const r = await evaluateGroup(ctx, spec, params.subarray(m0 * L.P, (m0 + n) * L.P), samples, seedSalt, m0, n, false);
    metrics.set(r.metrics, m0 * L.MET_W);
    probe.set(r.probe, m0 * dims.N * dims.S);
    if (r.detect && detect) detect.set(r.detect, m0 * DW);
    else detect = null;
  }
  return { metrics, probe, detect, kernel };
}

/**
 * The evaluation's version (src/kernels/sae_eval/): on a software adapter the one shaped for it (cpu) where it
 * fits these SAEs, else modular; cpu too where it fits and one SAE's samples do not fit the modular chain's records.
 */
export function evalKernelFor(ctx: GpuContext, spec: Pick<SaeJobSpec, 'cfg' | 'dims'>, samples = 0): EvalKernel {
  if (SAE_EVAL.cpu.misfit(spec.dims, spec.cfg, ctx.adapter) !== null) return 'modular';
  if (isSoftwareAdapter(ctx.adapter)) return 'cpu';
  const L = saeLayout(spec.dims),
    T = toyLayout(spec.dims);
  const perModel = samples * Math.max(L.REC, T.REC, spec.dims.N) * 4;
  return perModel > Math.min(ctx.device.limits.maxBufferSize, ctx.device.limits.maxStorageBufferBindingSize) ? 'cpu' : 'modular';
}

/**
 * The evaluation's Config and Hyper rows for models m0 .. m0 + count - 1: no ghost, cosine or batch-FVU terms, the
 * encoder variant (pre-bias, JumpReLU, BatchTopK) kept; each model's data seed salted so its samples are fresh.
 */
export function evalSetup(
  spec: Pick<SaeJobSpec, 'cfg' | 'dims' | 'hyper'>,
  samples: number,
  seedSalt: number,
  m0 = 0,
  count = spec.cfg.M,
): { cfg: GpuConfig; hyper: SaeJobSpec['hyper'] } {
  const T = toyLayout(spec.dims);
  const cfg: GpuConfig = {
    ...spec.cfg,
    M: count,
    B: samples,
    T: 1,
    flags: spec.cfg.flags & (FLAG.PRE_BIAS | variantOf(spec.cfg).flag),
    act_stride: T.REC,
    act_offset: T.H,
    hist_len: 1,
  };
  return { cfg, hyper: spec.hyper.slice(m0, m0 + count).map((h) => ({ ...h, seed: (h.seed ^ seedSalt) >>> 0 })) };
}

/** One evaluation dispatch chain for models m0 .. m0 + count - 1 (params holds just theirs). */
async function evaluateGroup(
  ctx: GpuContext,
  spec: SaeJobSpec,
  params: Float32Array,
  samples: number,
  seedSalt: number,
  m0: number,
  count: number,
  cpu: boolean,
): Promise<{ metrics: Float32Array; probe: Float32Array; detect: Float32Array | null }> {
  const { dims } = spec;
  const L = saeLayout(dims),
    T = toyLayout(dims);
  const M = count;
  const { cfg, hyper } = evalSetup(spec, samples, seedSalt, m0, count);
  const def = { ...dimDefines(dims), ...variantDefines(cfg) };
  // the per-sample records of the modular chain (the CPU-shaped kernel keeps none)
  const rows = cpu ? 1 : M * samples;
  const owned: GPUBuffer[] = [];
  const up = (name: string, data: Float32Array | Uint32Array | ArrayBuffer) => {
    const b = ctx.upload(`eval ${name}`, data);
    owned.push(b);
    return b;
  };
  const mk = (name: string, bytes: number) => {
    const b = ctx.createBuffer(`eval ${name}`, bytes);
    owned.push(b);
    return b;
  };
  try {
    const fwd = ctx.layout('sae_forward.wgsl', { defines: def });
    const cfgBuf = ctx.uniform('eval cfg', fwd.packStruct('cfg', { ...cfg }));
    owned.push(cfgBuf);
    const toyWork = mk('toy_work', rows * T.REC * 4);
    const pool: Record<string, GPUBuffer> = {
      cfg: cfgBuf,
      hyper: up('hyper', fwd.packArray('hyper', hyper)),
      state: up('state', new Uint32Array([0, 1, 0, 0])),
      tables: up('tables', spec.tables),
      x: mk('x', rows * dims.N * 4),
      importance: up('importance', new Float32Array(dims.N).fill(1)),
      toy_params: up('toy_params', spec.toyParams),
      toy_work: toyWork,
      acts: toyWork,
      params: up('params', params),
      lat: mk('lat', M * dims.S * L.LAT_W * 4),
      work: mk('work', rows * L.REC * 4),
      probe: mk('probe', M * dims.N * dims.S * 4),
      metrics: mk('metrics', M * L.MET_W * 4),
      bstat: up('bstat', new Float32Array(M).fill(1)),
      bthr: mk('bthr', M * 4),
    };
    // the detector counts (kernels/sae_eval/detect.wgsl) where its CPU-shaped model fits, after the evaluation (BatchTopK's bthr)
    const DW = detWidth(dims);
    const detects = detectMisfit(dims, cfg) === null;
    if (detects) pool.detect = mk('detect', M * DW * 4);
    const shape: JobShape = { M, B: samples, ...dims, sets: spec.sets };
    const version = SAE_EVAL[cpu ? 'cpu' : 'modular'];
    const bound = await Promise.all(
      version.files(cfg).map(async (file) => {
        const defines = { ...definesFor(file, shape), ...variantDefines(cfg), ...version.defines(file, cfg, ctx.device, ctx.adapter) };
        const k = await ctx.kernel(file, { defines });
        return { k, groups: k.bindPool(pool), wg: k.grid(kernelEntry(file).grid(shape, defines)) };
      }),
    );
    if (detects) {
      const defines = { ...definesFor(SAE_DETECT_FILE, shape), ...variantDefines(cfg), ...detectDefines(cfg, ctx.device, ctx.adapter) };
      const k = await ctx.kernel(SAE_DETECT_FILE, { defines });
      bound.push({ k, groups: k.bindPool(pool), wg: k.grid(kernelEntry(SAE_DETECT_FILE).grid(shape, defines)) });
    }
    await ctx.run('evaluate SAEs', (pass) => bound.forEach((o) => o.k.dispatch(pass, o.groups, ...o.wg)));
    const [metrics, probe, detect] = await ctx.readback(
      [pool.metrics, pool.probe, ...(detects ? [pool.detect] : [])],
      [M * L.MET_W * 4, M * dims.N * dims.S * 4, ...(detects ? [M * DW * 4] : [])],
    );
    return { metrics: new Float32Array(metrics), probe: new Float32Array(probe), detect: detect ? new Float32Array(detect) : null };
  } finally {
    owned.forEach((b) => b.destroy());
  }
}
