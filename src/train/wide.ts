// The wide SAE trainer: one SAE of width s on d-dimensional rows, stepped through the wide engine's kernels
// (src/kernels/wide: forward and backward with the GEMM unit, then Adam per parameter block with the kit's
// schedule). Rows come from the caller, one batch per step (the synthetic generator and activation files feed it
// next). Twin: src/reference/wide.ts (wideTrain).
import type { GpuContext } from '../gpu/context';
import type { Kernel } from '../gpu/kernel';
import type { GpuConfig } from '../core/wire';
import { encodeWideStep, grid2d, wideBufferFloats, wideDecodeFor, type WideBuffers, type WideDecode, type WideShape } from '../kernels/wide';
import { type WideBlock, wideBlocksOf, type WideTrainMode } from '../reference/wide';
import { createSynthSource, type SynthData, type SynthSource } from '../data/synth-source';

type Block = WideBlock;

export interface WideTrainerOptions {
  shape: WideShape;
  lambda: number;
  lr: number;
  /** Adam's betas, eps, weight decay and the schedule (T, warmup, cooldown); M, B are set here */
  cfg: GpuConfig;
  /** the GEMM version (src/kernels/gemm) */
  gemm: string;
  /** the initial parameters (JumpReLU: log_threshold too) */
  init: Partial<Record<Block, Float32Array>> & Record<'w_enc' | 'b_enc' | 'w_dec' | 'b_dec', Float32Array>;
  /** the variant as the wide engine runs it (its record's wide field, the config's k and AuxK; default ReLU) */
  mode?: WideTrainMode;
  /** draw each step's rows on the GPU from SynthSAEBench-class data (src/data/synth-source.ts); else the caller passes them */
  data?: SynthData;
  /** the generator's batch index of step 0 (default 0): step t draws batch firstBatch + t */
  firstBatch?: number;
  /** the decoder's products: dense GEMMs or, for the TopK family, from f's nonzeros (default: wideDecodeFor) */
  decode?: WideDecode;
}

export class WideSaeTrainer {
  private constructor(
    private readonly ctx: GpuContext,
    readonly opts: WideTrainerOptions,
    private readonly bufs: WideBuffers,
    private readonly extra: GPUBuffer[],
    private readonly state: GPUBuffer,
    private readonly record: (pass: GPUComputePassEncoder) => void,
    private readonly recordEval: (pass: GPUComputePassEncoder) => void,
    private readonly recordEvalStats: (pass: GPUComputePassEncoder) => void,
    private readonly release: () => void,
    private readonly source: SynthSource | null,
    /** the decode this trainer runs */
    readonly decode: WideDecode,
    /** the sparse decode's [entries, overflow flag] (null when dense) */
    private readonly sparseState: GPUBuffer | null,
    /** steps done */
    public t = 0,
  ) {}

  private detector: { counts: GPUBuffer; rows: number; encode: (pass: GPUComputePassEncoder) => void; release: () => void } | null = null;

  static async create(ctx: GpuContext, opts: WideTrainerOptions): Promise<WideSaeTrainer> {
    const sizes = wideBufferFloats(opts.shape, opts.mode);
    const bufs = {} as WideBuffers;
    for (const [name, n] of Object.entries(sizes) as [keyof WideBuffers, number][]) {
      const init = (opts.init as Partial<Record<keyof WideBuffers, Float32Array>>)[name];
      if (init && init.length !== n) throw new Error(`wide SAE: ${name} has ${init.length} values, ${n} expected`);
      bufs[name] = init ? ctx.upload(`wide ${name}`, init) : ctx.createBuffer(`wide ${name}`, n * 4);
    }
    const extra: GPUBuffer[] = [];
    const state = ctx.upload('wide state', new Uint32Array([0, 0, 0, 0]));
    extra.push(state);
    const decode = opts.decode ?? wideDecodeFor(ctx.adapter, opts.mode ?? {});
    const step = await encodeWideStep(ctx, opts.gemm, opts.shape, bufs, opts.lambda, opts.mode, { decode });
    // lib/common.wgsl's model dims are the per-model engine's; the wide Adam reads only Config and the schedule
    const adam: Kernel = await ctx.kernel('kernels/wide/adam.wgsl', { defines: { N_FEAT: 1, D_HID: 1, S_LAT: 1 } });
    const cfgU = ctx.uniform('wide cfg', adam.packStruct('cfg', { ...opts.cfg, M: 1, B: opts.shape.B }));
    extra.push(cfgU);
    const blocks = wideBlocksOf(opts.mode ?? {});
    if (blocks.includes('log_threshold') && !opts.init.log_threshold) throw new Error('wide SAE: jumprelu needs init.log_threshold');
    const updates = blocks.map((b) => {
      const n = sizes[b];
      const blockU = ctx.uniform(`wide adam ${b}`, adam.packStruct('blk', { n, lr: opts.lr }));
      const moments = ctx.createBuffer(`wide moments ${b}`, 2 * n * 4);
      extra.push(blockU, moments);
      const groups = adam.bindPool({ cfg: cfgU, blk: blockU, state, grads: bufs[`g_${b}`], params: bufs[b], moments });
      const g = grid2d(n, ctx.device.limits.maxComputeWorkgroupsPerDimension);
      return (pass: GPUComputePassEncoder) => adam.dispatch(pass, groups, ...g);
    });
    const source = opts.data ? await createSynthSource(ctx, opts.data, opts.shape.B, bufs.x, opts.gemm) : null;
    if (source && opts.data!.bias.length !== opts.shape.d)
      throw new Error(`wide SAE: the synthetic data has d = ${opts.data!.bias.length}, the SAE d = ${opts.shape.d}`);
    const record = (pass: GPUComputePassEncoder) => {
      source?.encode(pass);
      step.encode(pass);
      for (const u of updates) u(pass);
    };
    const recordEval = (pass: GPUComputePassEncoder) => {
      source?.encode(pass);
      step.encodeEval(pass);
    };
    const release = () => {
      step.destroy();
      source?.destroy();
    };
    return new WideSaeTrainer(ctx, opts, bufs, extra, state, record, recordEval, step.encodeEvalStats, release, source, decode, step.sparseState);
  }

