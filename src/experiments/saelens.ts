// SAELens interop on disk and on the GPU: export a run's SAEs as SAELens folders (cfg.json + sae_weights.safetensors,
// the format in src/io/saelens.ts), read such folders back, and evaluate them on an experiment's toy data with the
// kit's own stages (evaluateStage, analyseStage: matched-recovery verdict, MCC, FVU, L0, dead latents).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GpuContext } from '../gpu/context';
import { NOT_DIVERGED, saeLayout } from '../core/wire';
import { rngU32, STREAM } from '../core/rng';
import { parseExperiment, type ExperimentConfig } from '../config/schema';
import { dataSetup, saeJobPlan } from '../jobs/experiment';
import { saeVariant } from '../variants';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors';
import { OutputError, writeFileAtomic } from '../io/files';
import {
  decodeFloatSafetensors,
  fromSaeLens,
  kitParams,
  kitSaesFromStored,
  SAE_CFG_FILENAME,
  SAE_WEIGHTS_FILENAME,
  SaeLensFormatError,
  toSaeLens,
  type KitSae,
  type KitVariant,
} from '../io/saelens';
import type { SaeResult } from '../results/schema';
import { readResults } from './results';
import { analyseStage, evaluateStage, trainToyStage, type SaeStage, type ToyStage } from './runner';

/** The experiments of a run folder: results.json's, else (a published run: results.json.gz) every sub-folder with saes.safetensors. */
export function runExperiments(run: string): string[] {
  if (!existsSync(run) || !statSync(run).isDirectory()) throw new SaeLensFormatError(`run folder ${run} does not exist or is not a folder`);
  const res = readResults(run);
  const names = res
    ? res.experiments.map((e) => e.name)
    : readdirSync(run, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(run, d.name, 'saes.safetensors')))
        .map((d) => d.name)
        .sort();
  if (!names.length) throw new SaeLensFormatError(`${run} is not a run folder: no results.json and no <experiment>/saes.safetensors`);
  return names;
}

function experimentConfig(run: string, experiment: string): ExperimentConfig {
  const p = join(run, experiment, 'config.json');
  if (!existsSync(p)) throw new SaeLensFormatError(`${p} is missing: experiment '${experiment}' of ${run} is not finished or not there`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new SaeLensFormatError(`${p} is not readable JSON (${(e as Error).message})`);
  }
  return parseExperiment(json);
}

/** A run's trained SAEs of one experiment, in the kit's form (KitSae: SAELens's orientation). */
export function loadRunSaes(run: string, experiment: string): { config: ExperimentConfig; saes: KitSae[] } {
  const config = experimentConfig(run, experiment);
  const p = join(run, experiment, 'saes.safetensors');
  if (!existsSync(p)) throw new SaeLensFormatError(`${p} is missing: experiment '${experiment}' of ${run} has no trained SAEs`);
  const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(p)), p);
  // a variant whose loss differs (Matryoshka) runs as its activation's variant once trained
  const variant = (saeVariant(config.sae.variant).inferenceAs ?? config.sae.variant) as KitVariant;
  const saes = kitSaesFromStored(experiment, { ...config.sae, variant }, tensors, metadata, p).map((x) =>
    variant !== config.sae.variant ? { ...x, trainedAs: config.sae.variant } : x,
  );
  if (saes.length && (saes[0].d !== config.toy.d || saes[0].s !== config.sae.s))
    throw new SaeLensFormatError(`${p} holds SAEs of d = ${saes[0].d}, s = ${saes[0].s}; its config.json says d = ${config.toy.d}, s = ${config.sae.s}`);
  return { config, saes };
}

export interface ExportOptions {
  /** one experiment (default: every experiment of the run) */
  experiment?: string;
  /** one SAE by its index in the experiment (results.json saes[].index); needs --experiment when the run has several */
  model?: number;
}

/** The folders an export writes, relative to `to`: `<experiment>/sae-<index>` (index zero-padded). */
export function exportFolder(experiment: string, index: number, count: number): string {
  return join(experiment, `sae-${String(index).padStart(String(Math.max(count - 1, 0)).length, '0')}`);
}

/**
 * Write a run's SAEs in SAELens's layout under `to` (which must not exist or be empty). Everything is read and
 * converted before the first file is written: a run with an SAE SAELens cannot represent writes nothing.
 * Returns the folders written (relative to `to`).
 */
