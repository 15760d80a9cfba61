// The study runner: config validation, resume, shard + merge, report claims and figures.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpDirs } from './tmp';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { svgFilesToPng } from '../harness/png';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { getPreset, PRESETS } from '../src/experiments/presets';
import { readResults } from '../src/experiments/results';
import { ConfigError, parseExperiment, parsePreset } from '../src/config/schema';
import { runExperiment } from '../src/experiments/runner';
import { mergeShards, runPreset } from '../src/experiments/study';
import { nodeDocument } from '../src/plots/dom-node';
import { decodeSafetensors, encodeSafetensors } from '../src/io/safetensors';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await acquireNodeDevice();
});
afterAll(() => releaseNodeGpu(ctx));
const tmp = tmpDirs('sae-study-');

describe('experiment config validation', () => {
  const bad: [string, unknown, RegExp][] = [
    ['negative lr', { name: 'x', grid: { lr: [-1e-3] } }, /grid\.lr\.0: learning rates must be > 0/],
    ['toy lr zero', { name: 'x', toy: { lr: 0 } }, /toy\.lr: must be > 0/],
    [
      'probabilities not summing to 1',
      { name: 'x', data: { sets: [2, 2], joint: [0.5, 0.5, 0.5, 0.5] } },
      /data\.joint sums to 2, probabilities must sum to 1/,
    ],
    ['p outside [0,1]', { name: 'x', data: { p_onehot: 1.5 } }, /data\.p_onehot: must be <= 1/],
    ['rho outside [0,1]', { name: 'x', data: { rho: -0.2 } }, /data\.rho: must be >= 0/],
    ['non-integer steps', { name: 'x', sae: { steps: 10.5 } }, /sae\.steps: must be an integer/],
    ['unknown field', { name: 'x', sae: { stepz: 10 } }, /stepz/],
    ['d > n', { name: 'x', toy: { d: 5 } }, /toy\.d = 5 hidden dims for n = 4 features/],
    ['bad name', { name: 'Has Spaces' }, /name: lower-case letters/],
  ];
  for (const [what, cfg, msg] of bad) it(`rejects ${what}`, () => expect(() => parseExperiment(cfg)).toThrow(msg));
  it('an omitted name takes its default, so only the bad field is named', () => {
    expect(() => parseExperiment({ sae: { s: 0 } })).toThrow(/^invalid experiment config: sae\.s: must be > 0$/);
    expect(parseExperiment({}).name).toBe('experiment');
  });
  it('rejects shapes over the adapter limits (evaluation records: unless the CPU-shaped evaluation fits the SAEs)', () => {
    const lim = { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 27 };
    expect(() => parseExperiment({ name: 'x', data: { sets: [16, 16] }, toy: { d: 16 }, sae: { s: 32 }, eval_samples: 10_000_000 }, lim)).toThrow(
      /the adapter allows 134217728/,
    );
    expect(parseExperiment({ name: 'x', eval_samples: 10_000_000 }, lim).eval_samples).toBe(10_000_000); // d s = 8: no records
  });
  it('rejects an unknown preset, naming the known ones', () => expect(() => getPreset('nope')).toThrow(/unknown preset 'nope'; known presets: study-quick/));
  it('every preset is valid; the study presets cover every experiment at both budgets', () => {
    for (const p of Object.values(PRESETS)) expect(() => parsePreset(p)).not.toThrow();
    for (const b of ['quick', 'full'])
      expect(getPreset(`study-${b}`).experiments.map((e) => e.name)).toEqual(['correlated', 'uncorrelated', 'onehot', 'cos-signed', 'cos-abs']);
    expect(getPreset('study-full').experiments[0].sae.steps * getPreset('study-full').experiments[0].sae.batch).toBe(128_000_000);
    expect(() => parsePreset({ ...getPreset('tiny'), experiments: [getPreset('tiny').experiments[0], getPreset('tiny').experiments[0]] })).toThrow(ConfigError);
  });
});

