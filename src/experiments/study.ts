// Run a whole preset through the study loop (loop.ts) with a file sink: each experiment written as soon as
// it finishes; an existing results.json in the output folder is resumed (finished experiments are
// skipped). Also merges shards.
import { saeDimsOf } from '../variants';
import { join } from 'node:path';
import type { GpuContext } from '../gpu/context';
import { writeFileAtomic } from '../io/files';
import { saeLayout } from '../core/wire';
import { experimentFigures } from '../plots/figures';
import { runStudyLoop, type StudySink } from './loop';
import { phaseFigure, phasePoints } from '../plots/phase';
import { renderReport } from './report';
import { writeFutureWork } from './future-work-report';
import { summarize, summaryMarkdown } from './summary';
import { loadExperiment, newResults, readResults, saveResults, writeExperiment, type ResultsFile } from './results';
import { runExperiment, type RunOptions } from './runner';
import type { ExperimentResult } from '../results/schema';
import { parseExperiment, type ExperimentConfig, type PresetConfig } from '../config/schema';

export interface StudyOptions extends RunOptions {
  document: Document;
  /** how an experiment is run (default: runExperiment on `ctx`; the CLI's browser runtime runs it in headless Chromium) */
  execute?: (exp: ExperimentConfig) => Promise<ExperimentResult>;
  onExperimentDone?: (name: string, r: ExperimentResult, skipped: boolean) => void;
  /** stop after running this many experiments (tests of resume) */
  maxExperiments?: number;
  /** the command line recorded in results.json and summary.json (default: this process's arguments) */
  command?: string;
}

/** summary.json and summary.md beside results.json. */
export function writeSummary(outDir: string, res: ResultsFile, expected?: number, second?: ResultsFile): void {
  const s = summarize(res, expected, second);
  writeFileAtomic(join(outDir, 'summary.json'), JSON.stringify(s, null, 1) + '\n');
  writeFileAtomic(join(outDir, 'summary.md'), summaryMarkdown(s));
}

function thisCommand(): string {
  return ['npm start --', ...process.argv.slice(2)].join(' ');
}

/** A finished experiment's stored config is this one, once the defaults of options added since it was written are filled in. */
function sameConfig(stored: unknown, exp: ExperimentConfig): boolean {
  if (JSON.stringify(stored) === JSON.stringify(exp)) return true;
  try {
    return JSON.stringify(parseExperiment(stored)) === JSON.stringify(exp);
  } catch {
    return false; // a config this version no longer accepts: redo the experiment
  }
}

export async function runPreset(
  ctx: GpuContext | null,
  preset: PresetConfig,
  outDir: string,
  opts: StudyOptions & { adapter?: ResultsFile['adapter'] },
): Promise<ResultsFile> {
  const shard = opts.shard ?? null;
  let res = readResults(outDir, { published: true });
  if (res) {
    if (res.preset !== preset.name) throw new Error(`${outDir} holds results of preset '${res.preset}', not '${preset.name}'; choose another --out`);
    if (JSON.stringify(res.shard) !== JSON.stringify(shard))
      throw new Error(`${outDir} holds shard ${JSON.stringify(res.shard)}, not ${JSON.stringify(shard)}`);
    // experiments the preset gained since the folder was started (a variant added, then resumed) join its budget
    // record, which compare checks seed against seed
    const fresh = newResults(preset, null, shard).budget;
    res.budget = { ...res.budget, sae_steps: { ...fresh.sae_steps, ...res.budget.sae_steps }, sae_batch: { ...fresh.sae_batch, ...res.budget.sae_batch } };
  } else {
    res = newResults(preset, ctx?.adapter ?? opts.adapter ?? null, shard);
  }
  res.command = opts.command ?? thisCommand();
  const file = res;
  const sink: StudySink = {
    held: (exp) => {
      const done = file.experiments.find((e) => e.name === exp.name);
      if (done && sameConfig(done.config, exp)) return loadExperiment(outDir, done);
      if (done) file.experiments = file.experiments.filter((e) => e.name !== exp.name); // config changed: redo
      return null;
    },
    put: (r, figures, clock) => {
      file.experiments.push(writeExperiment(outDir, r, figures));
      // a resumed run may be on another adapter: each experiment records its own, res.adapter is the latest
      const adapter = ctx?.adapter ?? opts.adapter ?? null;
      file.adapter = adapter ?? file.adapter;
      file.adapters = { ...file.adapters, [r.name]: adapter };
      const now = performance.now();
      file.timing[r.name] = { ...r.timing, figures_s: (now - clock.trained) / 1000, total_s: (now - clock.started) / 1000 };
      saveResults(outDir, file);
      for (const stage of ['toy', 'sae', 'ref']) opts.checkpoint?.store.remove(`${r.name}/${stage}`); // finished: its checkpoints are spent
      writeSummary(outDir, file, preset.experiments.length);
      // the future-work bench's leaderboard, refreshed as each experiment lands (a long run is readable part-way)
      writeFutureWork(outDir, [file], opts.document);
    },
  };
  const run = (exp: ExperimentConfig) => {
    if (!ctx && !opts.execute) throw new Error('no GPU context to run experiments with');
    return opts.execute ? opts.execute(exp) : runExperiment(ctx!, exp, opts);
  };
  // every experiment's shapes against this adapter's limits before the first starts: a misfit found hours into a
  // preset (fixes-full's Matryoshka BatchTopK evaluation) costs the run
  if (ctx && !opts.execute) for (const e of preset.experiments) parseExperiment(e, ctx.device.limits);
  await runStudyLoop(preset.experiments, run, sink, opts);
  if (res.experiments.length === preset.experiments.length) {
    const points = phasePoints(res.experiments);
    if (points.length) writeFileAtomic(join(outDir, 'phase.svg'), phaseFigure(points, opts.document));
    // results.json too: a resumed copy of a published run (results.json.gz only) with nothing left to run has none yet
    saveResults(outDir, res);
    writeFileAtomic(join(outDir, 'report.md'), renderReport(res));
    writeSummary(outDir, res, preset.experiments.length);
  }
  return res;
}

