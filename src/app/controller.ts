// The experiment page's controller: runs one experiment or several in turn on the page's device through the
// study loop (experiments/loop.ts, the CLI's too) with an IndexedDB sink, owns the run state (running,
// paused, stop requested) and tells the view what to show through callbacks. No DOM here.
import type { GpuContext } from '../gpu/context';
import { runExperiment, type StageProgress } from '../experiments/runner';
import type { ExperimentResult } from '../results/schema';
import { ExperimentProgress } from '../experiments/progress';
import type { ExperimentConfig } from '../config/schema';
import { toStored, type StoredExperiment } from '../results/stored';
import { runStudyLoop, type StudySink } from '../experiments/loop';
import type { GpuSaeTrainer } from '../train/sae';
import { saveRun, type SavedRun } from './store';
import type { LiveModel } from './views';

export class Stopped extends Error {}

export interface RunCallbacks {
  /** an experiment starts (index of count) */
  onStart(c: ExperimentConfig, index: number, count: number): void;
  /** progress line and overall fraction of this experiment (0..1) */
  onStatus(text: string, fraction: number): void;
  /** a logged training loss, and a batch-FVU evaluation point */
  onLoss(step: number, loss: number): void;
  onBatchLoss(step: number, loss: number): void;
  /** at most every 0.7 s while the SAEs train: current parameters for the live figures (d = 2) */
  onLive(c: ExperimentConfig, params: Float32Array, models: LiveModel[], toyFeatures: number[][]): void;
  /** a finished experiment, already saved */
  onFinished(run: SavedRun): Promise<void> | void;
}

export class RunController {
  running = false;
  paused = false;
  private stopRequested = false;
  private resume: (() => void) | null = null;

  constructor(
    private readonly ctx: GpuContext,
    /** where finished runs are kept and figures drawn (default: IndexedDB and the page; tests pass their own) */
    private readonly env: { save?: (run: SavedRun) => Promise<void>; document?: Document } = {},
  ) {}

  /** Awaited between training chunks: waits while paused, throws Stopped after Stop. */
  readonly gate = async (): Promise<void> => {
    if (this.stopRequested) throw new Stopped('stopped');
    if (this.paused)
      await new Promise<void>((r) => {
        this.resume = r;
      });
    if (this.stopRequested) throw new Stopped('stopped');
  };

  togglePause(): boolean {
    this.paused = !this.paused;
    if (!this.paused) {
      this.resume?.();
      this.resume = null;
    }
    return this.paused;
  }

  stop(): void {
    this.stopRequested = true;
    this.resume?.();
  }

  /** Run the experiments in turn through the study loop, each saved as it finishes; returns the stored
   * results of all (throws Stopped when stopped). */
  async runAll(configs: ExperimentConfig[], preset: string, cb: RunCallbacks): Promise<StoredExperiment[]> {
    this.running = true;
    this.paused = false;
    this.stopRequested = false;
    try {
      const done: StoredExperiment[] = [];
      const sink: StudySink = {
        put: async (r, figures) => {
          const files = Object.fromEntries(Object.keys(figures).map((f) => [f.replace('.svg', ''), f]));
          const experiment = toStored(r, files);
          const run: SavedRun = { id: `${Date.now()}-${done.length}`, date: new Date().toISOString(), preset, experiment, figures, weights: r.weights };
          await (this.env.save ?? saveRun)(run);
          done.push(experiment);
          await cb.onFinished(run);
        },
      };
      await runStudyLoop(configs, (c, i) => this.runOne(c, i, configs.length, cb), sink, {
        document: this.env.document ?? document,
        onStart: (c, i, n) => cb.onStart(c, i, n),
      });
      return done;
    } finally {
      this.running = false;
      this.paused = false;
    }
  }

  /** Train one experiment on the page's device, with progress, live figures and the pause/stop gate. */
  private async runOne(c: ExperimentConfig, index: number, count: number, cb: RunCallbacks): Promise<ExperimentResult> {
    const t0 = performance.now();
    let toyFeatures: number[][] = [];
    let lastDraw = 0;
    const prefix = count > 1 ? `[${index + 1}/${count} ${c.name}] ` : '';
    const work = new ExperimentProgress(c, this.ctx.adapter); // the CLI's weighting: each stage by its work
    const onProgress = (p: StageProgress) => {
      // a training-curve evaluation: its point goes to the chart, the status keeps the training progress
      if (p.batch_loss !== undefined) {
        cb.onBatchLoss(p.step, p.batch_loss);
        return;
      }
      const frac = work.fraction(p);
      const elapsed = (performance.now() - t0) / 1000;
      const eta = frac > 0.02 ? (elapsed / frac) * (1 - frac) : NaN;
      cb.onStatus(
        `${this.paused ? 'paused — ' : ''}${prefix}${p.stage === 'toy' ? 'toy model' : p.stage === 'sae' ? `${p.models} SAEs` : p.stage === 'ref' ? `${p.models} reference SAEs` : 'evaluating'}: step ${p.step}/${p.total}` +
          `${Number.isFinite(p.loss) ? `, loss ${p.loss.toPrecision(4)}` : ''}${p.diverged ? `, ${p.diverged} diverged` : ''} — ${elapsed.toFixed(0)} s${Number.isFinite(eta) ? `, ETA ${eta.toFixed(0)} s` : ''}`,
        frac,
      );
      if (p.stage === 'sae' && Number.isFinite(p.loss)) cb.onLoss(p.step, p.loss);
    };
    const onSaeChunk = async (job: GpuSaeTrainer, models: LiveModel[]) => {
      if (c.toy.d === 2) {
        if (!toyFeatures.length) {
          const tp = await job.ctx.readF32(job.buffer('toy_params'));
          const n = c.data.sets.reduce((a, b) => a + b, 0);
          toyFeatures = Array.from({ length: n }, (_, i) => [tp[i * 2], tp[i * 2 + 1]]);
        }
        if (performance.now() - lastDraw > 700) {
          lastDraw = performance.now();
          cb.onLive(c, await job.readParams(), models, toyFeatures);
        }
      }
      await this.gate();
    };
    const r: ExperimentResult = await runExperiment(this.ctx, c, { onProgress, onToyChunk: this.gate, onSaeChunk, onRefChunk: this.gate });
    cb.onStatus(`${prefix}finished in ${((performance.now() - t0) / 1000).toFixed(1)} s (${r.saes.length} SAEs, ${r.sae_path} path)`, 1);
    return r;
  }
}