describe('study runner', () => {
  const two = parsePreset({
    ...getPreset('tiny'),
    name: 'tiny-two',
    experiments: [getPreset('tiny').experiments[0], { ...getPreset('tiny').experiments[0], name: 'onehot', data: { sets: [2, 2], rho: 0, p_onehot: 0.75 } }],
  });

  it('writes results as each experiment finishes and resumes an interrupted run', async () => {
    const out = tmp();
    await runPreset(ctx, two, out, { document: nodeDocument(), maxExperiments: 1 }); // "interrupted" after one
    const partial = readResults(out)!;
    expect(partial.experiments.map((e) => e.name)).toEqual(['correlated']);
    expect(existsSync(join(out, 'report.md'))).toBe(false);
    const seen: string[] = [];
    const res = await runPreset(ctx, two, out, {
      document: nodeDocument(),
      onExperimentDone: (n, _r, skipped) => seen.push(`${n}:${skipped ? 'skipped' : 'ran'}`),
    });
    expect(seen).toEqual(['correlated:skipped', 'onehot:ran']);
    expect(res.experiments.map((e) => e.name)).toEqual(['correlated', 'onehot']);
    const e = res.experiments[0];
    expect(e.saes).toHaveLength(8);
    for (const s of e.saes) {
      expect(s.decoder).toHaveLength(4);
      expect(['true', 'composed', 'mixed', 'partial', 'dead']).toContain(s.verdict);
      expect(['true', 'composed', 'mixed', 'dead']).toContain(s.verdict_nearest);
      expect(s.verdict_flagged).toBe(!e.toy.validity!.valid);
      expect(s.recovery!.true.targets).toBe(4);
      expect(s.recovery!.composed.targets).toBe(e.composed.length);
      expect(s.angles_deg).toHaveLength(4);
      expect(Number.isFinite(s.final_loss)).toBe(true);
    }
    for (const f of ['toy.safetensors', 'saes.safetensors', 'config.json', 'toy.svg', 'grid.svg', 'sae-overlay.svg', 'losses.svg', 'result.json'])
      expect(existsSync(join(out, 'correlated', f)), f).toBe(true);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    for (let n = 1; n <= 7; n++) expect(report).toMatch(new RegExp(`### Claim ${n}:`));
    expect(report).toMatch(/Claim 1: .*\n\n\*\*(supported|partly supported|not supported)\.\*\* \d of \d distinct toy models/);
    // docs/science.md §5: correlated 1.000 vs 0.707; one-hot p = 0.75 (uncorrelated) 0.625 vs 0.766
    expect(report).toMatch(/correlated: true (0\.99\d|1\.00\d) vs composed 0\.70\d/);
    expect(report).toMatch(/onehot: true 0\.6[23]\d vs composed 0\.7[67]\d/);
    expect(res.budget.note).toMatch(/tiny/);
  });

  it('shard + merge equals the unsharded run', async () => {
    const p = getPreset('tiny');
    const full = tmp(),
      s0 = tmp(),
      s1 = tmp(),
      merged = tmp();
    await runPreset(ctx, p, full, { document: nodeDocument() });
    await runPreset(ctx, p, s0, { document: nodeDocument(), shard: { index: 0, count: 2 } });
    await runPreset(ctx, p, s1, { document: nodeDocument(), shard: { index: 1, count: 2 } });
    expect(readResults(s0)!.experiments[0].saes.length).toBe(4);
    mergeShards([s1, s0], merged, nodeDocument());
    const a = readResults(full)!.experiments[0],
      b = readResults(merged)!.experiments[0];
    const key = (x: typeof a) => x.saes.map((s) => [s.cell, s.realization, s.seed, s.verdict, s.decoder, s.final_loss]);
    expect(key(b)).toEqual(key(a));
    expect(b.cells.map((c) => [c.cell, c.lowest_loss, c.most_monosemantic])).toEqual(a.cells.map((c) => [c.cell, c.lowest_loss, c.most_monosemantic]));
    // the selection-loss curves are evaluated at the same steps in every shard, so the merge keeps them
    expect(b.curves.eval?.step.length).toBeGreaterThan(2);
    expect(b.curves.eval).toEqual(a.curves.eval);
    expect(readResults(merged)!.adapters).toEqual({ correlated: ctx.adapter });
    expect(existsSync(join(merged, 'report.md'))).toBe(true);
    expect(() => mergeShards([s0], tmp(), nodeDocument())).toThrow(/shard 1\/2 is missing/);
    // a shard whose toy model differs in one parameter (as when a GPU's benchmark picked another toy kernel there) is refused
    const s1b = tmp();
    cpSync(s1, s1b, { recursive: true });
    const name = readResults(s1)!.experiments[0].name,
      toyFile = join(s1b, name, 'toy.safetensors');
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(toyFile)));
    tensors.W.data[0] += 2 ** -10;
    writeFileSync(toyFile, encodeSafetensors(tensors, metadata));
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(() => mergeShards([s0, s1b], tmp(), nodeDocument())).toThrow(
      new RegExp(
        `experiment '${name}': the toy model of ${esc(s1b)} differs from that of ${esc(s0)} \\(1 of \\d+ parameters, max \\|diff\\| 9\\.77e-4; toy kernel \\w+ vs \\w+\\)`,
      ),
    );
  });

  it('says when a toy model is reused, and records the adapter of each part of a resumed run', async () => {
    const t = getPreset('tiny').experiments[0];
    const p = parsePreset({
      ...getPreset('tiny'),
      name: 'tiny-reuse',
      experiments: [t, { ...t, name: 'signed', sae: { ...t.sae, cos: { variant: 'signed' } } }],
    });
    const out = tmp();
    const notes: string[] = [];
    const other = { ...ctx.adapter, description: 'another machine' };
    const run = (adapter: typeof ctx.adapter, preset = p) =>
      runPreset(null, preset, out, {
        document: nodeDocument(),
        adapter,
        execute: (exp) => runExperiment(ctx, exp, { onNote: (l) => notes.push(l) }),
      });
    // the folder starts with one experiment; the preset gains the second before the resume
    const first = await run(ctx.adapter, parsePreset({ ...p, experiments: [t] }));
    expect(Object.keys(first.budget.sae_steps)).toEqual(['correlated']);
    const res = await run(other);
    expect(res.adapters).toEqual({ correlated: ctx.adapter, signed: other });
    // the budget record names the gained experiment too (compare checks it seed against seed)
    expect(res.budget.sae_steps).toEqual({ correlated: t.sae.steps, signed: t.sae.steps });
    expect(res.budget.sae_batch).toEqual({ correlated: t.sae.batch, signed: t.sae.batch });
    expect(res.adapter).toEqual(other);
    expect(notes.join('\n')).toMatch(/\[signed\] toy model: the same data, toy config and seed as correlated's, trained earlier in this run: reused/);
  });

  it('figures render in headless Chromium without errors', async () => {
    const out = tmp();
    await runPreset(ctx, getPreset('tiny'), out, { document: nodeDocument() });
    const files = ['toy', 'grid', 'sae-overlay', 'losses'].map((f) => join(out, 'correlated', `${f}.svg`));
    const r = await svgFilesToPng(files);
    for (const x of r) {
      expect(x.errors, x.file).toEqual([]);
      expect(x.width).toBeGreaterThan(300);
      expect(x.height).toBeGreaterThan(200);
      expect(readFileSync(x.png).subarray(1, 4).toString()).toBe('PNG');
    }
    const svg = readFileSync(files[0], 'utf8');
    for (const label of ['x1', 'x2', 'y1', 'y2']) expect(svg).toContain(`>${label}<`);
  });
});