export function exportSaeLens(run: string, to: string, opts: ExportOptions = {}): string[] {
  const all = runExperiments(run);
  if (opts.experiment !== undefined && !all.includes(opts.experiment))
    throw new SaeLensFormatError(`${run} has no experiment '${opts.experiment}' (it has ${all.join(', ')})`);
  const names = opts.experiment !== undefined ? [opts.experiment] : all;
  if (opts.model !== undefined && names.length !== 1)
    throw new SaeLensFormatError(`--model picks an SAE of one experiment; ${run} has ${names.length} (${names.join(', ')}): add --experiment`);
  if (existsSync(to) && (!statSync(to).isDirectory() || readdirSync(to).length))
    throw new OutputError(`${to} exists and is ${statSync(to).isDirectory() ? 'not empty' : 'not a folder'}; choose a new --to folder`);
  const files: { dir: string; cfg: string; weights: Uint8Array }[] = [];
  for (const name of names) {
    const { saes } = loadRunSaes(run, name);
    if (opts.model !== undefined && !(Number.isInteger(opts.model) && opts.model >= 0 && opts.model < saes.length))
      throw new SaeLensFormatError(`--model ${opts.model}: experiment '${name}' has SAEs 0 .. ${saes.length - 1}`);
    const pick = opts.model !== undefined ? [opts.model] : saes.map((_, i) => i);
    for (const m of pick) {
      const { cfg, tensors } = toSaeLens(saes[m]);
      files.push({ dir: exportFolder(name, m, saes.length), cfg: `${JSON.stringify(cfg, null, 2)}\n`, weights: encodeSafetensors(tensors) });
    }
  }
  for (const f of files) {
    writeFileAtomic(join(to, f.dir, SAE_WEIGHTS_FILENAME), f.weights);
    writeFileAtomic(join(to, f.dir, SAE_CFG_FILENAME), f.cfg);
  }
  return files.map((f) => f.dir);
}

/** One SAELens folder read into the kit's form. */
export function readSaeLensDir(dir: string): { sae: KitSae; notes: string[] } {
  const cfgPath = join(dir, SAE_CFG_FILENAME),
    wPath = join(dir, SAE_WEIGHTS_FILENAME);
  if (!existsSync(cfgPath)) throw new SaeLensFormatError(`${dir}: no ${SAE_CFG_FILENAME} (not an SAE folder in SAELens's layout)`);
  if (!existsSync(wPath)) throw new SaeLensFormatError(`${dir}: no ${SAE_WEIGHTS_FILENAME} beside ${SAE_CFG_FILENAME}`);
  let cfg: unknown;
  try {
    cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
  } catch (e) {
    throw new SaeLensFormatError(`${cfgPath} is not readable JSON (${(e as Error).message})`);
  }
  const { tensors } = decodeFloatSafetensors(new Uint8Array(readFileSync(wPath)), wPath);
  return fromSaeLens(cfg, tensors, dir);
}

/** SAE folders under the given paths: a path holding cfg.json, else its sub-folders that do, two levels deep (an export's root). */
export function findSaeLensDirs(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, depth: number): void => {
    if (existsSync(join(p, SAE_CFG_FILENAME))) {
      out.push(p);
      return;
    }
    if (depth === 0) return;
    for (const d of readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) if (d.isDirectory()) walk(join(p, d.name), depth - 1);
  };
  for (const p of paths) {
    if (!existsSync(p) || !statSync(p).isDirectory()) throw new SaeLensFormatError(`${p} does not exist or is not a folder`);
    const before = out.length;
    walk(p, 2);
    if (out.length === before) throw new SaeLensFormatError(`${p}: no ${SAE_CFG_FILENAME} in it or in its sub-folders (two levels)`);
  }
  return out;
}

/** The toy model an evaluation runs on: a run's (its toy.safetensors) or one trained now from a preset's experiment. */
export function runToyParams(run: string, experiment: string): Float32Array {
  const p = join(run, experiment, 'toy.safetensors');
  if (!existsSync(p)) throw new SaeLensFormatError(`${p} is missing: the run has no toy model for experiment '${experiment}'`);
  const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(p)), p);
  if (!tensors.W || !tensors.b) throw new SaeLensFormatError(`${p} has no tensors W and b (not a kit toy model)`);
  const out = new Float32Array(tensors.W.data.length + tensors.b.data.length);
  out.set(tensors.W.data);
  out.set(tensors.b.data, tensors.W.data.length);
  return out;
}

export async function trainToyFor(ctx: GpuContext, c: ExperimentConfig, onNote?: (l: string) => void): Promise<Float32Array> {
  return (await trainToyStage(ctx, c, dataSetup(c), { onNote }, () => undefined)).params;
}

export interface ImportedResult {
  /** the SAE's folder (as given) */
  dir: string;
  variant: KitSae['variant'];
  s: number;
  k: number | null;
  /** the λ of its selection loss (the kit's provenance in cfg.json metadata, else 0) */
  l1: number;
  /** the SAE's full evaluation in the study's result format */
  result: SaeResult;
}

