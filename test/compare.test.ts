// `npm start -- compare A B` states a seed-to-seed spread only for two independent seeds of the same
// study: a run against itself, two runs at the same seed, or runs of different configs are refused
// (exit 1, the reason named) and nothing in A is rewritten.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../src/experiments/presets';

const TSX = join('node_modules', '.bin', 'tsx');
const root = mkdtempSync(join(tmpdir(), 'sae-compare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cli = (...args: string[]) => spawnSync(TSX, ['src/cli/main.ts', ...args], { encoding: 'utf8' });
const dir = (n: string) => join(root, n);

beforeAll(() => {
  const tiny = getPreset('tiny').experiments[0];
  writeFileSync(join(root, 'seed1.json'), JSON.stringify({ ...tiny, seed: 1 }));
  for (const [out, args] of [
    ['a', ['--preset', 'tiny']],
    ['c', ['--config', join(root, 'seed1.json')]],
  ] as const) {
    const r = cli(...args, '--runtime', 'node', '--out', dir(out));
    expect(r.status, r.stderr).toBe(0);
  }
  cpSync(dir('a'), dir('b'), { recursive: true }); // another run at seed 0 (identical, as a rerun would be)
  cpSync(dir('c'), dir('e'), { recursive: true }); // a third seed (seed 2; the same numbers as c: only the table's shape is tested)
  const third = JSON.parse(readFileSync(join(dir('e'), 'results.json'), 'utf8'));
  third.experiments[0].config.seed = 2;
  writeFileSync(join(dir('e'), 'results.json'), JSON.stringify(third));
  cpSync(dir('c'), dir('d'), { recursive: true }); // seed 1 but another SAE batch size
  const res = JSON.parse(readFileSync(join(dir('d'), 'results.json'), 'utf8'));
  res.experiments[0].config.sae.batch = 32;
  res.budget.sae_batch.correlated = 32;
  writeFileSync(join(dir('d'), 'results.json'), JSON.stringify(res));
}, 120_000);

describe('compare', () => {
  const refused: [string, string, string, RegExp][] = [
    ['a run against itself', 'a', 'a', /are the same run/],
    ['two runs at seed 0', 'a', 'b', /both ran experiment 'correlated' at seed 0: they are not independent seeds/],
    ['runs of different budgets', 'a', 'd', /different budgets/],
  ];
  for (const [what, x, y, why] of refused)
    it(`refuses ${what}, exits 1 and rewrites nothing`, () => {
      const report = readFileSync(join(dir(x), 'report.md'), 'utf8');
      const r = cli('compare', dir(x), dir(y));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).toMatch(/nothing was written/);
      expect(readFileSync(join(dir(x), 'report.md'), 'utf8')).toBe(report);
      expect(report).not.toMatch(/seed-to-seed difference/);
      expect(existsSync(join(dir(x), 'compare.md'))).toBe(false);
    }, 60_000);

  it('takes three or more seeds: a table of every seed with the range, after checking every pair', () => {
    const bad = cli('compare', dir('a'), dir('c'), dir('b'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/both ran experiment 'correlated' at seed 0/);
    const r = cli('compare', dir('a'), dir('c'), dir('e'));
    expect(r.status, r.stderr).toBe(0);
    const md = readFileSync(join(dir('a'), 'compare.md'), 'utf8');
    expect(md).toMatch(/## Across 3 seeds/);
    expect(md).toMatch(/\| correlated \| all SAEs composed \| \d+\/8 \| \d+\/8 \| \d+\/8 \| \d+ % \[95 % CI \d+ %, \d+ %\] \| \d+ \|/);
    // every claim's verdict at every seed (a and c are different runs, c and e carry the same numbers)
    expect(md).toMatch(/## Claims at each seed/);
    const row = md.split('\n').find((l) => l.startsWith('| 1. the toy model stores'));
    const v = '(supported|partly supported|not supported|not measured)';
    expect(row).toMatch(new RegExp(`\\| ${v} \\| ${v} \\| ${v} \\| (yes|no) \\|$`));
    expect(md).toMatch(/\| claim \| seed 0 \| seed 1 \| seed 2 \| seeds agree \|/);
  }, 60_000);

  it('reads published runs (results.json.gz beside the report)', () => {
    const pub = dir('published');
    const r1 = cli('publish', '--from', dir('c'), '--to', pub);
    expect(r1.status, r1.stderr).toBe(0);
    expect(existsSync(join(pub, 'results.json'))).toBe(false);
    expect(existsSync(join(pub, 'results.json.gz'))).toBe(true);
    const r = cli('compare', pub, dir('a'));
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(pub, 'compare.md'), 'utf8')).toMatch(/## Across 2 seeds/);
  }, 60_000);

  it('accepts two seeds of the same study and states the spread', () => {
    const r = cli('compare', dir('a'), dir('c'));
    expect(r.status, r.stderr).toBe(0);
    const report = readFileSync(join(dir('a'), 'report.md'), 'utf8');
    expect(report).toMatch(/Other seeds: /);
    expect(report).toMatch(/Judged over 2 independent seeds \(0, 1\)/);
    expect(existsSync(join(dir('a'), 'compare.md'))).toBe(true);
  }, 60_000);
});