  /** One step on a batch of B rows (B x d floats), or on the next synthetic batch when the trainer has `data`. */
  async step(x?: Float32Array): Promise<void> {
    const { B, d } = this.opts.shape;
    if (this.source) {
      if (x) throw new Error('wide SAE: this trainer draws its rows (options.data); step() takes no batch');
      this.source.setBatch((this.opts.firstBatch ?? 0) + this.t);
    } else {
      if (!x) throw new Error('wide SAE: step() needs a batch of rows (or options.data)');
      if (x.length !== B * d) throw new Error(`wide SAE: a batch is ${B} x ${d} = ${B * d} values, got ${x.length}`);
      this.ctx.device.queue.writeBuffer(this.bufs.x, 0, x.buffer as ArrayBuffer, x.byteOffset, x.byteLength);
    }
    this.ctx.device.queue.writeBuffer(this.state, 0, new Uint32Array([this.t]));
    await this.ctx.run('wide SAE step', this.record);
    this.t++;
  }

  /** The trained SAE's forward pass on one synthetic batch (evaluation on fresh rows: no update, no AuxK, BatchTopK
   * with its EMA threshold): x [B][d], the residual e = xhat - x [B][d] and the activations f [B][s]. */
  async evalBatch(batch: number): Promise<{ x: Float32Array; e: Float32Array; f: Float32Array }> {
    if (!this.source) throw new Error('wide SAE: evalBatch draws synthetic rows; this trainer has no data');
    const { B, d, s } = this.opts.shape;
    this.source.setBatch(batch);
    const det = this.detector;
    await this.ctx.run('wide SAE evaluation', (pass) => {
      this.recordEval(pass);
      det?.encode(pass);
    });
    if (det) det.rows += B;
    const [x, e, f] = await this.ctx.readback([this.bufs.x, this.bufs.r, this.bufs.f], [B * d * 4, B * d * 4, B * s * 4]);
    return { x: new Float32Array(x), e: new Float32Array(e), f: new Float32Array(f) };
  }

  /** evalBatch's numbers without its rows (SynthSAEBench's 500k evaluation rows stay on the GPU): each row's |e|^2,
   * L0, |x|^2 and |xhat|^2, the batch's column sums of x and which latents fired (ReconstructionMetrics.addRows). */
  async evalStats(batch: number): Promise<{ sse: Float32Array; l0: Float32Array; xx: Float32Array; hh: Float32Array; xsum: Float32Array; fired: boolean[] }> {
    if (!this.source) throw new Error('wide SAE: evalStats draws synthetic rows; this trainer has no data');
    const { B, d, s } = this.opts.shape;
    this.source.setBatch(batch);
    const det = this.detector;
    await this.ctx.run('wide SAE evaluation', (pass) => {
      this.recordEval(pass);
      this.recordEvalStats(pass);
      det?.encode(pass);
    });
    if (det) det.rows += B;
    const [rows, norms, xsum, fsum] = await this.ctx.readback(
      [this.bufs.rows, this.bufs.xnorms, this.bufs.xsum, this.bufs.fsum],
      [B * 5 * 4, B * 2 * 4, d * 4, s * 4],
    );
    const r = new Float32Array(rows),
      n = new Float32Array(norms);
    return {
      sse: r.filter((_, i) => i % 5 === 0),
      l0: r.filter((_, i) => i % 5 === 2),
      xx: n.filter((_, i) => i % 2 === 0),
      hh: n.filter((_, i) => i % 2 === 1),
      xsum: new Float32Array(xsum),
      fired: Array.from(new Float32Array(fsum), (v) => v > 0),
    };
  }

