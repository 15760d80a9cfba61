// The CLI as a user runs it (separate processes): unwritable output folders fail before any work,
// --config / --print-config, shards run in parallel then merged, and signals leave no process behind
// and resume to the same results. Tiny shapes, Node runtime where the browser is not the point.
import { encodeNpy } from '../src/io/npy';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpDirs } from './tmp';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetAsConfig, presetFromConfigFile } from '../src/experiments/config-file';
import { getPreset } from '../src/experiments/presets';
import { WIDE_PRESETS } from '../src/experiments/wide';
import { descendants, stillAlive, type ProcId } from './proc-tree';

const tmp = tmpDirs('sae-cli-');
const tiny = getPreset('tiny').experiments[0];
/** tiny, made smaller still: these tests are about processes and files, not about what is learnt */
const micro = { ...tiny, toy: { ...tiny.toy, steps: 200 }, sae: { ...tiny.sae, steps: 100 }, eval_samples: 200 };
function configFile(dir: string, value: unknown): string {
  const f = join(dir, 'config.json');
  writeFileSync(f, JSON.stringify(value));
  return f;
}
const TSX = join('node_modules', '.bin', 'tsx');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], opts: { npx?: boolean; onStderr?: (all: string, pid: number) => void } = {}): Promise<Run> & { pid: number } {
  const t0 = Date.now();
  const p = opts.npx
    ? spawn('npx', ['tsx', 'src/cli/main.ts', ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(TSX, ['src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '',
    stderr = '';
  p.stdout.on('data', (d) => {
    stdout += d;
  });
  p.stderr.on('data', (d) => {
    stderr += d;
    opts.onStderr?.(stderr, p.pid!);
  });
  const done = new Promise<Run>((resolve) => p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 })));
  return Object.assign(done, { pid: p.pid! });
}

const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
/** What must match between two runs of the same work: every SAE's numbers, decoder and verdict, and the weights files. */
function outcome(dir: string) {
  const r = results(dir);
  return r.experiments.map(
    (e: { name: string; saes: { lr: number; l1: number; realization: number; final_loss: number; decoder: number[][]; verdict: string }[] }) => ({
      name: e.name,
      saes: e.saes.map((s) => ({ lr: s.lr, l1: s.l1, r: s.realization, loss: s.final_loss, decoder: s.decoder, verdict: s.verdict })),
      weights: readFileSync(join(dir, e.name, 'saes.safetensors')).toString('base64'),
    }),
  );
}

describe('output folder checked before any work', () => {
  it('--out under /proc and --out an existing file fail within seconds with a named error', async () => {
    const file = join(tmp(), 'some-file.txt');
    writeFileSync(file, 'not a folder');
    const runs = await Promise.all([
      cli(['--preset', 'tiny', '--runtime', 'node', '--out', '/proc/forbidden']),
      cli(['--preset', 'tiny', '--runtime', 'browser', '--out', '/proc/forbidden']),
      cli(['--preset', 'tiny', '--out', file]),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.ms).toBeLessThan(30_000); // tsx start-up on a loaded machine; no training, no browser
      expect(r.stderr).not.toMatch(/\] (toy|sae) /); // no training started
    }
    expect(runs[0].stderr).toMatch(/error: cannot create folder \/proc\/forbidden: ENOENT/);
    expect(runs[1].stderr).toMatch(/error: cannot create folder \/proc\/forbidden/);
    expect(runs[2].stderr).toContain(`error: cannot create folder ${file}: ${file} exists and is not a folder`);
  }, 60_000);
});

