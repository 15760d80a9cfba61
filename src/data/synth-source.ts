// SynthSAEBench-class rows for the wide engine, drawn on the GPU each step: the feature activations a of a batch
// (shaders/synth_sample.wgsl, twin sampleSynth; the study's composed sets through the study's own
// shaders/sample_data.wgsl, twin core/sampler.ts), then x = a D + b through the GEMM unit (D: the n x d feature
// dictionary, b: the bias) and kernels/wide/add_bias.wgsl. The batch index is rewritten before each step, so
// step t draws batch `first + t` of the generator's stream: a seed gives one data stream on every adapter.
import type { GpuContext } from '../gpu/context';
import { encodeGemm } from '../kernels/gemm';
import { grid2d } from '../kernels/wide';
import { dimDefines, setDefines } from '../kernels/defines';
import { composedConfig, packSynth, sampleSynth, synthDefines, type SynthModel } from './synth';

export interface SynthData {
  model: SynthModel;
  /** n x d, row i = feature i's direction */
  dictionary: Float32Array;
  /** d */
  bias: Float32Array;
}

/** Twin of one batch: x = sampleSynth(batch) D + b (the host's draws; only f32 rounding and WGSL's cos differ). */
export function synthRows(data: SynthData, B: number, batch: number): Float64Array {
  const n = data.model.cfg.features,
    d = data.bias.length;
  const a = sampleSynth(data.model, B, batch);
  const x = new Float64Array(B * d);
  for (let b = 0; b < B; b++)
    for (let j = 0; j < d; j++) {
      let v = data.bias[j];
      for (let i = 0; i < n; i++) v += a[b * n + i] * data.dictionary[i * d + j];
      x[b * d + j] = v;
    }
  return x;
}

export interface SynthSource {
  /** write the batch index of the next draw (before the pass that records `encode`) */
  setBatch(batch: number): void;
  /** record the draw into x ([B][d]) */
  encode(pass: GPUComputePassEncoder): void;
  /** the last draw's feature activations [B][n] */
  readonly acts: GPUBuffer;
  /** the sparse mix: did any draw so far hold more active features than a row's list keeps (a named error)? */
  overflowed(): Promise<boolean>;
  destroy(): void;
}

/** How many active features a row's list keeps (sparse mix): far past the L0 of 128 rows drawn on the host (twice
 * their largest, and their mean + 10 sqrt(mean) + 32), every feature when n is small. The hierarchy gates children
 * by their parents, so the compensated firing probabilities' sum (7,167 at SynthSAEBench-16k) overstates L0 (34). */
export function synthListCap(model: SynthModel): number {
  const n = model.cfg.features;
  const R = 128;
  const a = sampleSynth(model, R, 0xcafe);
  let sum = 0,
    most = 0;
  for (let r = 0; r < R; r++) {
    let c = 0;
    for (let i = 0; i < n; i++) if (a[r * n + i] !== 0) c++;
    sum += c;
    most = Math.max(most, c);
  }
  const mean = sum / R;
  return Math.min(n, 4 * Math.ceil(Math.max(2 * most, mean + 10 * Math.sqrt(mean) + 32) / 4));
}

/**
 * The synthetic rows on the GPU: synth_sample draws a [B][n], then x = a D + b, by the sparse mix (synth_compact lists
 * each row's active features, synth_mix sums them; the default) or by a dense GEMM over all n features and add_bias
 * (`mix: 'dense'`, the version the sparse one is benched against). `cap` overrides synthListCap (checks).
 */
