// Batched GPU trainers. All M models of a job live in one buffer per tensor and train in the same
// dispatches; one step is a fixed list of kernels recorded into a compute pass, and many steps are
// recorded per submit (the step counter lives on the GPU). Loss history is read back once per chunk.
import { isSoftwareAdapter, type GpuContext } from '../gpu/context';
import type { BufferBinding, Kernel } from '../gpu/kernel';
import { definesFor, dimDefines, kernelEntry, type Defines, type JobShape } from '../kernels/registry';
import { fusedMisfit, fusedThreads, SAE_STEPS, subgroupDefines, type DeviceCaps, type SaeKernel } from '../kernels/sae_steps';
import { FLAG, HIST, NOT_DIVERGED, saeLayout, toyLayout, type GpuConfig, type Hyper } from '../core/wire';
import { checkSaeSpec, checkSpec, type Progress, type SaeJobSpec, type ToyJobSpec } from '../core/job';
import { median } from '../metrics/analysis';

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

abstract class GpuJob {
  protected pool: Record<string, BufferBinding> = {};
  private stageOps: BoundOp[] = [];
  protected owned: GPUBuffer[] = [];
  /** a kernel binding both `cfg` and `hyper`: their layouts come from its reflection */
  protected cfgKernel!: Kernel;
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
    const defines = { ...definesFor(file, this.shape), ...extra };
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

export type SaePath = 'modular' | 'fused';

export interface SaeTrainerOptions {
  path?: SaePath;
  /** fused kernel version (default v1) */
  kernel?: SaeKernel;
  kSteps?: number;
  /** invocations per model of the fused kernel (default: the version's own rule, src/kernels/sae_steps.ts) */
  threads?: number;
  /** v2: use subgroup reductions where the device has them (default true; false forces the workgroup-memory fallback) */
  subgroups?: boolean;
}

export class GpuSaeTrainer extends GpuJob {
  private constructor(
    ctx: GpuContext,
    readonly spec: SaeJobSpec,
  ) {
    super(ctx, spec.cfg, spec.hyper, saeLayout(spec.dims).HIST_W, 'sae');
  }

  protected get shape(): JobShape {
    return { M: this.cfg.M, B: this.cfg.B, ...this.spec.dims, sets: this.spec.sets };
  }

  /** invocations per model in the fused kernel */
  threads = 16;
  /** fused kernel version (meaningful when path is 'fused') */
  kernel: SaeKernel = 'v1';
  /** v2: subgroup reductions in use */
  subgroups = false;

  static async create(ctx: GpuContext, spec: SaeJobSpec, opts: SaeTrainerOptions = {}): Promise<GpuSaeTrainer> {
    checkSaeSpec(spec);
    const t = new GpuSaeTrainer(ctx, spec);
    const kernel = opts.kernel ?? 'v1';
    const path = opts.path ?? (fusedMisfit(spec, ctx.device, kernel, opts.threads, opts.subgroups) === null ? 'fused' : 'modular');
    if (path === 'fused') {
      const why = fusedMisfit(spec, ctx.device, kernel, opts.threads, opts.subgroups);
      if (why) throw new Error(`SAE job: the fused path (${kernel}) cannot run this job: ${why}`);
    }
    t.path = path;
    t.kernel = kernel;
    t.threads = fusedThreads(spec, kernel, ctx.device, opts.threads, opts.subgroups);
    t.subgroups = SAE_STEPS[kernel].shapedFor === 'gpu' && opts.subgroups !== false && ctx.device.features.has('subgroups');
    await t.init(opts.kSteps ?? 25);
    return t;
  }

  path: SaePath = 'modular';

  /** What runs: "modular", "fused v1 (16 threads/model, K=25)", ... (the version's own line). */
  describe(): string {
    if (this.path === 'modular') return 'modular';
    const v = SAE_STEPS[this.kernel];
    return v.describe(this.threads, this.subgroups, this.stepsPerOps, v.workgroup(this.threads, this.ctx.adapter));
  }