describe('mistakes on the command line', () => {
  it("an unknown option is named in the kit's words, for the run and for a subcommand", async () => {
    for (const args of [
      ['--sped', '3'],
      ['compare', '--sped', 'a', 'b'],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: unknown option --sped; see --help$/m);
      expect(r.stderr).not.toMatch(/positional|place it at the end/);
    }
  }, 60_000);

  it('--adapter that does not exist and a negative --checkpoint-every fail with their own message, and create no --out folder', async () => {
    const dir = tmp();
    const [adapter, every] = await Promise.all([
      cli(['--preset', 'tiny', '--runtime', 'node', '--adapter', '7', '--out', join(dir, 'a')]),
      cli(['--preset', 'tiny', '--checkpoint-every', '-5', '--out', join(dir, 'b')]),
    ]);
    expect(adapter.code).toBe(1);
    expect(adapter.stderr).toMatch(/^error: --adapter 7: no such adapter; adapters here: 0: /m);
    expect(every.code).toBe(1);
    expect(every.stderr).toMatch(/^error: --checkpoint-every must be seconds \(>= 0\) or off, got '-5'$/m);
    expect(every.stderr).not.toMatch(/ambiguous/);
    expect(existsSync(join(dir, 'a'))).toBe(false);
    expect(existsSync(join(dir, 'b'))).toBe(false);
  }, 60_000);

  it('wide: an unknown preset, a bad --samples, --gemm, --lr or --variant fail with their own message before any work', async () => {
    const dir = tmp();
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ ...WIDE_PRESETS['synth-cpu-quick'], sae: { ...WIDE_PRESETS['synth-cpu-quick'].sae, widht: 2 } }));
    const [preset, samples, gemm, lr, variant, objective, decode, config] = await Promise.all([
      cli(['wide', '--preset', 'synth-huge', '--out', join(dir, 'a')]),
      cli(['wide', '--preset', 'synth-cpu-quick', '--samples', '0', '--out', join(dir, 'b')]),
      cli(['wide', '--gemm', 'fast', '--out', join(dir, 'c')]),
      cli(['wide', '--lr', '-1', '--out', join(dir, 'd')]),
      cli(['wide', '--variant', 'gated', '--out', join(dir, 'e')]),
      cli(['wide', '--objective', 'anthropic', '--out', join(dir, 'f')]),
      cli(['wide', '--preset', 'synth-cpu', '--decode', 'sparse', '--out', join(dir, 'g')]),
      cli(['wide', '--config', cfg, '--out', join(dir, 'h')]),
    ]);
    expect(config.code).toBe(1);
    expect(config.stderr).toMatch(/^error: invalid wide config: sae: Unrecognized key: "widht"/m);
    expect(decode.code).toBe(1);
    expect(decode.stderr).toMatch(/^error: wide: --decode sparse serves the TopK family \(its rows keep k latents\), not relu/m);
    expect(objective.code).toBe(1);
    expect(objective.stderr).toMatch(/^error: wide: --objective must be saelens or study, got 'anthropic'/m);
    expect(preset.code).toBe(1);
    expect(preset.stderr).toMatch(
      /^error: unknown wide preset 'synth-huge' \(known: synth-cpu, synth-cpu-topk, synth-cpu-batchtopk, synth-cpu-matryoshka-batchtopk, synth-cpu-jumprelu, synth-16k, synth-composed, synth-cpu-quick\)/m,
    );
    expect(variant.code).toBe(1);
    expect(variant.stderr).toMatch(
      /^error: wide: --variant must be one of matryoshka-batchtopk, matryoshka-topk, matryoshka, jumprelu, batchtopk, topk, relu \(the variants with a wide recipe\), got 'gated'/m,
    );
    expect(samples.code).toBe(1);
    expect(samples.stderr).toMatch(/^error: wide: --samples must be an integer >= 1, got '0'/m);
    expect(gemm.code).toBe(1);
    expect(gemm.stderr).toMatch(/^error: wide: --gemm must be one of naive, tiled, blocked, lanes, got 'fast'/m);
    expect(lr.code).toBe(1);
    expect(lr.stderr).toMatch(/^error: wide: --lr must be a number > 0, got '-1'/m);
    for (const d of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) expect(existsSync(join(dir, d))).toBe(false);
  }, 60_000);

  it('wide --activations: a NaN row, a bad --normalize or a missing file fail by name, and nothing is written', async () => {
    const dir = tmp();
    const x = new Float32Array(40 * 4).map((_, i) => Math.sin(i));
    x[7 * 4 + 2] = Number.NaN;
    writeFileSync(join(dir, 'nan.npy'), encodeNpy([40, 4], x));
    const [nan, norm, missing] = await Promise.all([
      cli(['wide', '--activations', join(dir, 'nan.npy'), '--out', join(dir, 'a')]),
      cli(['wide', '--activations', join(dir, 'nan.npy'), '--normalize', 'layer', '--out', join(dir, 'b')]),
      cli(['wide', '--activations', join(dir, 'none.npy'), '--out', join(dir, 'c')]),
    ]);
    expect(nan.code).toBe(1);
    expect(nan.stderr).toMatch(/nan\.npy: 1 row\(s\) hold NaN or Inf \(rows 7\); nothing was trained or written/);
    expect(norm.stderr).toMatch(/--normalize must be none or expected_average_only_in \(SAELens's names\), got 'layer'/);
    expect(missing.stderr).toMatch(/none\.npy: cannot open \(ENOENT\)/);
    for (const d of ['a', 'b', 'c']) expect(existsSync(join(dir, d))).toBe(false);
  }, 60_000);

  it('a config whose s is below its composed directions is warned about before any work, naming the experiment', async () => {
    const dir = tmp();
    const three = { ...micro, name: 'three-sets', data: { ...micro.data, sets: [2, 2, 2] }, sae: { ...micro.sae, s: 6 } };
    // a bad --shard stops the run right after the config is read: the warning must come before it
    const r = await cli(['--config', configFile(dir, three), '--shard', '5/2', '--out', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^warning: experiment 'three-sets': sae\.s = 6 latents is below the 8 occurring composed directions: no SAE can be judged composed/m,
    );
    expect(r.stderr).toMatch(/^error: --shard must look like i\/n/m);
  }, 60_000);
});

describe('npm run dev', () => {
  it('serves the page with its own favicon, and a SIGTERM to npm leaves no server behind', async () => {
    const port = String(20000 + (process.pid % 20000));
    // CI=true makes vite colour its output: no colours, and escape codes stripped all the same
    const p = spawn('npm', ['run', 'dev', '--', '--port', port], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let out = '';
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
    const plain = (d: Buffer) => String(d).replace(/\u001b\[[0-9;]*m/g, '');
    p.stdout.on('data', (d) => {
      out += plain(d);
    });
    p.stderr.on('data', (d) => {
      out += plain(d);
    });
    const closed = new Promise((res) => p.on('close', res));
    // a fresh clone's first vite start scans and optimises dependencies: slow on a loaded 2-core machine
    for (let i = 0; i < 1000 && !/Local:/.test(out); i++) await new Promise((res) => setTimeout(res, 100));
    expect(out).toMatch(/Local: +http:\/\/127\.0\.0\.1:\d+/);
    const url = /Local: +(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    const html = await (await fetch(`${url}/`)).text();
    expect(html).toMatch(/<link rel="icon" href="data:/); // no request for /favicon.ico, so no 404 in the console
    const snap = descendants(p.pid!);
    expect(snap.some((x) => /dev\.ts/.test(x.cmd))).toBe(true);
    process.kill(p.pid!, 'SIGTERM'); // npm alone, as `kill` or a closed terminal tab would
    await closed;
    let alive = stillAlive(snap);
    for (let i = 0; i < 50 && alive.length; i++) {
      await new Promise((res) => setTimeout(res, 100));
      alive = stillAlive(snap);
    }
    expect(alive.map((x) => `${x.pid} ${x.cmd}`)).toEqual([]);
  }, 150_000);
});

describe('Node-only entry', () => {
  it('bundles without the browser harness (vite, puppeteer-core are imported lazily)', () => {
    const out = join(tmp(), 'main.mjs');
    const r = spawnSync(
      join('node_modules', '.bin', 'esbuild'),
      ['src/cli/main.ts', '--bundle', '--platform=node', '--format=esm', '--external:webgpu', '--external:jsdom', '--log-level=error', `--outfile=${out}`],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.length).toBeGreaterThan(100_000);
    expect(text.match(/puppeteer|from "vite"|vite\/dist/g)).toBeNull();
  }, 60_000);
});

describe('--config and --print-config', () => {
  it('print-config gives JSON that --config accepts as the same experiments', async () => {
    const r = await cli(['--print-config', 'tiny']);
    expect(r.code, r.stderr).toBe(0);
    const dir = tmp(),
      f = join(dir, 'mine.json');
    writeFileSync(f, r.stdout);
    expect(presetFromConfigFile(f).experiments).toEqual(getPreset('tiny').experiments);
    expect(JSON.parse(r.stdout)).toEqual(presetAsConfig(getPreset('tiny')));
    const study = presetAsConfig(getPreset('study-quick')); // several experiments: an array
    expect(Array.isArray(study) && study.length).toBe(5);
  }, 60_000);

  it('--out-config writes the JSON alone to a file (npm start -- ... > file would also capture npm banner lines)', async () => {
    const f = join(tmp(), 'mine.json');
    const r = await cli(['--print-config', 'tiny', '--out-config', f]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`wrote ${f}`);
    expect(readFileSync(f, 'utf8').startsWith('{')).toBe(true);
    expect(presetFromConfigFile(f).experiments).toEqual(getPreset('tiny').experiments);
    const alone = await cli(['--out-config', f]);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/error: --out-config FILE goes with --print-config PRESET/);
  }, 60_000);

  it('errors name the file, the experiment and the field', async () => {
    const dir = tmp();
    const w = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.json'), /--config .*missing\.json: no such file/],
      [w('broken.json', '{ "name": "x", '), /--config .*broken\.json: not valid JSON at line 1, column 16: the text ends before the JSON value does/],
      [
        w('field.json', JSON.stringify({ ...tiny, sae: { ...tiny.sae, steps: -5 } })),
        /--config .*field\.json: invalid experiment config: sae\.steps: must be > 0/,
      ],
      [
        w('second.json', JSON.stringify([tiny, { ...tiny, name: 'b', grid: { lr: [0.01], l1: [-1] } }])),
        /--config .*second\.json \[1\] \(b\): invalid experiment config: grid\.l1\.0: L1 coefficients must be >= 0/,
      ],
      [w('unknown.json', JSON.stringify({ ...tiny, lamda: 3 })), /--config .*unknown\.json: invalid experiment config: .*lamda/],
      [w('dup.json', JSON.stringify([tiny, tiny])), /--config .*dup\.json: .*experiment name 'correlated' appears twice/],
      [w('scalar.json', '42'), /--config .*scalar\.json: an experiment must be a JSON object, got 42/],
      [w('empty.json', '[]'), /--config .*empty\.json: the array holds no experiment/],
    ];
    for (const [file, re] of cases) expect(() => presetFromConfigFile(file)).toThrow(re);
    // and through the CLI: exit 1 with the same message, before any GPU work
    const r = await cli(['--config', join(dir, 'field.json'), '--out', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: --config .*field\.json: invalid experiment config: sae\.steps: must be > 0/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  }, 60_000);
});

describe('sharded sweep', () => {
  it('two shard processes in parallel, merged, equal the unsharded run', async () => {
    const dir = tmp(),
      config = configFile(dir, micro);
    const [full, s0, s1] = await Promise.all([
      cli(['--config', config, '--runtime', 'node', '--out', join(dir, 'full')]),
      cli(['--config', config, '--runtime', 'node', '--adapter', '0', '--shard', '0/2', '--out', join(dir, 's0')]),
      cli(['--config', config, '--runtime', 'node', '--adapter', '0', '--shard', '1/2', '--out', join(dir, 's1')]),
    ]);
    for (const r of [full, s0, s1]) expect(r.code, r.stderr).toBe(0);
    const m = await cli(['merge', '--out', join(dir, 'merged'), join(dir, 's0'), join(dir, 's1')]);
    expect(m.code, m.stderr).toBe(0);
    expect(results(join(dir, 's0')).experiments[0].saes).toHaveLength(4);
    expect(outcome(join(dir, 'merged'))).toEqual(outcome(join(dir, 'full')));
    // the end of a run and of a merge names every file a reader opens first, each of which exists
    for (const [r, out] of [
      [full, 'full'],
      [m, 'merged'],
    ] as const)
      for (const f of ['results.json', 'report.md', 'summary.md']) {
        expect(r.stdout).toContain(`${join(dir, out)}/${f}`);
        expect(existsSync(join(dir, out, f))).toBe(true);
      }
    // the run header, the progress lines and results.json name the adapter
    const a = results(join(dir, 'full')).adapter;
    for (const k of ['vendor', 'architecture', 'device', 'description']) expect(typeof a[k]).toBe('string');
    expect(typeof a.isFallbackAdapter).toBe('boolean');
    expect(full.stderr).toContain(`experiment(s) on ${a.vendor} ${a.architecture}`);
    expect(full.stderr).toMatch(new RegExp(`\\[correlated @ ${a.vendor} ${a.architecture}\\] sae `));
  }, 180_000);
});

/** Start a run detached, wait for `ready` in its stderr, snapshot its process tree, send `sig`. */
async function interrupt(args: string[], ready: RegExp, sig: NodeJS.Signals, target: 'process' | 'group') {
  let snap: ProcId[] = [];
  let sent = false;
  const run = cli(args, {
    npx: true,
    onStderr: (all, pid) => {
      if (sent || !ready.test(all)) return;
      sent = true;
      snap = descendants(pid);
      process.kill(target === 'group' ? -pid : pid, sig);
    },
  });
  const r = await run;
  expect(sent, `never saw ${ready} in:\n${r.stderr}`).toBe(true);
  // Chromium may take a moment to go after its parent: allow 5 s, then nothing of the tree may run
  let alive = stillAlive(snap);
  for (let i = 0; i < 50 && alive.length; i++) {
    await new Promise((res) => setTimeout(res, 100));
    alive = stillAlive(snap);
  }
  return { r, snap, alive };
}

describe('signals', () => {
  it('SIGTERM to npx (as `timeout` or a scheduler sends it) stops a browser run: no process survives, Chromium included', async () => {
    const dir = tmp();
    const { r, snap, alive } = await interrupt(
      ['--config', configFile(dir, micro), '--runtime', 'browser', '--out', join(dir, 'o')],
      /\] (toy|sae) /,
      'SIGTERM',
      'process',
    );
    expect(
      snap.some((p) => /chromium/.test(p.cmd)),
      'Chromium was running when the signal was sent',
    ).toBe(true);
    expect(alive.map((p) => `${p.pid} ${p.cmd}`)).toEqual([]);
    expect(r.code === 0).toBe(false);
  }, 120_000);

  it('SIGINT to the process group (Ctrl-C) stops a browser run: no process survives', async () => {
    const dir = tmp();
    const { r, snap, alive } = await interrupt(
      ['--config', configFile(dir, micro), '--runtime', 'browser', '--out', join(dir, 'o')],
      /\] (toy|sae) /,
      'SIGINT',
      'group',
    );
    expect(snap.some((p) => /chromium/.test(p.cmd))).toBe(true);
    expect(alive.map((p) => `${p.pid} ${p.cmd}`)).toEqual([]);
    expect(r.stderr).toMatch(/stopping on SIGINT: closing the browser and the GPU device/);
  }, 120_000);

  it('after SIGTERM the same --out resumes and gives the results of an uninterrupted run', async () => {
    const dir = tmp();
    // b runs long enough that the signal surely lands in it (its kernels are compiled by then, so micro alone is over in a second)
    const config = configFile(dir, [
      { ...micro, name: 'a' },
      { ...micro, name: 'b', seed: 7, sae: { ...micro.sae, steps: 3000 } },
    ]);
    const ref = cli(['--config', config, '--runtime', 'node', '--out', join(dir, 'ref')]);
    const { r, alive } = await interrupt(['--config', config, '--runtime', 'node', '--out', join(dir, 'cut')], /\[a\] done/, 'SIGTERM', 'process');
    expect(alive.map((p) => `${p.pid} ${p.cmd}`)).toEqual([]);
    expect(r.code === 0).toBe(false);
    expect(results(join(dir, 'cut')).experiments.map((e: { name: string }) => e.name)).toEqual(['a']); // the finished one is kept
    const resumed = await cli(['--config', config, '--runtime', 'node', '--out', join(dir, 'cut')]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/\[a\] already finished .*: skipped/);
    const full = await ref;
    expect(full.code, full.stderr).toBe(0);
    expect(outcome(join(dir, 'cut'))).toEqual(outcome(join(dir, 'ref')));
  }, 180_000);

  it('a copy of a published run (results.json.gz, no results.json) resumes: its finished experiments are kept', async () => {
    const dir = tmp();
    const out = join(dir, 'pub');
    const config = configFile(dir, [{ ...micro, name: 'a' }]);
    const first = await cli(['--config', config, '--runtime', 'node', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    // what publish leaves: results.json gzipped
    writeFileSync(join(out, 'results.json.gz'), gzipSync(readFileSync(join(out, 'results.json'))));
    rmSync(join(out, 'results.json'));
    const again = await cli(['--config', config, '--runtime', 'node', '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/a published run \(results\.json\.gz\): its 1 finished experiment\(s\) are kept/);
    expect(again.stderr).toMatch(/\[a\] already finished .*: skipped/);
    expect(results(out).experiments.map((e: { name: string }) => e.name)).toEqual(['a']);
  }, 120_000);

  it('a stop mid-experiment resumes from its last checkpoint, with the results and curves of an uninterrupted run', async () => {
    const dir = tmp();
    const config = configFile(dir, [
      { ...micro, name: 'a' },
      { ...micro, name: 'b', seed: 7, sae: { ...micro.sae, steps: 3000 } },
    ]);
    const ref = cli(['--config', config, '--runtime', 'node', '--out', join(dir, 'ref'), '--checkpoint-every', 'off']);
    const cut = join(dir, 'cut');
    const { r, alive } = await interrupt(
      ['--config', config, '--runtime', 'node', '--out', cut, '--checkpoint-every', '0'],
      /\[b\] SAEs: checkpoint at step \d+/,
      'SIGTERM',
      'process',
    );
    expect(alive.map((p) => `${p.pid} ${p.cmd}`)).toEqual([]);
    expect(r.code === 0).toBe(false);
    // the stop names what is kept, and there is no browser to close
    const kept = /stopping on [^\n]*?: closing the GPU device; 1 experiment finished; b resumes from SAE step ([\d,]+) of 3,000 in /.exec(r.stderr);
    expect(kept, r.stderr).not.toBeNull();
    expect(r.stderr).not.toMatch(/closing the browser/);
    expect(existsSync(join(cut, 'b', 'checkpoint', 'sae.ckpt'))).toBe(true);
    const resumed = await cli(['--config', config, '--runtime', 'node', '--out', cut, '--checkpoint-every', '0']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const from = /\[b\] SAEs: resuming from the checkpoint at step (\d+) of 3000/.exec(resumed.stderr);
    expect(from, resumed.stderr).not.toBeNull();
    expect(Number(from![1])).toBeGreaterThan(0);
    expect(Number(from![1])).toBeLessThan(3000);
    expect(Number(from![1])).toBeGreaterThanOrEqual(Number(kept![1].replace(/,/g, ''))); // never behind what the stop promised
    expect(resumed.stderr).toMatch(/\[b\] toy model: trained before the stop: taken from its checkpoint/);
    const full = await ref;
    expect(full.code, full.stderr).toBe(0);
    expect(outcome(cut)).toEqual(outcome(join(dir, 'ref')));
    const curves = (d: string) => results(d).experiments.map((e: { curves: unknown; toy: { loss_curve: unknown } }) => [e.curves, e.toy.loss_curve]);
    expect(curves(cut)).toEqual(curves(join(dir, 'ref')));
    expect(existsSync(join(cut, 'b', 'checkpoint'))).toBe(false); // spent checkpoints are removed
  }, 180_000);
});