  /** The trained SAE's forward pass on B given rows (held-out evaluation): the residual e = xhat - x [B][d] and the
   * activations f [B][s]. */
  async evaluate(x: Float32Array): Promise<{ e: Float32Array; f: Float32Array }> {
    const { B, d, s } = this.opts.shape;
    if (this.source) throw new Error('wide SAE: this trainer draws its rows (options.data); evaluate() is for given rows');
    if (x.length !== B * d) throw new Error(`wide SAE: a batch is ${B} x ${d} = ${B * d} values, got ${x.length}`);
    this.ctx.device.queue.writeBuffer(this.bufs.x, 0, x.buffer as ArrayBuffer, x.byteOffset, x.byteLength);
    await this.ctx.run('wide SAE evaluation', this.recordEval);
    const [e, f] = await this.ctx.readback([this.bufs.r, this.bufs.f], [B * d * 4, B * s * 4]);
    return { e: new Float32Array(e), f: new Float32Array(f) };
  }

  /** Per-latent detection counts over the next evalBatch calls (SAELens's precision / recall / F1): latent k against
   * true feature best[k]; detectorCounts() reads them. */
  async armDetector(best: ArrayLike<number>): Promise<void> {
    if (!this.source) throw new Error('wide SAE: detection counts need the true features of drawn rows; this trainer has no data');
    const { B, s } = this.opts.shape;
    if (best.length !== s) throw new Error(`wide SAE: best has ${best.length} entries, ${s} latents expected`);
    this.detector?.release();
    const kern = await this.ctx.kernel('kernels/wide/detector.wgsl');
    const bestBuf = this.ctx.upload('wide detector best', Uint32Array.from(best));
    const counts = this.ctx.createBuffer('wide detector counts', s * 3 * 4);
    const shape = this.ctx.uniform('wide detector shape', kern.packStruct('shape', { B, s, n: this.opts.data!.model.cfg.features }));
    const groups = kern.bindPool({ shape, f: this.bufs.f, acts: this.source.acts, best: bestBuf, counts });
    const g = kern.grid({ threads: s });
    this.detector = {
      counts,
      rows: 0,
      encode: (pass) => kern.dispatch(pass, groups, ...g),
      release: () => [bestBuf, counts, shape].forEach((b) => b.destroy()),
    };
  }

  /** The detection counts since armDetector: [s][tp, fp, fn] and the rows counted. */
  async detectorCounts(): Promise<{ counts: Uint32Array; rows: number }> {
    if (!this.detector) throw new Error('wide SAE: armDetector first');
    return { counts: await this.ctx.readU32(this.detector.counts, this.opts.shape.s * 3), rows: this.detector.rows };
  }

  /** The last step's rows x [B][d] (drawn or given). */
  async rowsX(): Promise<Float32Array> {
    return this.ctx.readF32(this.bufs.x, this.opts.shape.B * this.opts.shape.d);
  }

  /** The last step's loss rows [B][mse, l1, l0, aux, rec] (before its update; src/kernels/wide/rowloss.wgsl). */
  async rows(): Promise<Float32Array> {
    return this.ctx.readF32(this.bufs.rows, this.opts.shape.B * 5);
  }

  /** Fails by name when a synthetic row held more active features than the sparse mix's list keeps (the rows would
   * have lost features), or a step more active latents than the sparse decode holds; call after training and
   * evaluation. */
  async checkData(): Promise<void> {
    if (this.source && (await this.source.overflowed()))
      throw new Error('wide SAE: a synthetic row held more active features than the sparse mix keeps (synthListCap); the rows lost features');
    if (this.sparseState && (await this.ctx.readU32(this.sparseState, 2))[1])
      throw new Error(
        'wide SAE: a step kept more active latents than the sparse decode holds (sparseCapacity: 1.25 x k per row and block); its gradients lost entries (rerun with --decode dense)',
      );
  }

  /** The steps since each latent last fired, and BatchTopK's inference threshold (its EMA; 0 for the others). */
  async trainState(): Promise<{ since: Uint32Array; threshold: number }> {
    const [since, ema] = await this.ctx.readback([this.bufs.since, this.bufs.ema], [this.opts.shape.s * 4, 4]);
    return { since: new Uint32Array(since), threshold: new Float32Array(ema)[0] };
  }

  /** The trained blocks (JumpReLU: log_threshold too). */
  async params(): Promise<Partial<Record<Block, Float32Array>> & Record<'w_enc' | 'b_enc' | 'w_dec' | 'b_dec', Float32Array>> {
    const sizes = wideBufferFloats(this.opts.shape, this.opts.mode);
    const blocks = wideBlocksOf(this.opts.mode ?? {});
    const out = await this.ctx.readback(
      blocks.map((b) => this.bufs[b]),
      blocks.map((b) => sizes[b] * 4),
    );
    return Object.fromEntries(blocks.map((b, i) => [b, new Float32Array(out[i])])) as Record<Block, Float32Array>;
  }

  destroy(): void {
    this.detector?.release();
    this.release();
    Object.values(this.bufs).forEach((b) => b.destroy());
    this.extra.forEach((b) => b.destroy());
  }
}