  private async init(kSteps: number): Promise<void> {
    const { cfg, dims } = this.spec;
    const L = saeLayout(dims),
      T = toyLayout(dims);
    const def = dimDefines(dims);
    const expect = (what: string, got: number, want: number) => {
      if (got !== want) throw new Error(`SAE job: ${what} has ${got} floats, expected ${want}`);
    };
    expect('saeParams', this.spec.saeParams.length, cfg.M * L.P);
    this.cfgKernel = await this.ctx.kernel('sae_forward.wgsl', { defines: def });
    this.initCommon();
    const rows = cfg.M * cfg.B;
    const fused = this.path === 'fused';
    if (this.spec.batches) {
      expect('batches', this.spec.batches.length, cfg.T * cfg.B * dims.D);
      if (cfg.act_stride !== dims.D || cfg.act_offset !== 0) throw new Error(`SAE replay: act_stride must be D = ${dims.D} and act_offset 0`);
      this.buf('src', 0, this.spec.batches);
      this.pool.out = this.buf('acts', rows * dims.D * 4); // copy_step's output
    } else {
      expect('toyParams', this.spec.toyParams.length, cfg.toy_count * T.P);
      if (cfg.act_stride !== T.REC || cfg.act_offset !== T.H)
        throw new Error(`SAE job: act_stride must be REC_T = ${T.REC} and act_offset ${T.H} when sampling through the toy model`);
      this.buf('tables', 0, this.spec.tables);
      if (!fused) {
        // per-sample buffers of the modular kernels (the fused kernel keeps samples in registers)
        this.buf('x', rows * dims.N * 4);
        this.buf('importance', 0, new Float32Array(dims.N).fill(1));
        this.pool.acts = this.buf('toy_work', rows * T.REC * 4);
      }
    }
    this.buf('toy_params', 0, this.spec.toyParams.length ? this.spec.toyParams : new Float32Array(4));
    this.buf('params', 0, this.spec.saeParams);
    this.buf('adam', 2 * cfg.M * L.P * 4);
    this.buf('lat', cfg.M * dims.S * L.LAT_W * 4);
    if (!fused) {
      this.buf('grads', cfg.M * L.P * 4);
      this.buf('work', rows * L.REC * 4);
      this.buf('aux', cfg.M * 4);
      this.buf('bstat', 0, new Float32Array(cfg.M).fill(1));
      this.buf('bthr', 0, new Float32Array(cfg.M));
    }

    if (this.path === 'fused') {
      this.stepsPerOps = kSteps;
      const v = SAE_STEPS[this.kernel];
      await this.op(v.file, { K_STEPS: kSteps, WG: v.workgroup(this.threads, this.ctx.adapter), ...v.defines(this.ctx.device, this.subgroups, this.cfg) });
      await this.op('step_advance.wgsl', { AMOUNT: kSteps });
      return;
    }
    if (this.spec.batches) {
      await this.op('copy_step.wgsl', { WIDTH: dims.D });
    } else {
      await this.op('sample_data.wgsl');
      await this.op('toy_forward.wgsl');
    }
    const norm = this.spec.normalizeDecoder !== false;
    if (norm) await this.op('sae_normalize.wgsl');
    await this.op('sae_dead.wgsl');
    if (cfg.flags & FLAG.BATCH_FVU) await this.op('sae_batch_stats.wgsl');
    if (cfg.flags & FLAG.BATCH_TOPK) await this.op('sae_batch_topk.wgsl');
    await this.op('sae_forward.wgsl');
    await this.op('sae_firing.wgsl');
    await this.op('sae_grad.wgsl');
    await this.op('sae_cos_grad.wgsl');
    if (norm) await this.op('sae_project_grad.wgsl');
    await this.op('sae_loss.wgsl');
    await this.op('adam.wgsl');
    await this.op('step_advance.wgsl');
  }

  train(steps: number, opts: TrainOptions = {}): Promise<void> {
    const { S, D } = this.spec.dims;
    // fused: fewer, larger submits (readbacks only once per chunk)
    const work = (this.cfg.M * this.cfg.B * (S * D * 8 + 20)) / (this.path === 'fused' ? 8 : 1);
    return super.train(steps, opts, work);
  }

  async readParams(): Promise<Float32Array> {
    return this.ctx.readF32(this.pool.params as GPUBuffer, this.cfg.M * saeLayout(this.spec.dims).P);
  }

  async readLat(): Promise<Uint32Array> {
    return this.ctx.readU32(this.pool.lat as GPUBuffer, this.cfg.M * this.spec.dims.S * saeLayout(this.spec.dims).LAT_W);
  }

