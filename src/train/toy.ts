// The toy-model trainer: the modular kernels of one step or a version of the K-step kernel (src/kernels/toy_steps/:
// fused, cpu), over src/train/job.ts.
import { dimDefines } from '../kernels/defines';
import type { GpuContext } from '../gpu/context';
import type { JobShape } from '../kernels/registry';
import type { FitTarget } from '../kernels/sae_steps';
import { TOY_STEPS, type ToyStepsKernel } from '../kernels/toy_steps';
import { toyLayout } from '../core/wire';
import { checkSpec, type ToyJobSpec } from '../core/job';
import { GpuJob, type TrainOptions } from './job';

export type ToyKernel = 'modular' | ToyStepsKernel;
export const TOY_KERNELS: readonly ToyKernel[] = ['modular', ...(Object.keys(TOY_STEPS) as ToyStepsKernel[])];

export interface ToyTrainerOptions {
  kernel?: ToyKernel;
  /** steps per dispatch of a K-step version (default 50) */
  kSteps?: number;
  /** threads per model of the fused version (default 256, or fewer for small batches or where the device requires) */
  wg?: number;
  subgroups?: boolean;
}

/** Why a K-step toy version (default fused) cannot run a job (null when it can): its unit's rule (src/kernels/toy_steps/). */
export function toyStepsMisfit(spec: ToyJobSpec, target: FitTarget, threads?: number, subgroups = true, kernel: ToyStepsKernel = 'fused'): string | null {
  return TOY_STEPS[kernel].misfit(spec, target, threads, subgroups);
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
    if (t.kernel !== 'modular') {
      const v = TOY_STEPS[t.kernel];
      const why = v.misfit(spec, ctx.caps, opts.wg, opts.subgroups);
      if (why) throw new Error(`toy job: the ${t.kernel} toy kernel cannot run this job: ${why}`);
      t.wg = v.threads(spec, ctx.caps, opts.wg, opts.subgroups);
      t.subgroups = opts.subgroups !== false && ctx.device.features.has('subgroups');
    }
    await t.init(opts.kSteps ?? 50);
    return t;
  }

  protected get shape(): JobShape {
    return { M: this.cfg.M, B: this.cfg.B, ...this.spec.dims, S: 1, sets: this.spec.sets };
  }

  describe(): string {
    return this.kernel === 'modular' ? 'modular' : TOY_STEPS[this.kernel].describe(this.wg, this.subgroups, this.stepsPerOps);
  }

  private async init(kSteps: number): Promise<void> {
    const { cfg, dims } = this.spec;
    const T = toyLayout(dims);
    const def = dimDefines({ ...dims, S: 1 });
    if (this.spec.toyParams.length !== cfg.M * T.P) throw new Error(`toy job: toyParams has ${this.spec.toyParams.length} floats, expected ${cfg.M * T.P}`);
    this.cfgKernel = this.ctx.layout('adam.wgsl', { defines: { ...def, P_COUNT: T.P } });
    this.initCommon();
    if (this.kernel !== 'modular') {
      const v = TOY_STEPS[this.kernel];
      this.buf('tables', 0, this.spec.tables);
      this.buf('importance', 0, this.spec.importance);
      this.pool.params = this.pool.toy_params = this.buf('toy_params', 0, this.spec.toyParams);
      this.buf('adam', 2 * cfg.M * T.P * 4);
      this.stepsPerOps = kSteps;
      await this.op(v.file, v.defines(this.wg, this.ctx.device, this.subgroups, kSteps, cfg, this.ctx.adapter));
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
    return super.train(steps, opts, (this.cfg.M * this.cfg.B * (this.spec.dims.N * this.spec.dims.D * 6 + 10)) / (this.kernel === 'modular' ? 1 : 8));
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
