// --config FILE: one experiment (a JSON object) or several run in turn (a JSON array), validated with
// the schema the browser page uses; every error names the file and, for arrays, which experiment.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError, parseExperiment, parsePreset, type PresetConfig } from '../config/schema';
import { parseJson } from '../io/json';

export function presetFromConfigFile(file: string): PresetConfig {
  if (!existsSync(file)) throw new ConfigError(`--config ${file}: no such file`);
  if (statSync(file).isDirectory()) throw new ConfigError(`--config ${file}: is a folder, not a JSON file`);
  const text = readFileSync(file, 'utf8');
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (e) {
    // `npm start -- --print-config X > file` also captures npm's "> pkg@version start" lines
    const npm = /^\s*> /.test(text)
      ? "; the file starts with npm's '> ...' lines: write it with `npm start -- --print-config PRESET --out-config FILE` (or `npm start --silent -- --print-config PRESET > FILE`)"
      : '';
    throw new ConfigError(`--config ${file}: not valid JSON at ${(e as Error).message}${npm}`);
  }
  const list = Array.isArray(json) ? json : [json];
  if (!list.length) throw new ConfigError(`--config ${file}: the array holds no experiment`);
  const experiments = list.map((x, i) => {
    if (typeof x !== 'object' || x === null || Array.isArray(x))
      throw new ConfigError(
        `--config ${file}${Array.isArray(json) ? ` [${i}]` : ''}: an experiment must be a JSON object, got ${Array.isArray(x) ? 'an array' : JSON.stringify(x)}`,
      );
    try {
      return parseExperiment(x);
    } catch (e) {
      const name = typeof (x as { name?: unknown }).name === 'string' ? ` (${(x as { name: string }).name})` : '';
      throw new ConfigError(`--config ${file}${Array.isArray(json) ? ` [${i}]${name}` : ''}: ${(e as Error).message}`);
    }
  });
  const stem = basename(file).replace(/\.json$/i, '');
  try {
    return parsePreset({
      name: `config:${stem}`,
      description: `experiments from ${file}`,
      budget: 'custom',
      budget_note: `custom config ${file}`,
      experiments,
    });
  } catch (e) {
    throw new ConfigError(`--config ${file}: ${(e as Error).message}`);
  }
}

/** A preset as --config input: the experiment object when there is one, else the array. */
export function presetAsConfig(p: PresetConfig): unknown {
  return p.experiments.length === 1 ? p.experiments[0] : p.experiments;
}
