// `npm start -- wide [--preset synth-cpu|synth-cpu-quick] [--out DIR] [--gemm VERSION]`: one wide SAE trained on
// SynthSAEBench-class data drawn on the GPU (src/experiments/wide.ts); writes results.json and summary.md.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseCli } from './args';
import { sayCompiles } from './progress';
import { acquireNodeDevice, releaseNodeGpu } from '../gpu/node';
import { isSoftwareAdapter } from '../gpu/context';
import { probeOutputDir, writeFileAtomic, writeJsonAtomic } from '../io/files';
import { getWidePreset, runWide, WIDE_PRESETS, type WidePreset, wideSummary, type WideResult } from '../experiments/wide';
import { parseWidePreset } from '../config/wide-schema';
import { groupWide, wideCompareMarkdown } from '../experiments/wide-compare';
import { wideFigure } from '../plots/wide';
import { nodeDocument } from '../plots/dom-node';
import { GEMM_NAMES } from '../kernels/gemm';
import type { WideDecode } from '../kernels/wide';
import { SAE_VARIANTS, saeVariant } from '../variants';
import { scanActivations } from '../io/activations';
import { openActivations } from '../io/activations-node';
import {
  type ActivationsConfig,
  type ActivationsOptions,
  activationsConfig,
  activationsSummary,
  checkActivationsConfig,
  runActivations,
} from '../experiments/wide-activations';
import { SAE_CFG_FILENAME, SAE_WEIGHTS_FILENAME, toSaeLens } from '../io/saelens';
import { encodeSafetensors } from '../io/safetensors';

export const WIDE_HELP = `       npm start -- wide [--preset ${Object.keys(WIDE_PRESETS).join('|')} | --config FILE] [--out DIR] [--gemm ${GEMM_NAMES.join('|')}]
                         [--variant VARIANT] [--k N] [--seed N] [--samples N] [--eval-rows N] [--lr X] [--lambda X]
                         [--jump-threshold X] [--jump-bandwidth X] [--objective saelens|study] [--decode dense|sparse]
                                                   one wide SAE (SAELens's layout and losses; TopK and BatchTopK with AuxK;
                                                   --objective study: the study's per-sample FVU and unit decoder rows) on
                                                   SynthSAEBench-class data drawn on the GPU; MCC, uniqueness, explained
                                                   variance, L0, dead latents, shrinkage on fresh rows; DIR/results.json and
                                                   DIR/summary.md (default runs/wide-PRESET, -seedN past the preset's seed)
       npm start -- wide --print-config PRESET [--out-config FILE]
                                                   a wide preset as JSON (data, dictionary, SAE, training), to edit
                                                   and run with --config FILE (checked field by field before any work)
       npm start -- wide --activations FILE.npy|FILE.safetensors [--activations-key NAME] [--variant VARIANT] [--k N]
                         [--width S] [--batch B] [--samples N] [--eval-rows N] [--lr X] [--lambda X] [--seed N]
                         [--normalize none|expected_average_only_in] [--buffer ROWS] [--out DIR]
                                                   a wide SAE on your own activations ([N, d] float32/float16), streamed
                                                   through a shuffle buffer; the last rows held out (explained variance, L0,
                                                   dead latents, shrinkage); the SAE in SAELens's layout in DIR/sae
                                                   (defaults: batchtopk, width 4 d, k 32, lr 3e-4, one epoch)
       npm start -- wide compare RUN_DIR... [--out DIR] [--png]
                                                   wide runs side by side: each preset's metrics as the mean over its seeds
                                                   with a 95 % t-interval; DIR/compare.md, compare.json, wide.svg (default
                                                   runs/wide-compare)`;

export function isWideCommand(arg: string | undefined): boolean {
  return arg === 'wide';
}

/** `wide --activations FILE`: checks and scans the file (nothing written on a problem), trains, writes results.json,
 * summary.md and the SAE in SAELens's layout (sae/). */
