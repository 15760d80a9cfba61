// Work-weighted progress of an experiment and of a run of several: each stage (toy model, SAE training
// with its selection-loss curve, evaluation) counts by its arithmetic (samples x model size), not as a
// third, so the fraction grows evenly with the work and an ETA from it does not climb. Shared by the CLI's
// progress bar and the browser page's controller. No DOM or Node imports.
import type { AdapterReport } from '../gpu/context';
import { CURVE_EVALS, CURVE_SAMPLES, evalSamplesFor, type StageProgress } from './runner';
import type { ExperimentConfig } from '../config/schema';

export type Stage = StageProgress['stage'];

/** Multiply-adds of each stage, up to a common factor (the per-sample costs the trainers use to size their chunks). */
export function stageWork(c: ExperimentConfig, adapter?: AdapterReport | null, shard?: { index: number; count: number } | null): Record<Stage, number> {
  const N = c.data.sets.reduce((a, b) => a + b, 0),
    D = c.toy.d,
    S = c.sae.s;
  const cells = c.grid.lr.length * c.grid.l1.length;
  const myCells = shard ? Array.from({ length: cells }, (_, i) => i).filter((i) => i % shard.count === shard.index).length : cells;
  const M = myCells * c.realizations;
  const toySample = N * D * 6 + 10,
    saeSample = S * D * 8 + 20,
    evalSample = S * D * 4 + N * D * 2 + 10; // forward passes only
  const curve = Math.min(CURVE_EVALS + 1, c.sae.steps + 1) * M * Math.min(CURVE_SAMPLES, c.eval_samples) * evalSample;
  const refM = c.optimality_gap ? myCells * 2 : 0; // two reference SAEs per cell, trained and evaluated after the SAEs
  return {
    toy: c.toy.steps * c.toy.batch * toySample,
    sae: M * c.sae.steps * c.sae.batch * saeSample + curve,
    eval: M * evalSamplesFor(c, adapter) * evalSample + M * N * evalSample,
    ref: refM * (c.sae.steps * c.sae.batch * saeSample + evalSamplesFor(c, adapter) * evalSample),
  };
}

/** One experiment: the fraction of its work done after a progress report (never decreasing). */
export class ExperimentProgress {
  readonly work: Record<Stage, number>;
  readonly total: number;
  private best = 0;
  constructor(c: ExperimentConfig, adapter?: AdapterReport | null, shard?: { index: number; count: number } | null) {
    this.work = stageWork(c, adapter, shard);
    this.total = this.work.toy + this.work.sae + this.work.eval + this.work.ref;
  }

  /** 0..1 after `p` (a stage's report at step/total). */
  fraction(p: Pick<StageProgress, 'stage' | 'step' | 'total'>): number {
    const order: Stage[] = ['toy', 'sae', 'eval', 'ref'];
    const before = order.slice(0, order.indexOf(p.stage)).reduce((a, st) => a + this.work[st], 0);
    const within = p.total > 0 ? Math.min(1, p.step / p.total) : 0;
    this.best = Math.max(this.best, (before + within * this.work[p.stage]) / this.total);
    return this.best;
  }
}

/** A run of several experiments in turn: the fraction of all their work (finished or skipped ones count as done). */
export class RunProgress {
  private readonly parts: Map<string, ExperimentProgress>;
  private readonly done = new Set<string>();
  private readonly current = new Map<string, number>();
  readonly total: number;
  constructor(experiments: ExperimentConfig[], adapter?: AdapterReport | null, shard?: { index: number; count: number } | null) {
    this.parts = new Map(experiments.map((c) => [c.name, new ExperimentProgress(c, adapter, shard)]));
    this.total = [...this.parts.values()].reduce((a, p) => a + p.total, 0);
  }

  /** An experiment is finished (or skipped because it was finished before). */
  finish(name: string): number {
    this.done.add(name);
    return this.fraction();
  }

  /** 0..1 of the whole run after `p`. */
  update(p: Pick<StageProgress, 'experiment' | 'stage' | 'step' | 'total'>): number {
    const part = this.parts.get(p.experiment);
    if (part) this.current.set(p.experiment, part.fraction(p));
    return this.fraction();
  }

  fraction(): number {
    let w = 0;
    for (const [name, part] of this.parts) w += part.total * (this.done.has(name) ? 1 : (this.current.get(name) ?? 0));
    return this.total > 0 ? w / this.total : 0;
  }
}
