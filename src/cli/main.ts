// `npm start`: the kit's main job — reproduce the study (default preset study-quick) headlessly.
// The browser harness (vite, puppeteer-core) is imported only when a run needs it, so a Node-only
// entry bundles without them.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Harness } from '../../harness/launch';
import type { AdapterReport, GpuContext } from '../gpu/context';
import type { StageProgress } from '../experiments/runner';
import type { ExperimentResult } from '../results/schema';
import type { ExperimentConfig, PresetConfig } from '../config/schema';
import { useDiskChoiceCache } from '../train/choice-cache-node';
import { KERNEL_REQUESTS, type KernelRequest } from '../train/choose';
import { acquireNodeDevice, fastAdapterLikely, listNodeAdapters, pickNodeAdapter, releaseNodeGpu } from '../gpu/node';
import { WebGPUUnavailableError } from '../gpu/errors';
import { presetAsConfig, presetFromConfigFile } from '../experiments/config-file';
import { experimentWarnings } from '../jobs/experiment';
import { DEFAULT_PRESET, DEFAULT_PRESET_SLOW, getPreset, PRESETS } from '../experiments/presets';
import { RunProgress } from '../experiments/progress';
import { verdictTable } from '../experiments/report';
import { readResults, type ResultsFile } from '../experiments/results';
import { mergeShards, runPreset } from '../experiments/study';
import { fileCheckpointStore } from '../io/checkpoints';
import { probeOutputDir, writeFileAtomic } from '../io/files';
import { parseCli } from './args';
import { nodeDocument } from '../plots/dom-node';
import { watchLaunchers } from './launcher';
import { ProgressBar, sayCompiles } from './progress';
import { isPublishCommand, PUBLISH_HELP, publishCommand } from './publish';
import { isSaelensCommand, SAELENS_HELP, saelensCommand } from './saelens';
import { isWideCommand, WIDE_HELP, wideCommand } from './wide';

const HELP = `usage: npm start -- [options]            run a preset (default: ${DEFAULT_PRESET}, the whole study at its
                                          own budget, on a GPU or lavapipe; else ${DEFAULT_PRESET_SLOW})
       npm start -- merge --out DIR SHARD_DIR...   merge shard results into DIR
${PUBLISH_HELP}
${SAELENS_HELP}
${WIDE_HELP}

options:
  --preset NAME     preset to run (--list shows them)
  --config FILE     run your own experiments instead: one (a JSON object) or several (a JSON array),
                    the schema of the browser page's config editor
  --print-config PRESET  print a preset as --config JSON (a starting point for your own)
  --out-config FILE with --print-config: write the JSON to FILE instead (npm's own '> ...' lines, which
                    \`npm start -- --print-config X > FILE\` also captures, stay out of it)
  --out DIR         output folder (default runs/<preset>-<timestamp>), created and checked for writing
                    before any work; a folder that already holds results.json of the same preset is
                    resumed: finished experiments are skipped (also after Ctrl-C or SIGTERM)
  --checkpoint-every S  save the toy model's and the SAEs' training state at most every S seconds of work
                    (default 60; 0: after every chunk; off: never) in OUT/<experiment>/checkpoint/: a stopped
                    run resumes mid-experiment from the latest, with the results of an uninterrupted run
                    (Node runtime; --runtime browser resumes whole experiments only)
  --shard i/n       run grid cells whose index % n == i (0-based), to spread a sweep over GPUs or machines
  --path P          SAE training path: fused (default where it fits) or modular
  --kernel V        fused SAE kernel version: ${KERNEL_REQUESTS.join(', ')} (default auto: chosen per adapter; Node runtime)
  --runtime R       where the GPU work runs: auto (default: WebGPU in Node on the best hardware adapter,
                    the software adapter when there is none; headless Chromium if WebGPU in Node cannot
                    start), node (WebGPU in Node only) or browser (headless Chromium through the harness)
  --adapter A       Node: the adapter to use, by index or name (--list-adapters shows them)
  --list-adapters   list the WebGPU adapters Node finds, and the Vulkan drivers tried
  --png             also render every figure to PNG through headless Chromium
  --checks          run the GPU-vs-reference checks on Node and headless Chromium instead
  --list            list presets
  -h, --help        this text`;