  /** Losses per logged step: [M] arrays of total, fvu, L1 term, sum f, ghost, cos, l0. */
  lossCurves(m: number): { step: number[]; total: number[]; fvu: number[]; l1: number[]; l1raw: number[]; ghost: number[]; cos: number[]; l0: number[] } {
    const W = this.histWidth;
    const col = (c: number) => this.history.map((r) => r.values[m * W + c]);
    return {
      step: this.history.map((r) => r.step),
      total: col(HIST.TOTAL),
      fvu: col(HIST.FVU),
      l1: col(HIST.L1_TERM),
      l1raw: col(HIST.L1_RAW),
      ghost: col(HIST.GHOST),
      cos: col(HIST.COS),
      l0: col(HIST.L0),
    };
  }
}

/** How the toy model trains: per-step modular dispatches, or toy_fused_steps.wgsl (K steps per dispatch). */
export type ToyKernel = 'modular' | 'fused';
export const TOY_KERNELS: readonly ToyKernel[] = ['modular', 'fused'];

export interface ToyTrainerOptions {
  kernel?: ToyKernel;
  /** steps per fused dispatch (default 50) */
  kSteps?: number;
  /** threads per model of the fused kernel (default 256, or fewer for small batches or where the device requires) */
  wg?: number;
  subgroups?: boolean;
}

/** Why the fused toy kernel cannot run a job (null when it can). */
export function toyFusedMisfit(spec: ToyJobSpec, device: DeviceCaps, threads?: number, subgroups = true): string | null {
  if (spec.batches) return 'it samples its own data (no replay batches)';
  const rv = toyLayout(spec.dims).P + 1;
  if (rv > 128) return `it reduces P + 1 = ${rv} values per step, at most 128 fit`;
  const wg = toyFusedThreads(spec, device, threads, subgroups);
  if (wg > device.limits.maxComputeInvocationsPerWorkgroup)
    return `${wg} threads per model, the device allows ${device.limits.maxComputeInvocationsPerWorkgroup}`;
  const sg = subgroups && device.features.has('subgroups');
  const bytes = (rv * (wg / 4) + (sg ? 1 : rv * wg) + toyLayout(spec.dims).P) * 4;
  if (bytes > device.limits.maxComputeWorkgroupStorageSize)
    return `needs ${bytes} bytes of workgroup memory, the device allows ${device.limits.maxComputeWorkgroupStorageSize}`;
  return null;
}

function toyFusedThreads(spec: ToyJobSpec, device: DeviceCaps, threads?: number, subgroups = true): number {
  if (threads) return threads;
  const rv = toyLayout(spec.dims).P + 1;
  const sg = subgroups && device.features.has('subgroups');
  for (const t of [256, 128, 64]) {
    if (t > 64 && 4 * t > spec.cfg.B) continue;
    if (t <= device.limits.maxComputeInvocationsPerWorkgroup && (rv * (t / 4) + (sg ? 1 : rv * t) + rv) * 4 <= device.limits.maxComputeWorkgroupStorageSize)
      return t;
  }
  return 64;
}

export class GpuToyTrainer extends GpuJob {
  private constructor(
    ctx: GpuContext,
    readonly spec: ToyJobSpec,
  ) {
    super(ctx, spec.cfg, spec.hyper, 2, 'toy');
  }

  kernel: ToyKernel = 'modular';
  wg = 64;
  subgroups = false;

  static async create(ctx: GpuContext, spec: ToyJobSpec, opts: ToyTrainerOptions = {}): Promise<GpuToyTrainer> {
    checkSpec('toy', spec.cfg, spec.hyper);
    if (spec.cfg.toy_count !== spec.cfg.M) throw new Error(`toy job: toy_count (${spec.cfg.toy_count}) must equal M (${spec.cfg.M})`);
    const t = new GpuToyTrainer(ctx, spec);
    t.kernel = opts.kernel ?? 'modular';
    if (t.kernel === 'fused') {
      const why = toyFusedMisfit(spec, ctx.device, opts.wg, opts.subgroups);
      if (why) throw new Error(`toy job: the fused toy kernel cannot run this job: ${why}`);
      t.wg = toyFusedThreads(spec, ctx.device, opts.wg, opts.subgroups);
      t.subgroups = opts.subgroups !== false && ctx.device.features.has('subgroups');
    }
    await t.init(opts.kSteps ?? 50);
    return t;
  }

  protected get shape(): JobShape {
    return { M: this.cfg.M, B: this.cfg.B, ...this.spec.dims, S: 1, sets: this.spec.sets };
  }

  describe(): string {
    return this.kernel === 'modular'
      ? 'modular'
      : `fused (${this.wg} threads/model${this.subgroups ? ', subgroups' : ', workgroup-memory reduction'}, K=${this.stepsPerOps})`;
  }

