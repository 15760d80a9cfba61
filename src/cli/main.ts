// `npm start`: the kit's main job — reproduce the study (default preset study-quick) headlessly.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { closeServer, openHarness } from '../../harness/launch';
import { svgFilesToPng } from '../../harness/png';
import type { AdapterReport } from '../gpu/context';
import type { ExperimentResult, StageProgress } from '../experiments/runner';
import type { ExperimentConfig } from '../experiments/schema';
import { acquireNodeDevice, releaseNodeGpu } from '../gpu/node';
import { DEFAULT_PRESET, getPreset, PRESETS } from '../experiments/presets';
import { verdictTable } from '../experiments/report';
import type { ResultsFile } from '../experiments/results';
import { mergeShards, runPreset } from '../experiments/study';
import { nodeDocument } from '../plots/dom-node';
import { runAllChecks } from './checks';
import { ProgressBar } from './progress';
import { isPublishCommand, PUBLISH_HELP, publishCommand } from './publish';

const HELP = `usage: npm start -- [options]            run a preset (default: ${DEFAULT_PRESET}, the whole study at the quick budget)
       npm start -- merge --out DIR SHARD_DIR...   merge shard results into DIR
${PUBLISH_HELP}

options:
  --preset NAME     preset to run (--list shows them)
  --out DIR         output folder (default runs/<preset>-<timestamp>); a folder that already holds
                    results.json of the same preset is resumed: finished experiments are skipped
  --shard i/n       run grid cells whose index % n == i (0-based), to spread a sweep over machines
  --path P          SAE training path: fused (default where it fits) or modular
  --kernel V        fused SAE kernel version: v1, v2 or auto (default: chosen per adapter; --runtime node)
  --runtime R       where the GPU work runs: browser (default: headless Chromium through the harness,
                    its software WebGPU adapter here) or node (the webgpu package, same adapter)
  --png             also render every figure to PNG through headless Chromium
  --checks          run the GPU-vs-reference checks on Node and headless Chromium instead
  --list            list presets
  -h, --help        this text`;

function summary(res: ResultsFile, dir: string): string {
  return [`results: ${resolve(dir)}/results.json`, `report:  ${resolve(dir)}/report.md`, '', verdictTable(res)].join('\n');
}

function listSvgs(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.isDirectory()) out.push(...listSvgs(join(dir, d.name)));
    else if (d.name.endsWith('.svg')) out.push(join(dir, d.name));
  }
  return out;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (isPublishCommand(argv[0])) return publishCommand(argv);
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      preset: { type: 'string' }, out: { type: 'string' }, kernel: { type: 'string' }, shard: { type: 'string' }, path: { type: 'string' },
      png: { type: 'boolean' }, runtime: { type: 'string' }, checks: { type: 'boolean' }, list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { console.log(HELP); return 0; }
  if (values.list) {
    for (const [name, p] of Object.entries(PRESETS)) console.log(`${name.padEnd(20)} ${p.description} [${p.budget}]`);
    return 0;
  }
  if (values.checks) return (await runAllChecks()) ? 0 : 1;
  if (positionals[0] === 'merge') {
    if (!values.out || positionals.length < 2) throw new Error('usage: npm start -- merge --out DIR SHARD_DIR...');
    const res = mergeShards(positionals.slice(1), values.out, nodeDocument());
    console.log(summary(res, values.out));
    return 0;
  }
  if (positionals.length) throw new Error(`unexpected argument '${positionals[0]}'\n${HELP}`);
  const preset = getPreset(values.preset ?? DEFAULT_PRESET);
  let shard: { index: number; count: number } | undefined;
  if (values.shard) {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard);
    if (!m || Number(m[1]) >= Number(m[2]) || Number(m[2]) < 1) throw new Error(`--shard must look like i/n with 0 <= i < n, got '${values.shard}'`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  if (values.path && values.path !== 'fused' && values.path !== 'modular') throw new Error(`--path must be fused or modular, got '${values.path}'`);
  if (values.kernel && !['v1', 'v2', 'auto'].includes(values.kernel)) throw new Error(`--kernel must be v1, v2 or auto, got '${values.kernel}'`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const out = values.out ?? join('runs', `${preset.name}${shard ? `-shard${shard.index}of${shard.count}` : ''}-${stamp}`);
  const runtime = values.runtime ?? 'browser';
  if (runtime !== 'browser' && runtime !== 'node') throw new Error(`--runtime must be browser or node, got '${runtime}'`);
  const bar = new ProgressBar();
  const t0 = performance.now();
  const browser = runtime === 'browser' ? await openHarness() : null;
  const ctx = runtime === 'node' ? await acquireNodeDevice() : null;
  try {
    let execute: ((exp: ExperimentConfig) => Promise<ExperimentResult>) | undefined;
    let adapter: AdapterReport | null = ctx?.adapter ?? null;
    if (browser) {
      adapter = await browser.page.evaluate(() => window.kit!.adapter()) as AdapterReport;
      await browser.page.exposeFunction('reportProgress', (p: StageProgress) => bar.update(p));
      if (values.path || values.kernel) throw new Error('--path and --kernel are only available with --runtime node');
      execute = async (exp) => {
        const r = await browser.page.evaluate((c, s) => window.kit!.runExperiment(c, s), exp as never, (shard ?? null) as never) as ExperimentResult & { weights: { toy: number[]; saes: number[] } };
        return { ...r, weights: { toy: Float32Array.from(r.weights.toy), saes: Float32Array.from(r.weights.saes) } };
      };
    }
    bar.note(`preset ${preset.name}: ${preset.experiments.length} experiment(s) on ${adapter?.vendor} ${adapter?.architecture} (${runtime}); writing ${out}`);
    bar.note(preset.budget_note);
    const res = await runPreset(ctx, preset, out, {
      document: nodeDocument(), shard, path: values.path as 'fused' | 'modular' | undefined, execute, adapter, kernel: values.kernel as 'v1' | 'v2' | 'auto' | undefined, onNote: (l) => bar.note(l),
      onProgress: (p) => bar.update(p),
      onExperimentDone: (name, r, skipped) => bar.note(skipped ? `[${name}] already finished in ${out}: skipped` : `[${name}] done in ${(r.timing.toy_s + r.timing.sae_s + r.timing.eval_s + r.timing.analysis_s).toFixed(1)} s (${r.saes.length} SAEs, ${r.sae_path} path)`),
    });
    if (values.png) {
      const pngs = await svgFilesToPng(listSvgs(out));
      const bad = pngs.filter((p) => p.errors.length);
      bar.note(`rendered ${pngs.length} PNG figure(s)${bad.length ? `; problems: ${bad.flatMap((b) => b.errors).join('; ')}` : ''}`);
    }
    console.log(`\nfinished in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(summary(res, out));
    return 0;
  } finally {
    if (ctx) releaseNodeGpu(ctx);
    await browser?.close();
    await closeServer();
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(`error: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