async function activationsCommand(path: string, o: ActivationsOptions & { keyName?: string; out?: string; gemm?: string }): Promise<number> {
  const f = openActivations(path, { key: o.keyName });
  try {
    const c = activationsConfig(f, o);
    const evalRows = c.evalRows;
    checkActivationsConfig(f, c);
    console.log(`[activations] ${path}: ${f.rows.toLocaleString('en-US')} rows of d = ${f.d} (${f.dtype}); scanning every row once (NaN, Inf, mean norm)`);
    const t0 = performance.now();
    const scan = scanActivations(f, { normRows: f.rows - evalRows });
    const seconds = (performance.now() - t0) / 1000;
    const out = o.out ?? join('runs', `wide-activations-${basename(path).replace(/\.(npy|safetensors)$/, '')}`);
    probeOutputDir(out); // after the scan: a file with NaN rows leaves nothing behind
    const ctx = await acquireNodeDevice({ log: (l) => console.error(l) });
    const compiled = sayCompiles(ctx, (l) => console.log(l));
    try {
      const { result, sae } = await runActivations(ctx, f, c, { gemm: o.gemm, onProgress: (l) => console.log(l), scan: { ...scan, seconds } });
      writeJsonAtomic(join(out, 'results.json'), result);
      writeFileAtomic(join(out, 'summary.md'), activationsSummary(result));
      console.log(activationsSummary(result));
      // the results are written first: an SAE that cannot be exported still leaves its numbers
      const kit = sae();
      const { cfg, tensors } = toSaeLens(kit);
      writeFileAtomic(join(out, 'sae', SAE_WEIGHTS_FILENAME), encodeSafetensors(tensors));
      writeFileAtomic(join(out, 'sae', SAE_CFG_FILENAME), `${JSON.stringify(cfg, null, 2)}\n`);
      console.log(`wrote ${join(out, 'results.json')}, ${join(out, 'summary.md')} and the SAE in ${join(out, 'sae')}; ${compiled()}`);
      return 0;
    } finally {
      releaseNodeGpu(ctx);
    }
  } finally {
    f.close();
  }
}

/** `wide compare RUN_DIR...`: reads each run's results.json, pools each preset's seeds, writes the table and figure. */
async function wideCompareCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, png: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(`usage:\n${WIDE_HELP}`);
    return 0;
  }
  if (!positionals.length)
    throw new Error(`wide compare: name the run folders to compare (each with a results.json from npm start -- wide)\nusage:\n${WIDE_HELP}`);
  const runs = positionals.map((dir) => {
    const file = join(dir, 'results.json');
    if (!existsSync(file)) throw new Error(`wide compare: ${file} does not exist (is ${dir} a finished wide run?)`);
    const r = JSON.parse(readFileSync(file, 'utf8')) as WideResult;
    if (typeof r.preset !== 'string' || !r.final || typeof r.final.f1 !== 'number' || !r.config?.sae?.variant)
      throw new Error(`wide compare: ${file} is not the results of a wide run of this version (no preset, variant or F1)`);
    return { dir, r };
  });
  const groups = groupWide(runs);
  const out = values.out ?? join('runs', 'wide-compare');
  probeOutputDir(out);
  writeFileAtomic(join(out, 'compare.md'), wideCompareMarkdown(groups));
  writeJsonAtomic(join(out, 'compare.json'), { runs: positionals, groups });
  const svg = join(out, 'wide.svg');
  writeFileAtomic(svg, wideFigure(groups, nodeDocument()));
  console.log(wideCompareMarkdown(groups));
  if (values.png) {
    const png = await import(new URL('../../harness/png.ts', import.meta.url).href);
    const res: { errors: string[] }[] = await png.svgFilesToPng([svg]);
    png.killPngBrowsers?.();
    if (res.some((r) => r.errors.length)) throw new Error(`wide compare: PNG rendering failed: ${res.flatMap((r) => r.errors).join('; ')}`);
  }
  console.log(`wrote ${join(out, 'compare.md')}, ${join(out, 'compare.json')} and ${svg}${values.png ? ' (and its PNG)' : ''}`);
  return 0;
}