/**
 * Evaluate imported SAEs on experiment `c`'s data through the toy model `toyParams`, with the kit's evaluation and
 * analysis (the same stages and samples as a run: `samples` fresh samples, default the experiment's eval_samples).
 * SAEs are grouped by shape and variant into one job each. An SAE that carries the kit's provenance (exported from a
 * run) keeps its λ and its data seed, so an SAE of this experiment gets the numbers its run reported.
 */
export async function evaluateImported(
  ctx: GpuContext,
  c: ExperimentConfig,
  toyParams: Float32Array,
  saes: { dir: string; sae: KitSae }[],
  opts: { samples?: number } = {},
): Promise<{ rows: ImportedResult[]; samples: number }> {
  for (const { dir, sae } of saes)
    if (sae.d !== c.toy.d) throw new SaeLensFormatError(`${dir}: d_in = ${sae.d}, but experiment '${c.name}' has hidden activations of d = ${c.toy.d}`);
  const groups = new Map<string, number[]>();
  saes.forEach(({ sae }, i) => {
    const key = JSON.stringify([sae.s, sae.variant, sae.k, sae.preEncoderBias]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const out: ImportedResult[] = new Array(saes.length);
  let samples = 0;
  for (const idx of groups.values()) {
    const first = saes[idx[0]].sae;
    // the experiment with this group's SAE shape and variant, one grid cell, one "realization" per SAE
    const cg = parseExperiment(
      {
        ...c,
        sae: { ...c.sae, s: first.s, variant: first.variant, k: first.k ?? undefined, pre_encoder_bias: first.preEncoderBias, b_dec_init: 'zeros' },
        grid: { lr: [c.grid.lr[0]], l1: [0] },
        realizations: idx.length,
        optimality_gap: false,
        ...(opts.samples ? { eval_samples: opts.samples, eval_samples_hardware: undefined } : {}),
      },
      ctx.device.limits,
    );
    const data = dataSetup(cg);
    const plan = saeJobPlan(cg, data, toyParams);
    const L = saeLayout(data.dims);
    const params = new Float32Array(idx.length * L.P);
    idx.forEach((i, m) => {
      const sae = saes[i].sae;
      params.set(kitParams(sae), m * L.P);
      const p = sae.provenance;
      // the run's data seed (saeJobPlan's dataSeed) and λ, when the SAE says where it came from
      const seed = cg.data.shared_stream ? rngU32(cg.seed, STREAM.data, 0, 0, 0) : p ? p.seed : plan.spec.hyper[m].seed;
      plan.spec.hyper[m] = { ...plan.spec.hyper[m], l1: p && Number.isFinite(p.l1) ? p.l1 : 0, seed };
    });
    const M = idx.length;
    const noReport = () => undefined;
    const ev = await evaluateStage(ctx, cg, plan, params, {}, noReport);
    samples = ev.samples;
    const sae: SaeStage = {
      params,
      status: new Uint32Array(M).fill(NOT_DIVERGED),
      curves: { step: [], total: plan.models.map(() => []) },
      path: 'modular',
      kernel: { path: 'modular', kernel: null, threads: null, describe: 'imported (not trained here)', why: 'imported from SAELens files' },
      seconds: 0,
    };
    const toy: ToyStage = { params: toyParams, curve: { step: [], loss: [] }, kernel: { kernel: 'cached', why: 'given' }, seconds: 0 };
    const analysis = analyseStage(cg, data, toy, plan, sae, ev);
    idx.forEach((i, m) => {
      const s = saes[i].sae;
      out[i] = { dir: saes[i].dir, variant: s.variant, s: s.s, k: s.k, l1: plan.spec.hyper[m].l1, result: analysis.saes[m] };
    });
  }
  return { rows: out, samples };
}

/** A short table of imported SAEs' evaluations (markdown). */
export function importedTable(rows: ImportedResult[]): string {
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  const lines = [
    '| SAE | variant | s | verdict | MCC true / composed | covered true / composed | batch FVU | per-sample FVU | L0 | dead | selection loss (λ) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const x = r.result;
    const rec = x.recovery;
    lines.push(
      `| ${r.dir} | ${r.variant}${r.k !== null ? ` k=${r.k}` : ''} | ${r.s} | ${x.verdict} | ${rec ? `${f(rec.true.mcc)} / ${f(rec.composed.mcc)}` : '-'} | ${rec ? `${rec.true.covered}/${rec.true.targets} / ${rec.composed.covered}/${rec.composed.targets}` : '-'} | ${f(x.batch_fvu ?? NaN)} | ${f(x.per_sample_fvu)} | ${f(x.l0, 2)} | ${x.dead} | ${f(x.final_loss, 4)} (${r.l1}) |`,
    );
  }
  return lines.join('\n');
}