  private async init(kSteps: number): Promise<void> {
    const { cfg, dims } = this.spec;
    const T = toyLayout(dims);
    const def = { N_FEAT: dims.N, D_HID: dims.D, S_LAT: 1 };
    if (this.spec.toyParams.length !== cfg.M * T.P) throw new Error(`toy job: toyParams has ${this.spec.toyParams.length} floats, expected ${cfg.M * T.P}`);
    this.cfgKernel = await this.ctx.kernel('adam.wgsl', { defines: { ...def, P_COUNT: T.P } });
    this.initCommon();
    if (this.kernel === 'fused') {
      this.buf('tables', 0, this.spec.tables);
      this.buf('importance', 0, this.spec.importance);
      this.pool.params = this.pool.toy_params = this.buf('toy_params', 0, this.spec.toyParams);
      this.buf('adam', 2 * cfg.M * T.P * 4);
      this.stepsPerOps = kSteps;
      await this.op('toy_fused_steps.wgsl', { K_STEPS: kSteps, WG: this.wg, ...subgroupDefines(this.ctx.device, this.subgroups) });
      await this.op('step_advance.wgsl', { AMOUNT: kSteps });
      return;
    }
    const rows = cfg.M * cfg.B;
    this.buf('x', rows * dims.N * 4);
    if (this.spec.batches) {
      if (this.spec.batches.length !== cfg.T * cfg.B * dims.N)
        throw new Error(`toy replay: batches has ${this.spec.batches.length} floats, expected T*B*N = ${cfg.T * cfg.B * dims.N}`);
      this.buf('src', 0, this.spec.batches);
      this.pool.out = this.pool.x; // copy_step's output
    } else {
      this.buf('tables', 0, this.spec.tables);
    }
    this.buf('importance', 0, this.spec.importance);
    this.pool.params = this.pool.toy_params = this.buf('toy_params', 0, this.spec.toyParams);
    this.buf('grads', cfg.M * T.P * 4);
    this.buf('adam', 2 * cfg.M * T.P * 4);
    this.buf('toy_work', rows * T.REC * 4);
    if (this.spec.batches) {
      await this.op('copy_step.wgsl', { WIDTH: dims.N });
    } else {
      await this.op('sample_data.wgsl');
    }
    await this.op('toy_forward.wgsl');
    await this.op('toy_loss.wgsl');
    await this.op('toy_grad.wgsl');
    await this.op('adam.wgsl', { P_COUNT: T.P });
    await this.op('step_advance.wgsl');
  }

  train(steps: number, opts: TrainOptions = {}): Promise<void> {
    return super.train(steps, opts, (this.cfg.M * this.cfg.B * (this.spec.dims.N * this.spec.dims.D * 6 + 10)) / (this.kernel === 'fused' ? 8 : 1));
  }

  async readParams(): Promise<Float32Array> {
    return this.ctx.readF32(this.pool.toy_params as GPUBuffer, this.cfg.M * toyLayout(this.spec.dims).P);
  }

  lossCurve(m: number): { step: number[]; loss: number[] } {
    return { step: this.history.map((r) => r.step), loss: this.history.map((r) => r.values[m * 2]) };
  }
}

/**
 * How many models one evaluation dispatch may hold: its per-sample buffers (work [Mc][B][REC], toy_work
 * [Mc][B][REC_T], x [Mc][B][N]) must fit the adapter's buffer limits and its (ceil(Mc*B/wg), 1, 1) grid the
 * workgroup-count limit (wg: the per-sample kernels' reflected workgroup size). Throws, naming the limit,
 * when not even one model fits.
 */
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
): Promise<{ metrics: Float32Array; probe: Float32Array; kernel: EvalKernel }> {
  const { dims } = spec;
  const L = saeLayout(dims);
  const M = spec.cfg.M;
  const kernel = opts.kernel ?? evalKernelFor(ctx, spec);
  if (kernel === 'cpu') return { ...(await evaluateGroup(ctx, spec, params, samples, seedSalt, 0, M, true)), kernel };
  let per = opts.modelsPerDispatch;
  if (per === undefined) {
    // the per-sample kernels set the grid: one invocation per sample of every model in the group
    const shape: JobShape = { M, B: samples, ...dims, sets: spec.sets };
    const perSample = ['sample_data.wgsl', 'toy_forward.wgsl', 'sae_forward.wgsl'];
    const sizes = await Promise.all(perSample.map(async (f) => (await ctx.kernel(f, { defines: definesFor(f, shape) })).workgroupSize.reduce((a, b) => a * b)));
    per = evalModelsPerDispatch(dims, samples, M, ctx.device.limits, Math.min(...sizes));
  }
  if (per >= M) return { ...(await evaluateGroup(ctx, spec, params, samples, seedSalt, 0, M, false)), kernel };
  if (spec.cfg.toy_count !== 1)
    throw new Error(`evaluation: ${M} models do not fit one dispatch, and grouping needs a single toy model (toy_count ${spec.cfg.toy_count})`);
  const metrics = new Float32Array(M * L.MET_W),
    probe = new Float32Array(M * dims.N * dims.S);
  for (let m0 = 0; m0 < M; m0 += per) {
    const n = Math.min(per, M - m0);
    const r = await evaluateGroup(ctx, spec, params.subarray(m0 * L.P, (m0 + n) * L.P), samples, seedSalt, m0, n, false);
    metrics.set(r.metrics, m0 * L.MET_W);
    probe.set(r.probe, m0 * dims.N * dims.S);
  }
  return { metrics, probe, kernel };
}

