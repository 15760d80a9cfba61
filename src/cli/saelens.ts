// `npm start -- export-saelens --from RUN_DIR --to DIR [--experiment NAME] [--model INDEX]`: a run's SAEs in SAELens's
// on-disk layout (one folder per SAE: cfg.json + sae_weights.safetensors; src/io/saelens.ts).
// `npm start -- import-saelens SAE_DIR... (--run RUN_DIR | --preset NAME) [--experiment NAME] [--samples N] [--json FILE]`:
// SAEs in that layout evaluated on an experiment's toy data with the kit's metrics (src/experiments/saelens.ts).
import { resolve } from 'node:path';
import { parseCli } from './args';
import type { GpuContext } from '../gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../gpu/node';
import { getPreset } from '../experiments/presets';
import { writeJsonAtomic } from '../io/files';
import { SaeLensFormatError } from '../io/saelens';
import {
  evaluateImported,
  exportSaeLens,
  findSaeLensDirs,
  importedTable,
  loadRunSaes,
  readSaeLensDir,
  runExperiments,
  runToyParams,
  trainToyFor,
} from '../experiments/saelens';

export const SAELENS_HELP = `       npm start -- export-saelens --from RUN_DIR --to DIR [--experiment NAME] [--model INDEX]
                                                   every SAE of a run (or one) in SAELens's layout: DIR/<experiment>/sae-<i>/
                                                   cfg.json + sae_weights.safetensors (Python: SAE.load_from_disk(path))
       npm start -- import-saelens SAE_DIR... (--run RUN_DIR | --preset NAME) [--experiment NAME] [--samples N] [--json FILE]
                                                   evaluate SAELens-layout SAEs on an experiment's toy data (verdict, MCC,
                                                   FVU, L0, dead latents); --run uses that run's toy model, --preset trains it`;

const COMMANDS = ['export-saelens', 'import-saelens'];

export function isSaelensCommand(arg: string | undefined): boolean {
  return arg !== undefined && COMMANDS.includes(arg);
}

const usage = (cmd: string, why: string) => new SaeLensFormatError(`${cmd}: ${why}\nusage:\n${SAELENS_HELP}`);

function nonNegInt(cmd: string, flag: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw usage(cmd, `${flag} must be an integer >= ${min}, got '${v}'`);
  return Number(v);
}

export async function saelensCommand(argv: string[], log: (l: string) => void = (l) => console.log(l)): Promise<number> {
  const cmd = argv[0];
  if (cmd === 'export-saelens') {
    const { values, positionals } = parseCli(
      {
        args: argv.slice(1),
        allowPositionals: true,
        options: { from: { type: 'string' }, to: { type: 'string' }, experiment: { type: 'string' }, model: { type: 'string' } },
      },
      'npm start -- --help',
    );
    if (positionals.length) throw usage(cmd, `unexpected argument '${positionals[0]}'`);
    if (!values.from) throw usage(cmd, '--from RUN_DIR is required');
    if (!values.to) throw usage(cmd, '--to DIR is required');
    const written = exportSaeLens(values.from, values.to, { experiment: values.experiment, model: nonNegInt(cmd, '--model', values.model) });
    log(`wrote ${written.length} SAE folder(s) in SAELens's layout under ${resolve(values.to)}:`);
    for (const w of written) log(`  ${w}`);
    log(`load one in Python: from sae_lens import SAE; sae = SAE.load_from_disk("${resolve(values.to, written[0])}")`);
    return 0;
  }
  if (cmd === 'import-saelens') {
    const { values, positionals } = parseCli(
      {
        args: argv.slice(1),
        allowPositionals: true,
        options: {
          run: { type: 'string' },
          preset: { type: 'string' },
          experiment: { type: 'string' },
          samples: { type: 'string' },
          json: { type: 'string' },
          adapter: { type: 'string' },
        },
      },
      'npm start -- --help',
    );
    if (!positionals.length) throw usage(cmd, 'give one or more SAE folders (each with cfg.json and sae_weights.safetensors, or an export root)');
    if (!values.run === !values.preset) throw usage(cmd, 'give exactly one of --run RUN_DIR (its toy model) or --preset NAME (trains the toy model)');
    const samples = nonNegInt(cmd, '--samples', values.samples, 1);
    // the SAEs, read and checked before any device starts
    const saes = findSaeLensDirs(positionals).map((dir) => ({ dir, ...readSaeLensDir(dir) }));
    for (const s of saes) for (const n of s.notes) log(`${s.dir}: ${n}`);
    const names = values.run ? runExperiments(values.run) : getPreset(values.preset!).experiments.map((e) => e.name);
    const where = values.run ? `run ${values.run}` : `preset ${values.preset}`;
    const name = values.experiment ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined) throw usage(cmd, `${where} has ${names.length} experiments (${names.join(', ')}): choose one with --experiment`);
    if (!names.includes(name)) throw usage(cmd, `${where} has no experiment '${name}' (it has ${names.join(', ')})`);
    const config = values.run ? loadRunSaes(values.run, name).config : getPreset(values.preset!).experiments.find((e) => e.name === name)!;
    const toyFromRun = values.run ? runToyParams(values.run, name) : null;
    let ctx: GpuContext | null = null;
    try {
      ctx = await acquireNodeDevice({ adapter: values.adapter, log });
      const toy = toyFromRun ?? (await trainToyFor(ctx, config, log));
      const { rows, samples: used } = await evaluateImported(
        ctx,
        config,
        toy,
        saes.map(({ dir, sae }) => ({ dir, sae })),
        { samples },
      );
      log(`${rows.length} SAE(s) on experiment '${name}' of ${where} (${used} fresh samples each):\n`);
      log(importedTable(rows));
      if (values.json) {
        writeJsonAtomic(values.json, { experiment: name, source: where, saes: rows });
        log(`\nwrote ${resolve(values.json)}`);
      }
      return 0;
    } finally {
      if (ctx) releaseNodeGpu(ctx);
    }
  }
  throw new Error(`not a SAELens command: ${cmd}`);
}
