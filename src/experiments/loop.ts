// The study loop, written once for the CLI and the browser app: every experiment of a list in turn, its
// figures drawn and the result handed to a sink as soon as it finishes, so a stop or a crash never loses a
// finished experiment. The CLI's sink writes result files and resumes from them (study.ts runPreset), the
// app's keeps runs in IndexedDB (app/controller.ts). No Node or DOM imports: both bundles use it.
import type { ExperimentConfig } from '../config/schema';
import { experimentFigures } from '../plots/figures';
import type { ExperimentResult } from '../results/schema';

/** When an experiment started and when its training ended (performance.now() ms), for the sink's timing. */
export interface ExperimentClock {
  started: number;
  trained: number;
}

export interface StudySink {
  /** the result of an experiment the sink already holds for this very config (resumed: not run again), else null */
  held?(exp: ExperimentConfig): ExperimentResult | null;
  /** keep a finished experiment and its figures (SVG text by file name) */
  put(r: ExperimentResult, figures: Record<string, string>, clock: ExperimentClock): Promise<void> | void;
}

export interface StudyLoopOptions {
  document: Document;
  /** stop after running this many experiments (tests of resume) */
  maxExperiments?: number;
  onStart?(exp: ExperimentConfig, index: number, count: number): void;
  onExperimentDone?(name: string, r: ExperimentResult, skipped: boolean): void;
}

/** Run the experiments in turn through `run`, each kept by `sink`; returns how many ran (held ones are skipped). */
export async function runStudyLoop(
  configs: readonly ExperimentConfig[],
  run: (exp: ExperimentConfig, index: number) => Promise<ExperimentResult>,
  sink: StudySink,
  opts: StudyLoopOptions,
): Promise<number> {
  let ran = 0;
  for (const [i, exp] of configs.entries()) {
    const held = sink.held?.(exp);
    if (held) {
      opts.onExperimentDone?.(exp.name, held, true);
      continue;
    }
    if (opts.maxExperiments !== undefined && ran >= opts.maxExperiments) break;
    opts.onStart?.(exp, i, configs.length);
    const started = performance.now();
    const r = await run(exp, i);
    const trained = performance.now();
    await sink.put(r, experimentFigures(r, opts.document), { started, trained });
    ran++;
    opts.onExperimentDone?.(exp.name, r, false);
  }
  return ran;
}
