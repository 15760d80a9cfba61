// The batched GPU job every trainer builds on: all M models of a job live in one buffer per tensor and train
// in the same dispatches; one step is a fixed list of kernels recorded into a compute pass, and many steps are
// recorded per submit (the step counter lives on the GPU). Loss history is read back once per chunk.
import type { GpuContext } from '../gpu/context';
import type { BufferBinding, Kernel, ShaderLayout } from '../gpu/kernel';
import { definesFor, kernelEntry, type Defines, type JobShape } from '../kernels/registry';
import { NOT_DIVERGED, type GpuConfig, type Hyper } from '../core/wire';
import type { Progress } from '../core/job';
import { median } from '../metrics/analysis';
import { variantDefines } from '../variants';

/** One recorded stage of a training step: a kernel, its bind groups and its workgroup counts. */
export interface BoundOp {
  readonly kernel: Kernel;
  readonly groups: GPUBindGroup[];
  readonly wg: [number, number, number];
}

export interface TrainOptions {
  /** steps recorded per submit (default: enough for ~1e7 sample-latent products, at least 1) */
  stepsPerSubmit?: number;
  onProgress?: (p: Progress) => void;
  /** awaited after every chunk: may read parameters, wait (pause) or throw (stop) */
  onChunk?: () => Promise<void> | void;
}

export interface HistoryRow {
  step: number;
  values: Float64Array /* [M][width] */;
}

export abstract class GpuJob {
  protected pool: Record<string, BufferBinding> = {};
  private stageOps: BoundOp[] = [];
  protected owned: GPUBuffer[] = [];
  /** a kernel binding both `cfg` and `hyper`: their layouts come from its reflection */
  /** packs the job's Config and Hyper (a reflected layout: no pipeline is compiled for it) */
  protected cfgKernel!: ShaderLayout;
  readonly history: HistoryRow[] = [];
  step = 0;

  constructor(
    readonly ctx: GpuContext,
    readonly cfg: GpuConfig,
    readonly hyper: Hyper[],
    readonly histWidth: number,
    readonly kind: string,
  ) {}

  protected buf(name: string, bytes: number, data?: ArrayBufferView | ArrayBuffer): GPUBuffer {
    const b = data ? this.ctx.upload(`${this.kind} ${name}`, data as Float32Array) : this.ctx.createBuffer(`${this.kind} ${name}`, bytes);
    this.pool[name] = b;
    this.owned.push(b);
    return b;
  }

  /** The shape every dispatch of this job covers (models, rows per model, dims). */
  protected abstract get shape(): JobShape;

  /** Append a stage: defines and grid come from the kernel registry at the job's shape, plus `extra` defines. */
  protected async op(file: string, extra: Defines = {}): Promise<void> {
    const defines = { ...definesFor(file, this.shape), ...variantDefines(this.cfg), ...extra };
    const kernel = await this.ctx.kernel(file, { defines });
    this.stageOps.push({ kernel, groups: kernel.bindPool(this.pool), wg: kernel.grid(kernelEntry(file).grid(this.shape, defines)) });
  }

  /** The kernels of one recorded step, in order (for per-kernel timing in the bench and the lab). */
  get ops(): readonly BoundOp[] {
    return this.stageOps;
  }

  /** Record one op once. */
  dispatchOp(pass: GPUComputePassEncoder, o: BoundOp): void {
    o.kernel.dispatch(pass, o.groups, ...o.wg);
  }

  /** A named buffer of the job (e.g. `toy_params`, `params`), for reading state while training. */
  buffer(name: string): GPUBuffer {
    const b = this.pool[name];
    if (!b) throw new Error(`${this.kind} job has no buffer '${name}' (has: ${Object.keys(this.pool).join(', ')})`);
    return 'buffer' in b ? b.buffer : b;
  }

  protected initCommon(): void {
    const cfg = this.cfg;
    this.pool.cfg = this.ctx.uniform(`${this.kind} cfg`, this.cfgKernel.packStruct('cfg', { ...cfg }));
    this.owned.push(this.pool.cfg as GPUBuffer);
    this.buf('hyper', 0, this.cfgKernel.packArray('hyper', this.hyper));
    this.buf('state', 16, new Uint32Array([this.step, 0, 0, 0]));
    this.buf('status', 0, new Uint32Array(cfg.M).fill(NOT_DIVERGED));
    this.buf('hist', cfg.hist_len * cfg.M * this.histWidth * 4);
  }