/** A wide run's config from a JSON file (`--print-config` writes one), checked by its schema before any GPU work. */
function readWideConfig(path: string): WidePreset {
  if (!existsSync(path)) throw new Error(`wide: --config ${path} does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`wide: --config ${path} is not JSON: ${(e as Error).message}`);
  }
  return parseWidePreset(json);
}

export async function wideCommand(argv: string[]): Promise<number> {
  if (argv[1] === 'compare') return wideCompareCommand(argv.slice(2));
  const { values, positionals } = parseCli({
    args: argv.slice(1),
    allowPositionals: true,
    options: {
      preset: { type: 'string' },
      config: { type: 'string' },
      'print-config': { type: 'string' },
      'out-config': { type: 'string' },
      out: { type: 'string' },
      gemm: { type: 'string' },
      samples: { type: 'string' },
      'eval-rows': { type: 'string' },
      lr: { type: 'string' },
      lambda: { type: 'string' },
      variant: { type: 'string' },
      k: { type: 'string' },
      seed: { type: 'string' },
      'jump-threshold': { type: 'string' },
      'jump-bandwidth': { type: 'string' },
      objective: { type: 'string' },
      decode: { type: 'string' },
      activations: { type: 'string' },
      'activations-key': { type: 'string' },
      width: { type: 'string' },
      batch: { type: 'string' },
      normalize: { type: 'string' },
      buffer: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(`usage:\n${WIDE_HELP}`);
    return 0;
  }
  if (values.activations === undefined)
    for (const f of ['activations-key', 'width', 'batch', 'normalize', 'buffer'] as const)
      if (values[f] !== undefined) throw new Error(`wide: --${f} goes with --activations FILE`);
  if (positionals.length) throw new Error(`wide: unexpected argument '${positionals[0]}'\nusage:\n${WIDE_HELP}`);
  if (values.gemm !== undefined && !GEMM_NAMES.includes(values.gemm))
    throw new Error(`wide: --gemm must be one of ${GEMM_NAMES.join(', ')}, got '${values.gemm}'`);
  if (values['print-config'] !== undefined) {
    const json = `${JSON.stringify(getWidePreset(values['print-config']), null, 2)}\n`;
    if (values['out-config']) {
      writeFileAtomic(values['out-config'], json);
      console.log(`wrote ${values['out-config']}: edit it, then npm start -- wide --config ${values['out-config']}`);
    } else process.stdout.write(json);
    return 0;
  }
  if (values['out-config'] !== undefined) throw new Error('wide: --out-config goes with --print-config PRESET');
  if (values.config !== undefined && values.preset !== undefined) throw new Error('wide: give --preset or --config FILE, not both');
  const base = values.config !== undefined ? readWideConfig(values.config) : getWidePreset(values.preset ?? 'synth-cpu');
  const count = (flag: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`wide: ${flag} must be an integer >= ${min}, got '${v}'`);
    return n;
  };
  const samples = count('--samples', values.samples, 1),
    evalRows = count('--eval-rows', values['eval-rows'], 1),
    k = count('--k', values.k, 1),
    seed = count('--seed', values.seed, 0);
  if (seed !== undefined && seed > 999) throw new Error(`wide: --seed must be at most 999, got ${seed}`);
  const wideNames = SAE_VARIANTS.filter((v) => v.wide).map((v) => v.name);
  if (values.variant !== undefined && !wideNames.includes(values.variant))
    throw new Error(`wide: --variant must be one of ${wideNames.join(', ')} (the variants with a wide recipe), got '${values.variant}'`);
  const positive = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!(x > 0) || !Number.isFinite(x)) throw new Error(`wide: ${flag} must be a number > 0, got '${v}'`);
    return x;
  };
  const lr = positive('--lr', values.lr),
    lambda = positive('--lambda', values.lambda),
    jumpThreshold = positive('--jump-threshold', values['jump-threshold']),
    jumpBandwidth = positive('--jump-bandwidth', values['jump-bandwidth']);
  const jumprelu = jumpThreshold || jumpBandwidth ? { initThreshold: jumpThreshold ?? 0.01, bandwidth: jumpBandwidth ?? 0.05 } : undefined;
  if (values.decode !== undefined && values.decode !== 'dense' && values.decode !== 'sparse')
    throw new Error(`wide: --decode must be dense or sparse, got '${values.decode}'`);
  if (values.activations !== undefined) {
    if (values.decode !== undefined) throw new Error('wide: --decode goes with the synthetic presets; on --activations the adapter picks it');
    if (values.objective !== undefined)
      throw new Error(
        "wide: --objective goes with the synthetic presets; on --activations the SAE trains with SAELens's objective (the layout its export keeps)",
      );
    if (values.preset !== undefined || values.config !== undefined)
      throw new Error(`wide: --${values.preset !== undefined ? 'preset' : 'config'} names synthetic data; with --activations FILE leave it out`);
    if (values.normalize !== undefined && values.normalize !== 'none' && values.normalize !== 'expected_average_only_in')
      throw new Error(`wide: --normalize must be none or expected_average_only_in (SAELens's names), got '${values.normalize}'`);
    return activationsCommand(values.activations, {
      keyName: values['activations-key'],
      variant: values.variant ?? 'batchtopk',
      k,
      lambda,
      width: count('--width', values.width, 1),
      batch: count('--batch', values.batch, 1),
      samples,
      evalRows,
      lr,
      seed: seed ?? 0,
      normalize: (values.normalize ?? 'none') as ActivationsConfig['normalize'],
      buffer: count('--buffer', values.buffer, 1),
      out: values.out,
      gemm: values.gemm,
    });
  }
  if (values.objective !== undefined && values.objective !== 'saelens' && values.objective !== 'study')
    throw new Error(`wide: --objective must be saelens or study, got '${values.objective}'`);
  const variant = values.variant ?? base.sae.variant;
  const { needsK: topkFamily, wide } = saeVariant(variant);
  const sel = wide!.select;
  if (values.decode === 'sparse' && !topkFamily) throw new Error(`wide: --decode sparse serves the TopK family (its rows keep k latents), not ${variant}`);
  if (!topkFamily && lambda === undefined && base.sae.lambda === 0)
    throw new Error(`wide: --variant ${variant} on preset ${base.name} (coefficient 0) needs --lambda (its ${sel === 'jumprelu' ? 'L0' : 'L1'} coefficient)`);
  const preset = {
    ...base,
    seed: seed ?? base.seed,
    sae: {
      ...base.sae,
      variant,
      lambda: lambda ?? (topkFamily && values.variant ? 0 : base.sae.lambda),
      k: topkFamily ? (k ?? base.sae.k ?? 8) : undefined,
      auxk: topkFamily ? (base.sae.auxk ?? { coef: 1, window: 1000 }) : undefined,
      jumprelu: jumprelu ?? base.sae.jumprelu,
      objective: (values.objective as 'saelens' | 'study' | undefined) ?? base.sae.objective,
    },
    train: { ...base.train, samples: samples ?? base.train.samples, lr: lr ?? base.train.lr },
    evalRows: evalRows ?? base.evalRows,
  };
  const out =
    values.out ??
    join(
      'runs',
      `wide-${preset.name}${values.variant && values.variant !== base.sae.variant ? `-${values.variant}` : ''}${seed !== undefined && seed !== base.seed ? `-seed${seed}` : ''}`,
    );
  probeOutputDir(out); // before any GPU work: a folder that cannot be written fails now
  const ctx = await acquireNodeDevice({ log: (l) => console.error(l) });
  const compiled = sayCompiles(ctx, (l) => console.log(l));
  try {
    console.log(`[${preset.name}] ${preset.description}`);
    // a GPU-sized preset on a CPU adapter: say what it costs before the hours begin (lavapipe's quiet 7.6 GFLOP/s in
    // the wide step's GEMMs at d = 768, width 4,096, BENCHMARKS.md)
    const steps = Math.ceil(preset.train.samples / preset.train.batch);
    const n = preset.data.features;
    const gflop = (steps * 10 * preset.train.batch * preset.d * preset.sae.width + preset.orthoSteps * 4 * n * n * preset.d) / 1e9;
    if (isSoftwareAdapter(ctx.adapter) && gflop > 1e4)
      console.log(
        `[${preset.name}] note: a GPU preset on the software adapter ${ctx.adapter.description}: about ${gflop.toExponential(1)} GFLOP of GEMMs (the dictionary's orthogonalisation and ${steps.toLocaleString('en-US')} steps), some ${(gflop / 7.6 / 3600).toFixed(0)} h at lavapipe's 7.6 GFLOP/s`,
      );
    const r = await runWide(ctx, preset, { gemm: values.gemm, decode: values.decode as WideDecode | undefined, onProgress: (l) => console.log(l) });
    writeJsonAtomic(join(out, 'results.json'), r);
    writeFileAtomic(join(out, 'summary.md'), wideSummary(r));
    console.log(wideSummary(r));
    console.log(`wrote ${join(out, 'results.json')} and ${join(out, 'summary.md')}; ${compiled()}`);
    return 0;
  } finally {
    releaseNodeGpu(ctx);
  }
}