/**
 * The evaluation's kernels: 'modular' (sample_data -> toy_forward -> sae_forward -> sae_eval, per-sample
 * records reduced in workgroups) or 'cpu' (shaders/sae_eval_cpu.wgsl: one invocation per model walks its
 * samples, no records; 1,000,000 samples of 125 SAEs took 44 s modular on lavapipe). Same samples and
 * formulas, sums in another order. cpu on software adapters for SAEs with d*s <= 64 (larger ones keep
 * private arrays in per-lane memory there: 125 x 300 samples took 9 s on SwiftShader at d = 16, s = 64),
 * except BatchTopK (its threshold needs the whole batch first).
 */
export type EvalKernel = 'modular' | 'cpu';

export function evalKernelFor(ctx: GpuContext, spec: Pick<SaeJobSpec, 'cfg' | 'dims'>): EvalKernel {
  const small = spec.dims.D * spec.dims.S <= 64;
  return isSoftwareAdapter(ctx.adapter) && small && !(spec.cfg.flags & FLAG.BATCH_TOPK) ? 'cpu' : 'modular';
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
): Promise<{ metrics: Float32Array; probe: Float32Array }> {
  const { dims } = spec;
  const L = saeLayout(dims),
    T = toyLayout(dims);
  const M = count;
  // no ghost, cosine or batch-FVU terms in the evaluation; the encoder variant (pre-bias, JumpReLU, BatchTopK) stays
  const cfg: GpuConfig = {
    ...spec.cfg,
    M,
    B: samples,
    T: 1,
    flags: spec.cfg.flags & (FLAG.PRE_BIAS | FLAG.JUMPRELU | FLAG.BATCH_TOPK),
    act_stride: T.REC,
    act_offset: T.H,
    hist_len: 1,
  };
  const hyper = spec.hyper.slice(m0, m0 + count).map((h) => ({ ...h, seed: (h.seed ^ seedSalt) >>> 0 }));
  const def = { N_FEAT: dims.N, D_HID: dims.D, S_LAT: dims.S };
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
    const fwd = await ctx.kernel('sae_forward.wgsl', { defines: def });
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
    const shape: JobShape = { M, B: samples, ...dims, sets: spec.sets };
    const files = cpu
      ? ['sae_probe.wgsl', 'sae_eval_cpu.wgsl']
      : [
          'sample_data.wgsl',
          'toy_forward.wgsl',
          ...(cfg.flags & FLAG.BATCH_TOPK ? ['sae_batch_topk.wgsl'] : []),
          'sae_forward.wgsl',
          'sae_probe.wgsl',
          'sae_eval.wgsl',
        ];
    // the CPU-shaped kernel: the cpu SAE step's workgroup (SIMD lanes) and its specialisation and unrolling
    const cpuDefines = { WG: SAE_STEPS.cpu.workgroup(1, ctx.adapter), ...SAE_STEPS.cpu.defines(ctx.device, false, cfg) };
    const bound = await Promise.all(
      files.map(async (file) => {
        const defines = { ...definesFor(file, shape), ...(file === 'sae_eval_cpu.wgsl' ? cpuDefines : {}) };
        const k = await ctx.kernel(file, { defines });
        return { k, groups: k.bindPool(pool), wg: k.grid(kernelEntry(file).grid(shape, defines)) };
      }),
    );
    await ctx.run('evaluate SAEs', (pass) => bound.forEach((o) => o.k.dispatch(pass, o.groups, ...o.wg)));
    const [metrics, probe] = await ctx.readback([pool.metrics, pool.probe], [M * L.MET_W * 4, M * dims.N * dims.S * 4]);
    return { metrics: new Float32Array(metrics), probe: new Float32Array(probe) };
  } finally {
    owned.forEach((b) => b.destroy());
  }
}