describe('npm start', () => {
  it('runs a preset through the harness (headless Chromium) and matches the Node runtime', () => {
    const run = (runtime: string) => {
      const out = tmp();
      const log = execFileSync('npx', ['tsx', 'src/cli/main.ts', '--preset', 'tiny', '--out', out, '--runtime', runtime], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(log).toMatch(/\| correlated \| 8 \|/);
      return readResults(out)!;
    };
    const b = run('browser'),
      n = run('node');
    expect(b.adapter?.runtime).toBe('browser');
    expect(n.adapter?.runtime).toBe('node');
    const eb = b.experiments[0],
      en = n.experiments[0];
    expect(eb.saes.map((s) => s.verdict)).toEqual(en.saes.map((s) => s.verdict));
    let worst = 0;
    eb.saes.forEach((s, i) =>
      s.decoder.flat().forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - en.saes[i].decoder.flat()[j]));
      }),
    );
    console.log(`browser vs node runtime: worst decoder difference ${worst.toExponential(2)} (tolerance 1e-5)`);
    expect(worst).toBeLessThan(1e-5);
  });
  it('--help and --list work, and a bad option is named', () => {
    expect(execFileSync('npx', ['tsx', 'src/cli/main.ts', '--help'], { encoding: 'utf8' })).toMatch(/--preset NAME/);
    expect(execFileSync('npx', ['tsx', 'src/cli/main.ts', '--list'], { encoding: 'utf8' })).toMatch(/study-quick .*\[quick\]/);
    expect(() => execFileSync('npx', ['tsx', 'src/cli/main.ts', '--preset', 'nope'], { encoding: 'utf8', stdio: 'pipe' })).toThrow(/unknown preset 'nope'/);
  });
});