export async function createSynthSource(
  ctx: GpuContext,
  data: SynthData,
  B: number,
  x: GPUBuffer,
  gemm: string,
  opts: { mix?: 'sparse' | 'dense'; cap?: number } = {},
): Promise<SynthSource> {
  const mix = opts.mix ?? 'sparse';
  const n = data.model.cfg.features,
    d = data.bias.length;
  if (data.dictionary.length !== n * d) throw new Error(`synthetic data: the dictionary has ${data.dictionary.length} values, ${n} x ${d} expected`);
  const owned: { destroy(): void }[] = [];
  const up = (label: string, a: Float32Array | Uint32Array | ArrayBuffer) => {
    const b = ctx.upload(`synth ${label}`, a);
    owned.push(b);
    return b;
  };
  const acts = ctx.createBuffer('synth acts', B * n * 4);
  owned.push(acts);
  const dict = up('dictionary', data.dictionary),
    bias = up('bias', data.bias);
  // the draw: SAELens's structure (synth_sample), or the study's composed sets by the study's own sampler, one
  // model of the generator's seed whose step counter (state[0]) is the batch index
  let sample: Awaited<ReturnType<GpuContext['kernel']>>;
  let sg: GPUBindGroup[];
  let setBatch: (batch: number) => void;
  const composed = data.model.composed;
  if (composed) {
    const { cfg, hyper } = composedConfig(data.model, B);
    sample = await ctx.kernel('sample_data.wgsl', { defines: { ...dimDefines({ N: n, D: 1, S: 1 }), ...setDefines(composed.spec.sets) } });
    const state = up('state', new Uint32Array(4));
    const cfgBuf = ctx.uniform('synth composed cfg', sample.packStruct('cfg', { ...cfg }));
    owned.push(cfgBuf);
    sg = sample.bindPool({ cfg: cfgBuf, hyper: up('hyper', sample.packArray('hyper', hyper)), state, tables: up('tables', composed.tables), x: acts });
    setBatch = (batch) => ctx.device.queue.writeBuffer(state, 0, new Uint32Array([batch]));
  } else {
    const packed = packSynth(data.model, B, 0);
    const sp = up('sp', packed.sp);
    sample = await ctx.kernel('synth_sample.wgsl', { defines: synthDefines(data.model) });
    sg = sample.bindPool({ sp, feat: up('feat', packed.feat), factor: up('factor', packed.factor), groups: up('groups', packed.groups), out: acts });
    setBatch = (batch) => ctx.device.queue.writeBuffer(sp, 12, new Uint32Array([batch]));
  }
  const sgGrid = sample.grid({ threads: B });
  const grid = grid2d(B * d, ctx.device.limits.maxComputeWorkgroupsPerDimension);
  const flag = ctx.createBuffer('synth list overflow', 4);
  owned.push(flag);
  let mixEncode: (pass: GPUComputePassEncoder) => void;
  if (mix === 'dense') {
    const gemmOp = await encodeGemm(ctx, gemm, { M: B, K: n, N: d, ta: false, tb: false }, { a: acts, b: dict, c: x });
    owned.push(gemmOp);
    const add = await ctx.kernel('kernels/wide/add_bias.wgsl');
    const shape = ctx.uniform('synth bias shape', add.packStruct('shape', { rows: B, cols: d }));
    owned.push(shape);
    const ag = add.bindPool({ shape, v: bias, a: x });
    mixEncode = (pass) => {
      gemmOp.encode(pass);
      add.dispatch(pass, ag, ...grid);
    };
  } else {
    const CAP = opts.cap ?? synthListCap(data.model);
    const compact = await ctx.kernel('kernels/wide/synth_compact.wgsl', { defines: { CAP } });
    const sum = await ctx.kernel('kernels/wide/synth_mix.wgsl', { defines: { CAP } });
    const shape = ctx.uniform('synth mix shape', compact.packStruct('shape', { B, n, d }));
    const idx = ctx.createBuffer('synth list idx', B * CAP * 4),
      val = ctx.createBuffer('synth list val', B * CAP * 4),
      count = ctx.createBuffer('synth list count', B * 4);
    owned.push(shape, idx, val, count);
    const cg = compact.bindPool({ shape, a: acts, idx, val, count, flag });
    const cgGrid = compact.grid({ threads: B });
    const mg = sum.bindPool({ shape, idx, val, count, dict, bias, x });
    mixEncode = (pass) => {
      compact.dispatch(pass, cg, ...cgGrid);
      sum.dispatch(pass, mg, ...grid);
    };
  }
  return {
    setBatch,
    encode: (pass) => {
      sample.dispatch(pass, sg, ...sgGrid);
      mixEncode(pass);
    },
    acts,
    overflowed: async () => (await ctx.readU32(flag, 1))[0] !== 0,
    destroy: () => owned.forEach((o) => o.destroy()),
  };
}
