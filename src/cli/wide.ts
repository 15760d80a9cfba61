// `npm start -- wide [--preset synth-cpu|synth-cpu-quick] [--out DIR] [--gemm VERSION]`: one wide SAE trained on
// SynthSAEBench-class data drawn on the GPU (src/experiments/wide.ts); writes results.json and summary.md.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli } from './args';
import { acquireNodeDevice, releaseNodeGpu } from '../gpu/node';
import { probeOutputDir, writeFileAtomic, writeJsonAtomic } from '../io/files';
import { getWidePreset, runWide, WIDE_PRESETS, wideSummary, type WideResult } from '../experiments/wide';
import { groupWide, wideCompareMarkdown } from '../experiments/wide-compare';
import { wideFigure } from '../plots/wide';
import { nodeDocument } from '../plots/dom-node';
import { GEMM_NAMES } from '../kernels/gemm';
import { SAE_VARIANTS } from '../variants';

export const WIDE_HELP = `       npm start -- wide [--preset ${Object.keys(WIDE_PRESETS).join('|')}] [--out DIR] [--gemm ${GEMM_NAMES.join('|')}]
                         [--variant relu|topk|batchtopk] [--k N] [--seed N] [--samples N] [--eval-rows N] [--lr X] [--lambda X]
                                                   one wide SAE (SAELens's layout and losses; TopK and BatchTopK with AuxK) on
                                                   SynthSAEBench-class data drawn on the GPU; MCC, uniqueness, explained
                                                   variance, L0, dead latents, shrinkage on fresh rows; DIR/results.json and
                                                   DIR/summary.md (default runs/wide-PRESET, -seedN past the preset's seed)
       npm start -- wide compare RUN_DIR... [--out DIR] [--png]
                                                   wide runs side by side: each preset's metrics as the mean over its seeds
                                                   with a 95 % t-interval; DIR/compare.md, compare.json, wide.svg (default
                                                   runs/wide-compare)`;

export function isWideCommand(arg: string | undefined): boolean {
  return arg === 'wide';
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

export async function wideCommand(argv: string[]): Promise<number> {
  if (argv[1] === 'compare') return wideCompareCommand(argv.slice(2));
  const { values, positionals } = parseCli({
    args: argv.slice(1),
    allowPositionals: true,
    options: {
      preset: { type: 'string' },
      out: { type: 'string' },
      gemm: { type: 'string' },
      samples: { type: 'string' },
      'eval-rows': { type: 'string' },
      lr: { type: 'string' },
      lambda: { type: 'string' },
      variant: { type: 'string' },
      k: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(`usage:\n${WIDE_HELP}`);
    return 0;
  }
  if (positionals.length) throw new Error(`wide: unexpected argument '${positionals[0]}'\nusage:\n${WIDE_HELP}`);
  if (values.gemm !== undefined && !GEMM_NAMES.includes(values.gemm))
    throw new Error(`wide: --gemm must be one of ${GEMM_NAMES.join(', ')}, got '${values.gemm}'`);
  const base = getWidePreset(values.preset ?? 'synth-cpu');
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
  if (seed !== undefined && seed > 999) throw new Error(`wide: --seed must be at most 999 (its training stream starts at batch seed x 1,000,000), got ${seed}`);
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
    lambda = positive('--lambda', values.lambda);
  const variant = values.variant ?? base.sae.variant;
  const topkFamily = variant !== 'relu';
  if (!topkFamily && lambda === undefined && base.sae.lambda === 0)
    throw new Error(`wide: --variant relu on preset ${base.name} (L1 coefficient 0) needs --lambda`);
  const preset = {
    ...base,
    seed: seed ?? base.seed,
    sae: {
      ...base.sae,
      variant,
      lambda: lambda ?? (topkFamily && values.variant ? 0 : base.sae.lambda),
      k: k ?? base.sae.k ?? (topkFamily ? 8 : undefined),
      auxk: base.sae.auxk ?? (topkFamily ? { coef: 1, window: 1000 } : undefined),
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
  try {
    console.log(`[${preset.name}] ${preset.description}`);
    const r = await runWide(ctx, preset, { gemm: values.gemm, onProgress: (l) => console.log(l) });
    writeJsonAtomic(join(out, 'results.json'), r);
    writeFileAtomic(join(out, 'summary.md'), wideSummary(r));
    console.log(wideSummary(r));
    console.log(`wrote ${join(out, 'results.json')} and ${join(out, 'summary.md')}`);
    return 0;
  } finally {
    releaseNodeGpu(ctx);
  }
}