/** Merge shard folders (same preset, shards 0..n-1) into one result, as if run unsharded. */
export function mergeShards(shardDirs: string[], outDir: string, document: Document): ResultsFile {
  const parts = shardDirs.map((d) => {
    const r = readResults(d);
    if (!r) throw new Error(`merge: ${d} has no results.json`);
    if (!r.shard) throw new Error(`merge: ${d} is not a shard (it was run without --shard)`);
    return { dir: d, r };
  });
  const preset = parts[0].r.preset,
    count = parts[0].r.shard!.count;
  for (const p of parts) {
    if (p.r.preset !== preset) throw new Error(`merge: ${p.dir} is preset '${p.r.preset}', ${parts[0].dir} is '${preset}'`);
    if (p.r.shard!.count !== count) throw new Error(`merge: ${p.dir} is one of ${p.r.shard!.count} shards, expected ${count}`);
  }
  const have = new Set(parts.map((p) => p.r.shard!.index));
  for (let i = 0; i < count; i++) if (!have.has(i)) throw new Error(`merge: shard ${i}/${count} is missing`);
  const merged: ResultsFile = { ...parts[0].r, shard: null, experiments: [], timing: {}, started: parts[0].r.started };
  // every experiment is loaded and checked before anything is written
  const loaded = parts[0].r.experiments.map((e0) => {
    const pieces = parts.map((p) => {
      const e = p.r.experiments.find((x) => x.name === e0.name);
      if (!e) throw new Error(`merge: experiment '${e0.name}' missing from ${p.dir}`);
      return loadExperiment(p.dir, e);
    });
    sameToyModel(
      e0.name,
      parts.map((p) => p.dir),
      pieces,
    );
    return { e0, pieces };
  });
  for (const { e0, pieces } of loaded) {
    const r = mergeExperiment(pieces);
    merged.experiments.push(writeExperiment(outDir, r, experimentFigures(r, document)));
    merged.timing[e0.name] = Object.fromEntries(
      Object.keys(parts[0].r.timing[e0.name] ?? {}).map((k) => [k, Math.max(...parts.map((p) => p.r.timing[e0.name]?.[k] ?? 0))]),
    );
  }
  // each experiment's adapter: the shards' when they agree, else each shard's by index (shard_adapters)
  const same = (xs: unknown[]) => xs.every((x) => JSON.stringify(x) === JSON.stringify(xs[0]));
  const byIndex = [...parts].sort((x, y) => x.r.shard!.index - y.r.shard!.index);
  merged.adapters = Object.fromEntries(
    merged.experiments.map((e) => {
      const as = byIndex.map((p) => p.r.adapters?.[e.name] ?? p.r.adapter);
      return [e.name, same(as) ? as[0] : null];
    }),
  );
  if (!same(byIndex.map((p) => p.r.adapter))) merged.shard_adapters = byIndex.map((p) => p.r.adapter);
  merged.command = thisCommand();
  saveResults(outDir, merged);
  writeFileAtomic(join(outDir, 'report.md'), renderReport(merged));
  writeSummary(outDir, merged);
  return merged;
}