  /** Steps one recorded op list performs (fused multi-step kernels do several). */
  protected stepsPerOps = 1;

  /** Record `n` steps. */
  encodeSteps(pass: GPUComputePassEncoder, n: number): void {
    for (let i = 0; i < n; i += this.stepsPerOps) for (const o of this.stageOps) this.dispatchOp(pass, o);
  }

  protected chunkSize(opts: TrainOptions, perStepWork: number): number {
    // the loss-history ring must hold a whole chunk; chunks are whole multi-step dispatches (stepsPerOps)
    const cap = this.cfg.hist_len * this.cfg.log_every;
    const k = this.stepsPerOps;
    if (k > cap)
      throw new Error(
        `${this.kind} job: ${k} steps per dispatch do not fit the loss-history ring (${this.cfg.hist_len} rows x log_every ${this.cfg.log_every}); lower kSteps or raise hist_len`,
      );
    const want = Math.max(1, Math.min(cap, opts.stepsPerSubmit ?? Math.max(1, Math.floor(2e7 / perStepWork))));
    return Math.max(k, Math.floor(want / k) * k);
  }

  /**
   * Train `steps` steps (clamped to the schedule's T), reading the loss history back once per chunk.
   * Without opts.stepsPerSubmit the chunk doubles (up to the history ring) while a chunk takes under
   * 50 ms: on a fast GPU the per-chunk readback would otherwise dominate (chunk sizes are estimated from
   * the work, which suits SwiftShader). Chunking never changes the results (the step counter is on the GPU).
   */
  async train(steps: number, opts: TrainOptions = {}, perStepWork = 1): Promise<void> {
    const end = Math.min(this.cfg.T, this.step + steps);
    let chunk = this.chunkSize(opts, perStepWork);
    const k = this.stepsPerOps;
    const maxChunk = Math.max(k, Math.floor((this.cfg.hist_len * this.cfg.log_every) / k) * k);
    // state[1] = the stop step: multi-step kernels and step_advance never go past it
    this.ctx.write(this.pool.state as GPUBuffer, new Uint32Array([end]), 4);
    while (this.step < end) {
      const n = Math.min(chunk, end - this.step);
      const t0 = performance.now();
      await this.ctx.run(`${this.kind} steps ${this.step}..${this.step + n - 1}`, (pass) => this.encodeSteps(pass, n));
      const from = this.step;
      this.step += n;
      const [hist, status] = await this.ctx.readback([this.pool.hist as GPUBuffer, this.pool.status as GPUBuffer]);
      if (opts.stepsPerSubmit === undefined && n === chunk && performance.now() - t0 < 50) chunk = Math.min(maxChunk, chunk * 2);
      const h = new Float32Array(hist),
        st = new Uint32Array(status);
      const W = this.histWidth,
        M = this.cfg.M,
        stepCol = W - 1;
      const rows: HistoryRow[] = [];
      for (let r = 0; r < this.cfg.hist_len; r++) {
        const t = h[r * M * W + stepCol];
        if (t >= from && t < this.step && t % this.cfg.log_every === 0)
          rows.push({ step: t, values: Float64Array.from(h.subarray(r * M * W, (r + 1) * M * W)) });
      }
      rows.sort((a, b) => a.step - b.step);
      for (const r of rows) if (!this.history.length || r.step > this.history[this.history.length - 1].step) this.history.push(r);
      if (opts.onProgress) {
        const last = this.history[this.history.length - 1];
        const live: number[] = [];
        for (let m = 0; m < M; m++) if (st[m] === NOT_DIVERGED && last) live.push(last.values[m * W]);
        opts.onProgress({
          step: this.step,
          total: this.cfg.T,
          loss: live.length ? median(live) : NaN,
          diverged: st.subarray(0, M).filter((x) => x !== NOT_DIVERGED).length,
        });
      }
      if (opts.onChunk) await opts.onChunk();
    }
  }

  async readStatus(): Promise<Uint32Array> {
    return this.ctx.readU32(this.pool.status as GPUBuffer, this.cfg.M);
  }

  destroy(): void {
    this.owned.forEach((b) => b.destroy());
    this.owned = [];
  }
}