/** One short name for an adapter (run header, progress line). */
function adapterName(a: AdapterReport | null): string {
  if (!a) return 'unknown adapter';
  const what = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'adapter';
  const detail = [a.device, a.description].filter(Boolean).join(', ');
  return `${what}${detail ? ` (${detail})` : ''}${a.isFallbackAdapter ? ' [software]' : ''}`;
}

function summary(res: ResultsFile, dir: string): string {
  return [`results: ${resolve(dir)}/results.json`, `report:  ${resolve(dir)}/report.md`, `summary: ${resolve(dir)}/summary.md`, '', verdictTable(res)].join(
    '\n',
  );
}

function listSvgs(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.isDirectory()) out.push(...listSvgs(join(dir, d.name)));
    else if (d.name.endsWith('.svg')) out.push(join(dir, d.name));
  }
  return out;
}

// Resources a signal must release: the browser (and its process group), the GPU device, the Vite server.
const live: {
  browser: Harness | null;
  ctx: GpuContext | null;
  closeServer: (() => Promise<void>) | null;
  killPng: (() => void) | null;
  out: string | null;
  /** experiments finished (this process or before), the one running and its latest checkpoint */
  finished: number;
  current: string | null;
  saved: { experiment: string; stage: string; step: number; total: number } | null;
} = {
  browser: null,
  ctx: null,
  closeServer: null,
  killPng: null,
  out: null,
  finished: 0,
  current: null,
  saved: null,
};

/** What a stop keeps: "3 experiments finished; correlated resumes from SAE step 9,000 of 12,000". */
function keptMessage(finished: number, current: string | null, saved: typeof live.saved): string {
  const parts = [`${finished} experiment${finished === 1 ? '' : 's'} finished`];
  if (current) {
    const s = saved?.experiment === current ? saved : null;
    const n = (x: number) => x.toLocaleString('en-US');
    parts.push(
      !s
        ? `${current} starts again (no checkpoint yet)`
        : s.stage === 'toy'
          ? s.step >= s.total
            ? `${current} resumes with its trained toy model`
            : `${current} resumes from toy-model step ${n(s.step)} of ${n(s.total)}`
          : `${current} resumes from ${s.stage === 'ref' ? 'reference-SAE' : 'SAE'} step ${n(s.step)} of ${n(s.total)}`,
    );
  }
  return parts.join('; ');
}
let stopping = false;

function onSignal(sig: NodeJS.Signals, why = sig as string): void {
  const code = 128 + (sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15);
  if (stopping) process.exit(code); // a second signal: leave now
  stopping = true;
  const closing = live.browser || live.killPng ? 'the browser and the GPU device' : 'the GPU device';
  process.stderr.write(
    `\nstopping on ${why}: closing ${closing}${live.out ? `; ${keptMessage(live.finished, live.current, live.saved)} in ${live.out}; the same --out resumes` : ''}\n`,
  );
  live.browser?.kill();
  live.killPng?.();
  if (live.ctx) releaseNodeGpu(live.ctx);
  const done = () => process.exit(code);
  setTimeout(done, 3000).unref();
  (live.closeServer?.() ?? Promise.resolve()).catch(() => undefined).then(done);
}

// a computed specifier, so bundlers leave the harness (vite, puppeteer-core) out of a Node-only bundle
const harnessModule = <T>(name: 'launch' | 'png'): Promise<T> => import(new URL(`../../harness/${name}.ts`, import.meta.url).href);

async function openBrowser(): Promise<Harness> {
  const launch = await harnessModule<typeof import('../../harness/launch')>('launch');
  live.closeServer = launch.closeServer;
  const h = await launch.openHarness();
  live.browser = h;
  if (stopping) h.kill();
  return h;
}

