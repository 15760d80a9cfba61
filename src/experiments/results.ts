// Result files: results.json (everything but weights), per experiment a folder with result.json,
// config.json, toy.safetensors, saes.safetensors and the figures. Every write is atomic (temp + rename),
// and results.json is rewritten after each finished experiment, so a crash never loses finished work.
import { latentParamsOf, saeVariant } from '../variants';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeFileAtomic, writeJsonAtomic } from '../io/files';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors';
import { toyLayout } from '../core/wire';
import { parseResultsFile, type ExperimentResult } from '../results/schema';
import { saeParamsFromWeights, saeWeights, toStored, type ResultsFile, type StoredExperiment } from '../results/stored';

export { newResults, saeParamsFromWeights, saeWeights, type ResultsFile, type StoredExperiment } from '../results/stored';

/**
 * The run's results.json, or null when the folder has none. With `published`, a folder written by `publish`
 * (results.json.gz beside the report) is read too: for `compare`, and to resume a copy of a published run (its
 * finished experiments are kept; results.json is written beside the .gz from then on).
 */
export function readResults(dir: string, opts: { published?: boolean } = {}): ResultsFile | null {
  let p = join(dir, 'results.json');
  let text: string;
  if (existsSync(p)) text = readFileSync(p, 'utf8');
  else if (opts.published && existsSync(`${p}.gz`)) {
    p = `${p}.gz`;
    try {
      text = gunzipSync(readFileSync(p)).toString('utf8');
    } catch (e) {
      throw new Error(`${p} is not a readable gzip file (${(e as Error).message})`);
    }
  } else return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${p} exists but is not readable JSON (${(e as Error).message}); move it away to start afresh`);
  }
  return parseResultsFile(json, p);
}

export function writeExperiment(dir: string, r: ExperimentResult, figures: Record<string, string>): StoredExperiment {
  const sub = join(dir, r.name);
  const N = r.config.data.sets.reduce((a, b) => a + b, 0),
    D = r.config.toy.d;
  const TL = toyLayout({ N, D });
  const meta = {
    config: JSON.stringify(r.config),
    models: JSON.stringify(r.saes.map((s) => ({ lr: s.lr, l1: s.l1, realization: s.realization, seed: s.seed }))),
  };
  writeFileAtomic(
    join(sub, 'toy.safetensors'),
    encodeSafetensors(
      { W: { shape: [N, D], data: r.weights.toy.slice(0, TL.B) }, b: { shape: [N], data: r.weights.toy.slice(TL.B, TL.P) } },
      { config: meta.config },
    ),
  );
  writeFileAtomic(join(sub, 'saes.safetensors'), encodeSafetensors(saeWeights(r, r.weights.saes), meta));
  writeJsonAtomic(join(sub, 'config.json'), r.config);
  const files: Record<string, string> = {
    toy_weights: `${r.name}/toy.safetensors`,
    sae_weights: `${r.name}/saes.safetensors`,
    config: `${r.name}/config.json`,
  };
  for (const [f, svg] of Object.entries(figures)) {
    writeFileAtomic(join(sub, f), svg);
    files[f.replace(/\.svg$/, '')] = `${r.name}/${f}`;
  }
  const stored = toStored(r, files);
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
  toyFlat.set(toy.W.data);
  toyFlat.set(toy.b.data, toy.W.data.length);
  const { files: _f, ...rest } = e;
  void _f;
  return {
    ...rest,
    weights: {
      toy: toyFlat,
      saes: saeParamsFromWeights(
        saes,
        latentParamsOf(saeVariant(e.config.sae.variant)).map((b) => b.name),
      ),
    },
  };
}