/**
 * Every shard trains the experiment's toy model itself, and its SAEs on it; the merge keeps the first shard's.
 * So the shards' toy models must be the same bits. On a software adapter they are (a fixed kernel table); on
 * a GPU each process picks the toy model's kernel by its own short benchmark (src/train/choose.ts), and the
 * versions' sums differ in the last bits: shards that picked differently cannot be merged into one run.
 */
function sameToyModel(name: string, dirs: string[], pieces: ExperimentResult[]): void {
  const t0 = pieces[0].weights.toy;
  const kernel = (p: ExperimentResult) => {
    const k = p.kernels?.toy;
    // a toy model reused within a process records 'cached' and, in its reason, the kernel that trained it
    return k ? (k.kernel === 'cached' ? (/\((\w+), by /.exec(k.why)?.[1] ?? 'cached') : k.kernel) : 'not recorded';
  };
  pieces.forEach((p, i) => {
    const t = p.weights.toy;
    let n = 0,
      max = 0;
    for (let j = 0; j < Math.min(t.length, t0.length); j++)
      if (!Object.is(t[j], t0[j])) {
        n++;
        max = Math.max(max, Math.abs(t[j] - t0[j]));
      }
    if (n === 0 && t.length === t0.length) return;
    throw new Error(
      `merge: experiment '${name}': the toy model of ${dirs[i]} differs from that of ${dirs[0]} (${
        t.length !== t0.length ? `${t.length} vs ${t0.length} parameters` : `${n} of ${t.length} parameters, max |diff| ${max.toExponential(2)}`
      }; toy kernel ${kernel(p)} vs ${kernel(pieces[0])}), so their SAEs were trained on different toy models and cannot be merged. ` +
        'On a GPU each shard benchmarks the toy kernels itself: rerun the differing shard (its folder removed) with SAE_KIT_CACHE naming a ' +
        "copy of the kernel-choice cache of the first shard's machine (~/.cache/sae-kit/kernel-choice.json), so that it takes the same kernel",
    );
  });
}

function mergeExperiment(pieces: ExperimentResult[]): ExperimentResult {
  const nL1 = pieces[0].config.grid.l1.length;
  const all = pieces.flatMap((p) => p.saes.map((s) => ({ p, s })));
  all.sort((a, b) => a.s.cell[0] * nL1 + a.s.cell[1] - (b.s.cell[0] * nL1 + b.s.cell[1]) || a.s.realization - b.s.realization);
  const P = saeLayout({ D: pieces[0].config.toy.d, S: pieces[0].config.sae.s, ...saeDimsOf(pieces[0].config.sae) }).P;
  const weights = new Float32Array(all.length * P);
  const newIndex = new Map<string, number>();
  all.forEach(({ p, s }, i) => {
    weights.set(p.weights.saes.subarray(s.index * P, (s.index + 1) * P), i * P);
    newIndex.set(`${pieces.indexOf(p)}:${s.index}`, i);
  });
  const remap = (p: ExperimentResult, m: number) => newIndex.get(`${pieces.indexOf(p)}:${m}`)!;
  const saes = all.map(({ s }, i) => ({ ...s, index: i }));
  const cells = pieces
    .flatMap((p) =>
      p.cells.map((c) => ({
        ...c,
        models: c.models.map((m) => remap(p, m)),
        lowest_loss: remap(p, c.lowest_loss),
        lowest_by: c.lowest_by ? { per_sample_fvu: remap(p, c.lowest_by.per_sample_fvu), batch_fvu: remap(p, c.lowest_by.batch_fvu) } : c.lowest_by,
        most_monosemantic: remap(p, c.most_monosemantic),
      })),
    )
    .sort((a, b) => a.cell[0] * nL1 + a.cell[1] - (b.cell[0] * nL1 + b.cell[1]));
  const total = all.map(({ p, s }) => p.curves.total[s.index]);
  // the evaluation curve's steps follow the training chunks, which depend on the shard's size: kept only when all agree
  const sameSteps = pieces.every((p) => p.curves.eval && JSON.stringify(p.curves.eval.step) === JSON.stringify(pieces[0].curves.eval!.step));
  const ev = sameSteps
    ? {
        step: pieces[0].curves.eval!.step,
        batch: all.map(({ p, s }) => p.curves.eval!.batch[s.index]),
        per_sample: all.map(({ p, s }) => p.curves.eval!.per_sample[s.index]),
      }
    : undefined;
  return {
    ...pieces[0],
    shard: null,
    saes,
    cells,
    curves: { step: pieces[0].curves.step, total, ...(ev ? { eval: ev } : {}) },
    weights: { toy: pieces[0].weights.toy, saes: weights },
  };
}
