// The SAE trainer: the modular kernels of one step (sample_data -> toy_forward -> ... -> adam) or a fused
// K-step version (src/kernels/sae_steps/index.ts), over the job of src/train/job.ts.
import type { GpuContext } from '../gpu/context';
import { dimDefines, type JobShape } from '../kernels/registry';
import { fusedMisfit, fusedThreads, SAE_STEPS, stepDefines, type SaeKernel } from '../kernels/sae_steps';
import { FLAG, HIST, saeLayout, toyLayout } from '../core/wire';
import { variantDefines, variantOf } from '../variants';
import { checkSaeSpec, type SaeJobSpec } from '../core/job';
import { GpuJob, type TrainOptions } from './job';

export type SaePath = 'modular' | 'fused';

export interface SaeTrainerOptions {
  path?: SaePath;
  /** fused kernel version (default v1) */
  kernel?: SaeKernel;
  kSteps?: number;
  /** invocations per model of the fused kernel (default: the version's own rule, src/kernels/sae_steps/index.ts) */
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
    const path = opts.path ?? (fusedMisfit(spec, ctx.caps, kernel, opts.threads, opts.subgroups) === null ? 'fused' : 'modular');
    if (path === 'fused') {
      const why = fusedMisfit(spec, ctx.caps, kernel, opts.threads, opts.subgroups);
      if (why) throw new Error(`SAE job: the fused path (${kernel}) cannot run this job: ${why}`);
    }
    t.path = path;
    t.kernel = kernel;
    t.threads = fusedThreads(spec, kernel, ctx.caps, opts.threads, opts.subgroups);
    t.subgroups = SAE_STEPS[kernel].shapedFor === 'gpu' && opts.subgroups !== false && ctx.device.features.has('subgroups');
    await t.init(opts.kSteps ?? 25);
    return t;
  }

  path: SaePath = 'modular';

  /** What runs: "modular", "fused v1 (16 threads/model, K=25)", ... (the version's own line). */
  describe(): string {
    if (this.path === 'modular') return 'modular';
    const v = SAE_STEPS[this.kernel];
    return v.describe(this.threads, this.subgroups, this.stepsPerOps, v.workgroup(this.threads, this.ctx.adapter, this.spec.cfg.M));
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
    this.cfgKernel = this.ctx.layout('sae_forward.wgsl', { defines: { ...def, ...variantDefines(cfg) } });
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
    // p-annealing's queue sums (lib/p_anneal_step.wgsl; untouched without annealing)
    this.buf('anneal', 0, new Float32Array(cfg.M * 2));
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
      await this.op(v.file, stepDefines(v, this.spec, this.threads, this.ctx.device, this.subgroups, this.ctx.adapter, kSteps));
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
    const prepass = variantOf(cfg).prepass;
    if (prepass) await this.op(prepass);
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

  /** Each model's lambda now (p-annealing rescales it in training; else the configured one, rounded to f32). */
  async readLambda(): Promise<Float32Array> {
    const h = await this.ctx.readF32(this.pool.hyper as GPUBuffer, this.cfg.M * 4); // Hyper: lr, l1, cos, seed (16 bytes)
    return Float32Array.from({ length: this.cfg.M }, (_, m) => h[m * 4 + 1]);
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

/** How the toy model trains: per-step modular dispatches, or the fused toy step (src/kernels/toy_steps/, K steps per dispatch). */
