// Result files: results.json (everything but weights), per experiment a folder with result.json,
// config.json, toy.safetensors, saes.safetensors and the figures. Every write is atomic (temp + rename),
// and results.json is rewritten after each finished experiment, so a crash never loses finished work.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterReport } from '../gpu/context';
import { writeFileAtomic, writeJsonAtomic } from '../io/files';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors';
import { saeLayout, toyLayout } from '../reference/common';
import type { ExperimentResult } from './runner';
import type { PresetConfig } from './schema';

export type StoredExperiment = Omit<ExperimentResult, 'weights'> & { files: Record<string, string> };

export interface ResultsFile {
  kit: string;
  preset: string;
  description: string;
  budget: { kind: string; note: string; sae_steps: Record<string, number>; sae_batch: Record<string, number> };
  adapter: AdapterReport | null;
  shard: { index: number; count: number } | null;
  started: string;
  updated: string;
  timing: Record<string, Record<string, number>>;
  experiments: StoredExperiment[];
}

export function newResults(preset: PresetConfig, adapter: AdapterReport | null, shard: ResultsFile['shard']): ResultsFile {
  return {
    kit: 'sae-composed-webgpu 0.1', preset: preset.name, description: preset.description,
    budget: { kind: preset.budget, note: preset.budget_note, sae_steps: Object.fromEntries(preset.experiments.map((e) => [e.name, e.sae.steps])), sae_batch: Object.fromEntries(preset.experiments.map((e) => [e.name, e.sae.batch])) },
    adapter, shard, started: new Date().toISOString(), updated: new Date().toISOString(), timing: {}, experiments: [],
  };
}

export function readResults(dir: string): ResultsFile | null {
  const p = join(dir, 'results.json');
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as ResultsFile;
  } catch (e) {
    throw new Error(`${p} exists but is not readable JSON (${(e as Error).message}); move it away to start afresh`);
  }
}

export function saeWeights(r: Pick<ExperimentResult, 'config' | 'saes'>, params: Float32Array) {
  const d = r.config.toy.d, s = r.config.sae.s, M = r.saes.length;
  const L = saeLayout({ D: d, S: s });
  const We = new Float32Array(M * d * s), be = new Float32Array(M * s), Wd = new Float32Array(M * s * d), bd = new Float32Array(M * d);
  for (let m = 0; m < M; m++) {
    const p = params.subarray(m * L.P, (m + 1) * L.P);
    for (let k = 0; k < s; k++) for (let j = 0; j < d; j++) We[m * d * s + j * s + k] = p[L.WE + k * d + j];
    be.set(p.subarray(L.BE, L.WD), m * s); Wd.set(p.subarray(L.WD, L.BD), m * s * d); bd.set(p.subarray(L.BD, L.P), m * d);
  }
  return { W_enc: { shape: [M, d, s], data: We }, b_enc: { shape: [M, s], data: be }, W_dec: { shape: [M, s, d], data: Wd }, b_dec: { shape: [M, d], data: bd } };
}

/** Inverse of saeWeights: the kernels' flat [M][P] layout. */
export function saeParamsFromWeights(t: Record<string, { shape: number[]; data: Float32Array }>): Float32Array {
  const [M, d, s] = t.W_enc.shape;
  const L = saeLayout({ D: d, S: s });
  const out = new Float32Array(M * L.P);
  for (let m = 0; m < M; m++) {
    const o = m * L.P;
    for (let k = 0; k < s; k++) for (let j = 0; j < d; j++) out[o + L.WE + k * d + j] = t.W_enc.data[m * d * s + j * s + k];
    out.set(t.b_enc.data.subarray(m * s, (m + 1) * s), o + L.BE);
    out.set(t.W_dec.data.subarray(m * s * d, (m + 1) * s * d), o + L.WD);
    out.set(t.b_dec.data.subarray(m * d, (m + 1) * d), o + L.BD);
  }
  return out;
}

export function writeExperiment(dir: string, r: ExperimentResult, figures: Record<string, string>): StoredExperiment {
  const sub = join(dir, r.name);
  const N = r.config.data.sets.reduce((a, b) => a + b, 0), D = r.config.toy.d;
  const TL = toyLayout({ N, D });
  const meta = { config: JSON.stringify(r.config), models: JSON.stringify(r.saes.map((s) => ({ lr: s.lr, l1: s.l1, realization: s.realization, seed: s.seed }))) };
  writeFileAtomic(join(sub, 'toy.safetensors'), encodeSafetensors({ W: { shape: [N, D], data: r.weights.toy.slice(0, TL.B) }, b: { shape: [N], data: r.weights.toy.slice(TL.B, TL.P) } }, { config: meta.config }));
  writeFileAtomic(join(sub, 'saes.safetensors'), encodeSafetensors(saeWeights(r, r.weights.saes), meta));
  writeJsonAtomic(join(sub, 'config.json'), r.config);
  const files: Record<string, string> = { toy_weights: `${r.name}/toy.safetensors`, sae_weights: `${r.name}/saes.safetensors`, config: `${r.name}/config.json` };
  for (const [f, svg] of Object.entries(figures)) {
    writeFileAtomic(join(sub, f), svg);
    files[f.replace(/\.svg$/, '')] = `${r.name}/${f}`;
  }
  const { weights: _w, ...rest } = r;
  void _w;
  const stored: StoredExperiment = { ...rest, files };
  writeJsonAtomic(join(sub, 'result.json'), stored);
  return stored;
}

export function saveResults(dir: string, res: ResultsFile): void {
  res.updated = new Date().toISOString();
  writeJsonAtomic(join(dir, 'results.json'), res);
}

/** Reload an experiment with its weights (for merge). */
export function loadExperiment(dir: string, e: StoredExperiment): ExperimentResult {
  const toy = decodeSafetensors(new Uint8Array(readFileSync(join(dir, e.files.toy_weights)))).tensors;
  const saes = decodeSafetensors(new Uint8Array(readFileSync(join(dir, e.files.sae_weights)))).tensors;
  const toyFlat = new Float32Array(toy.W.data.length + toy.b.data.length);
  toyFlat.set(toy.W.data); toyFlat.set(toy.b.data, toy.W.data.length);
  const { files: _f, ...rest } = e;
  void _f;
  return { ...rest, weights: { toy: toyFlat, saes: saeParamsFromWeights(saes) } } as ExperimentResult;
}