async function main(): Promise<number> {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => onSignal(sig));
  watchLaunchers((p) => onSignal('SIGTERM', `the exit of its launcher (pid ${p.pid}: ${p.cmd.slice(0, 40)})`));
  const argv = process.argv.slice(2);
  if (isPublishCommand(argv[0])) return publishCommand(argv);
  if (isSaelensCommand(argv[0])) return saelensCommand(argv);
  if (isWideCommand(argv[0])) return wideCommand(argv);
  const { values, positionals } = parseCli({
    args: argv,
    allowPositionals: true,
    options: {
      preset: { type: 'string' },
      config: { type: 'string' },
      'print-config': { type: 'string' },
      'out-config': { type: 'string' },
      out: { type: 'string' },
      kernel: { type: 'string' },
      shard: { type: 'string' },
      'checkpoint-every': { type: 'string' },
      path: { type: 'string' },
      png: { type: 'boolean' },
      runtime: { type: 'string' },
      adapter: { type: 'string' },
      'list-adapters': { type: 'boolean' },
      checks: { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.list) {
    for (const [name, p] of Object.entries(PRESETS)) console.log(`${name.padEnd(20)} ${p.description} [${p.budget}]`);
    return 0;
  }
  if (values['out-config'] !== undefined && values['print-config'] === undefined)
    throw new Error('--out-config FILE goes with --print-config PRESET (it writes that preset as --config JSON)');
  if (values['print-config'] !== undefined) {
    const json = JSON.stringify(presetAsConfig(getPreset(values['print-config'])), null, 2);
    if (values['out-config'] === undefined) console.log(json);
    else {
      writeFileAtomic(values['out-config'], `${json}\n`);
      console.error(`wrote ${values['out-config']}: preset ${values['print-config']} as --config JSON`);
    }
    return 0;
  }
  if (values['list-adapters']) {
    const { adapters, drivers } = await listNodeAdapters();
    console.log('WebGPU adapters in Node (--adapter INDEX or NAME):');
    for (const a of adapters)
      console.log(`  ${a.index}: ${a.name} (${a.drivers} driver${a.drivers === 'software' ? ': used only when no hardware adapter is found' : ''})`);
    if (!adapters.length) console.log('  none');
    console.log('Vulkan drivers:');
    for (const d of drivers) console.log(`  ${d}`);
    return 0;
  }
  if (values.checks) {
    const { runAllChecks } = await (import(new URL('./checks.ts', import.meta.url).href) as Promise<typeof import('./checks')>);
    return (await runAllChecks()) ? 0 : 1;
  }
  if (positionals[0] === 'merge') {
    if (!values.out || positionals.length < 2) throw new Error('usage: npm start -- merge --out DIR SHARD_DIR...');
    for (const d of positionals.slice(1)) if (!existsSync(d)) throw new Error(`merge: shard folder ${d} does not exist`);
    probeOutputDir(values.out);
    const res = mergeShards(positionals.slice(1), values.out, nodeDocument());
    console.log(summary(res, values.out));
    return 0;
  }
  if (positionals.length) throw new Error(`unexpected argument '${positionals[0]}'\n${HELP}`);
  if (values.config && values.preset) throw new Error('give --preset or --config, not both');
  // no preset named: the study at its own budget where that takes minutes, else the quick budget (said below)
  const fast = !values.config && !values.preset && values.runtime !== 'browser' && fastAdapterLikely();
  const defaultName = fast ? DEFAULT_PRESET : DEFAULT_PRESET_SLOW;
  const preset: PresetConfig = values.config ? presetFromConfigFile(values.config) : getPreset(values.preset ?? defaultName);
  // configs that are valid but cannot show what the study asks (e.g. s below the number of composed directions)
  const warnings = preset.experiments.flatMap(experimentWarnings);
  for (const w of warnings.slice(0, 3)) console.error(`warning: ${w}`);
  if (warnings.length > 3) console.error(`warning: and ${warnings.length - 3} more experiment(s) of ${preset.name} with too few latents for a verdict`);
  let shard: { index: number; count: number } | undefined;
  if (values.shard) {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard);
    if (!m || Number(m[1]) >= Number(m[2]) || Number(m[2]) < 1) throw new Error(`--shard must look like i/n with 0 <= i < n, got '${values.shard}'`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const every = values['checkpoint-every'] ?? '60';
  if (every !== 'off' && !(Number(every) >= 0)) throw new Error(`--checkpoint-every must be seconds (>= 0) or off, got '${every}'`);
  if (values.path && values.path !== 'fused' && values.path !== 'modular') throw new Error(`--path must be fused or modular, got '${values.path}'`);
  if (values.kernel && !(KERNEL_REQUESTS as readonly string[]).includes(values.kernel))
    throw new Error(`--kernel must be one of ${KERNEL_REQUESTS.join(', ')}, got '${values.kernel}'`);
  let runtime = values.runtime ?? 'auto';
  if (runtime !== 'auto' && runtime !== 'browser' && runtime !== 'node') throw new Error(`--runtime must be auto, node or browser, got '${runtime}'`);
  if (runtime === 'browser' && (values.path || values.kernel)) throw new Error('--path and --kernel are only available with --runtime node or auto');
  if (runtime === 'browser' && values.adapter !== undefined) throw new Error("--adapter chooses among Node's adapters; it does not apply to --runtime browser");
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const stem = values.config ? preset.name.replace(/^config:/, '') : preset.name;
  const out = values.out ?? join('runs', `${stem}${shard ? `-shard${shard.index}of${shard.count}` : ''}-${stamp}`);
  // --adapter names an adapter that exists (found without creating a device): else the error comes before --out is created
  const picked = runtime !== 'browser' && values.adapter !== undefined ? await pickNodeAdapter(values.adapter) : undefined;
  // before any device or training: an output folder we cannot write fails now, not after hours of work
  probeOutputDir(out);
  const previous = readResults(out, { published: true }); // a folder of another preset or shard fails now, before the device starts
  if (previous && !existsSync(join(out, 'results.json')))
    console.error(`${out}: a published run (results.json.gz): its ${previous.experiments.length} finished experiment(s) are kept, the rest run`);
  if (previous && previous.preset !== preset.name)
    throw new Error(`${out} holds results of preset '${previous.preset}', not '${preset.name}'; choose another --out`);
  if (previous && JSON.stringify(previous.shard) !== JSON.stringify(shard ?? null))
    throw new Error(`${out} holds shard ${JSON.stringify(previous.shard)}, not ${JSON.stringify(shard ?? null)}; choose another --out`);
  live.out = out;
  const bar = new ProgressBar();
  const t0 = performance.now();
  let ctx: GpuContext | null = null;
  let compiled: (() => string) | null = null;
  let browser: Harness | null = null;
  try {
    if (runtime !== 'browser') {
      try {
        useDiskChoiceCache(); // the per-adapter kernel choice (src/train/choose.ts) survives the process
        ctx = await acquireNodeDevice({ adapter: values.adapter, picked, log: (l) => bar.note(l) });
        live.ctx = ctx;
        compiled = sayCompiles(ctx, (l) => bar.note(l));
        runtime = 'node';
      } catch (e) {
        if (runtime === 'node' || values.adapter !== undefined || !(e instanceof WebGPUUnavailableError)) throw e;
        bar.note(`${(e as Error).message}\nfalling back to headless Chromium (--runtime browser)`);
        runtime = 'browser';
      }
    }
    if (stopping) return 1;
    let execute: ((exp: ExperimentConfig) => Promise<ExperimentResult>) | undefined;
    let adapter: AdapterReport | null = ctx?.adapter ?? null;
    if (runtime === 'browser') {
      const h = (browser = await openBrowser());
      adapter = (await h.page.evaluate(() => window.kit!.adapter())) as AdapterReport;
      await h.page.exposeFunction('reportProgress', (p: StageProgress) => {
        live.current = p.experiment;
        bar.update(p);
      });
      execute = async (exp) => {
        const r = (await h.page.evaluate((c, s) => window.kit!.runExperiment(c, s), exp as never, (shard ?? null) as never)) as ExperimentResult & {
          weights: { toy: number[]; saes: number[] };
        };
        return { ...r, weights: { toy: Float32Array.from(r.weights.toy), saes: Float32Array.from(r.weights.saes) } };
      };
    }
    bar.tag = [adapter?.vendor, adapter?.architecture].filter(Boolean).join(' ') || adapter?.device || '';
    bar.note(`preset ${preset.name}: ${preset.experiments.length} experiment(s) on ${adapterName(adapter)} (runtime ${runtime}); writing ${out}`);
    bar.note(preset.budget_note);
    if (!values.config && !values.preset)
      bar.note(
        fast
          ? `no --preset: ${DEFAULT_PRESET}, the study at its own budget (12-18 min measured on lavapipe on 2 cores with AVX-512, 21-25 min without, minutes on a GPU; the run estimate follows); --preset ${DEFAULT_PRESET_SLOW} is the one-minute look`
          : `no --preset: ${DEFAULT_PRESET_SLOW}, the quick budget (no GPU or lavapipe here: the study's own budget, --preset ${DEFAULT_PRESET}, would take hours on SwiftShader)`,
      );
    bar.plan = new RunProgress(preset.experiments, adapter, shard);
    const res = await runPreset(ctx, preset, out, {
      document: nodeDocument(),
      shard,
      path: values.path as 'fused' | 'modular' | undefined,
      execute,
      adapter,
      kernel: values.kernel as KernelRequest | undefined,
      onNote: (l) => bar.note(l),
      onProgress: (p) => {
        live.current = p.experiment;
        bar.update(p);
      },
      checkpoint:
        every === 'off'
          ? undefined
          : {
              store: fileCheckpointStore(out),
              everySeconds: Number(every),
              onSave: (key, step, total) => {
                const [experiment, stage] = key.split('/');
                live.saved = { experiment, stage, step, total };
              },
            },
      onExperimentDone: (name, r, skipped) => {
        live.finished++;
        live.current = null;
        bar.plan?.finish(name);
        bar.note(
          skipped
            ? `[${name}] already finished in ${out}: skipped`
            : `[${name}] done in ${(r.timing.toy_s + r.timing.sae_s + r.timing.eval_s + (r.timing.ref_s ?? 0) + r.timing.analysis_s).toFixed(1)} s (${r.saes.length} SAEs${r.timing.ref_s !== undefined ? ` + ${2 * r.cells.length} reference SAEs` : ''}, ${r.sae_path} path); saved in ${out}`,
        );
      },
    });
    if (values.png) {
      const png = await harnessModule<typeof import('../../harness/png')>('png');
      live.killPng = png.killPngBrowsers;
      const pngs = await png.svgFilesToPng(listSvgs(out));
      const bad = pngs.filter((p) => p.errors.length);
      bar.note(`rendered ${pngs.length} PNG figure(s)${bad.length ? `; problems: ${bad.flatMap((b) => b.errors).join('; ')}` : ''}`);
    }
    console.log(`\nfinished in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${adapterName(adapter)}${compiled ? `; ${compiled()}` : ''}`);
    console.log(summary(res, out));
    return 0;
  } finally {
    if (ctx) releaseNodeGpu(ctx);
    live.ctx = null;
    await browser?.close();
    live.browser = null;
    await live.closeServer?.();
  }
}

main().then(
  (code) => {
    if (!stopping) process.exit(code);
  },
  (e) => {
    if (stopping) return; // the signal handler exits
    console.error(`error: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  },
);
