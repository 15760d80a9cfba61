// Model selection under both rules (per-sample FVU, the study's; batch FVU), the cells whose pick changes,
// the grouped evaluation (bit-identical to one dispatch), convergence flags, summary.json, publish and compare.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDirs } from './tmp';
import { compareRuns, publishRun } from '../src/cli/publish';
import { gunzipSync } from 'node:zlib';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { convergence, median, pickLowest, windowedMedian } from '../src/metrics/analysis';
import { getPreset, withSeed } from '../src/experiments/presets';
import { counts, pickChanges, renderReport, selectionSection } from '../src/experiments/report';
import { readResults, type ResultsFile, type StoredExperiment } from '../src/experiments/results';
import { evalSamplesFor, runExperiment } from '../src/experiments/runner';
import { isSoftwareAdapter } from '../src/gpu/context';
import { parseExperiment } from '../src/config/schema';
import { runPreset } from '../src/experiments/study';
import type { RunSummary } from '../src/experiments/summary';
import { evalModelsPerDispatch } from '../src/train/evaluate';
import { nodeDocument } from '../src/plots/dom-node';

const tmp = tmpDirs('sae-sel-');

/** A stored experiment with one 1 x 2 grid and 3 realizations per cell; losses chosen so the rules disagree in cell 1. */
function fakeExperiment(): StoredExperiment {
  const sae = (index: number, cell: [number, number], r: number, verdict: string, ps: number, bf: number) => ({
    index,
    cell,
    lr: 1e-3,
    l1: cell[1] ? 0.3 : 0.1,
    realization: r,
    verdict,
    final_loss: ps,
    final_loss_batch: bf,
    diverged: null,
    converged: true,
    late_drop: 0,
    monosemanticity: 0.5,
  });
  const saes = [
    sae(0, [0, 0], 0, 'composed', 0.5, 0.4),
    sae(1, [0, 0], 1, 'true', 0.6, 0.45),
    sae(2, [0, 0], 2, 'mixed', 0.7, 0.5),
    // per-sample FVU picks r0 (a spike-free but worse batch fit); batch FVU picks r2
    sae(3, [0, 1], 0, 'composed', 0.8, 0.7),
    sae(4, [0, 1], 1, 'mixed', 0.9, 0.6),
    sae(5, [0, 1], 2, 'true', 1.2, 0.3),
  ];
  const cell = (c: [number, number], models: number[]) => {
    const diverged = () => false;
    const by = {
      per_sample_fvu: pickLowest(
        models,
        saes.map((s) => s.final_loss),
        diverged,
      ),
      batch_fvu: pickLowest(
        models,
        saes.map((s) => s.final_loss_batch),
        diverged,
      ),
    };
    return {
      cell: c,
      lr: 1e-3,
      l1: c[1] ? 0.3 : 0.1,
      models,
      lowest_loss: by.per_sample_fvu,
      lowest_by: by,
      most_monosemantic: models[0],
      verdicts: { true: 0, composed: 0, mixed: 0, dead: 0 },
      converged: true,
    };
  };
  return {
    name: 'fake',
    config: { selection: 'per_sample_fvu', eval_samples: 100 },
    saes,
    cells: [cell([0, 0], [0, 1, 2]), cell([0, 1], [3, 4, 5])],
  } as unknown as StoredExperiment;
}

describe('selection rules (host)', () => {
  it('pickLowest skips diverged and non-finite models, keeps the first of ties', () => {
    expect(pickLowest([0, 1, 2], [3, 1, 2], () => false)).toBe(1);
    expect(pickLowest([0, 1, 2], [3, 1, 2], (i) => i === 1)).toBe(2);
    expect(pickLowest([0, 1, 2], [NaN, 2, 2], () => false)).toBe(1);
    expect(pickLowest([0, 1], [NaN, NaN], () => true)).toBe(0);
  });
  it('counts verdicts under both rules and lists the cells whose pick changes', () => {
    const e = fakeExperiment();
    expect(counts(e, 'per_sample_fvu')).toMatchObject({ composed: 2, true: 0, n: 2 });
    expect(counts(e, 'batch_fvu')).toMatchObject({ composed: 1, true: 1, n: 2 });
    const ch = pickChanges(e);
    expect(ch.map((x) => [x.cell.l1, x.a, x.b])).toEqual([[0.3, 3, 5]]);
    const md = selectionSection({ experiments: [e] });
    expect(md).toMatch(/\| fake \| 100 \| 2 \/ 0 \/ 0 \/ 0 \/ 0 of 2 \| 1 \/ 1 \/ 0 \/ 0 \/ 0 of 2 \| 1 \| 1 \|/); // composed / true / mixed / partial / dead
    expect(md).toMatch(/lr 0\.001, lambda 0\.3: r0 \(composed\) -> r2 \(true\)/);
  });
  it('windowed median and convergence', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(windowedMedian([1, 100, 1, 1, 1e6, 1], 3)).toEqual([1, 50.5, 1, 1, 1, 1]);
    const steps = Array.from({ length: 100 }, (_, i) => i * 10);
    expect(
      convergence(
        steps,
        steps.map(() => 1),
        1000,
      ).converged,
    ).toBe(true);
    const falling = convergence(
      steps,
      steps.map((t) => 2 - t / 1000),
      1000,
    );
    expect(falling.converged).toBe(false);
    expect(falling.drop).toBeCloseTo((1.15 - 1.05) / 1.15, 2);
    // a single spike in the last window does not flag a flat curve
    expect(
      convergence(
        steps,
        steps.map((t) => (t === 950 ? 1e6 : 1)),
        1000,
      ).converged,
    ).toBe(true);
    // too few logged points in a window: unknown
    expect(convergence([0, 500, 850, 950], [4, 3, 2, 1], 1000).converged).toBe(null);
  });
  it('evaluation sample counts: eval_samples_hardware only on a hardware adapter (not SwiftShader, not lavapipe); groups fit the limits', () => {
    const c = parseExperiment({ name: 'x', eval_samples: 10_000, eval_samples_hardware: 1_000_000 });
    const hw = { isFallbackAdapter: false, vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100' };
    expect(evalSamplesFor(c, hw as never)).toBe(1_000_000);
    expect(evalSamplesFor(c, { ...hw, vendor: 'google', description: 'SwiftShader Device (Subzero)', isFallbackAdapter: true } as never)).toBe(10_000);
    expect(isSoftwareAdapter({ isFallbackAdapter: false, vendor: 'google', architecture: 'swiftshader', description: '' })).toBe(true);
    const lvp = { isFallbackAdapter: true, vendor: 'mesa', architecture: 'software', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' };
    expect(isSoftwareAdapter(lvp)).toBe(true);
    expect(evalSamplesFor(c, lvp as never)).toBe(10_000);
    // the full presets evaluate 1,000,000 samples on every adapter, the quick ones the study's 10,000
    for (const e of getPreset('study-full').experiments) expect(evalSamplesFor(parseExperiment(e), lvp as never)).toBe(1_000_000);
    for (const e of getPreset('study-quick').experiments) expect(evalSamplesFor(parseExperiment(e), lvp as never)).toBe(10_000);
    const dims = { N: 4, D: 2, S: 4 };
    const lim = { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 65535 };
    expect(evalModelsPerDispatch(dims, 1_000_000, 125, lim, 64)).toBe(4); // (65535 * 64) / 1e6 workgroups
    expect(evalModelsPerDispatch(dims, 10_000, 125, lim, 64)).toBe(125);
    expect(() => evalModelsPerDispatch(dims, 10_000_000, 1, { ...lim, maxStorageBufferBindingSize: 1 << 27 }, 64)).toThrow(
      /adapter allows 134217728; lower eval_samples/,
    );
  });
});

describe('selection rules (GPU, tiny preset)', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await acquireNodeDevice();
  });
  afterAll(() => releaseNodeGpu(ctx));

  it('both rules per cell; the evaluation in groups of 3 models equals one dispatch bit for bit', async () => {
    const c = getPreset('tiny').experiments[0];
    const one = await runExperiment(ctx, c);
    const grouped = await runExperiment(ctx, c, { evalModelsPerDispatch: 3 });
    expect(grouped.saes.map((s) => [s.final_loss, s.batch_fvu, s.l0, s.dead])).toEqual(one.saes.map((s) => [s.final_loss, s.batch_fvu, s.l0, s.dead]));
    for (const cell of one.cells) {
      expect(cell.lowest_loss).toBe(cell.lowest_by!.per_sample_fvu);
      const ls = cell.models.map((m) => one.saes[m].final_loss),
        lb = cell.models.map((m) => one.saes[m].final_loss_batch!);
      expect(one.saes[cell.lowest_by!.per_sample_fvu].final_loss).toBe(Math.min(...ls));
      expect(one.saes[cell.lowest_by!.batch_fvu].final_loss_batch).toBe(Math.min(...lb));
    }
    let worst = 0;
    for (const s of one.saes) {
      expect(s.batch_fvu).toBeCloseTo(1 - s.ev_h, 6);
      worst = Math.max(worst, Math.abs(s.final_loss_batch! - (s.batch_fvu! + s.l1 * s.l1_term)));
      expect(typeof s.converged === 'boolean' || s.converged === null).toBe(true);
    }
    expect(worst).toBeLessThan(1e-6);
    // batch_fvu as the configured rule picks by it
    const b = await runExperiment(ctx, { ...c, selection: 'batch_fvu' });
    expect(b.cells.map((x) => x.lowest_loss)).toEqual(b.cells.map((x) => x.lowest_by!.batch_fvu));
  });

  it('summary.json/md beside results.json; publish copies report, summaries and figures; compare states the seed spread', async () => {
    const a = tmp(),
      bDir = tmp(),
      pub = tmp();
    const tiny = getPreset('tiny');
    await runPreset(ctx, tiny, a, { document: nodeDocument(), command: 'npm start -- --preset tiny' });
    await runPreset(ctx, withSeed(tiny, 1, 'tiny-seed2'), bDir, { document: nodeDocument(), command: 'npm start -- --preset tiny-seed2' });
    const s = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8')) as RunSummary;
    expect(s.command).toBe('npm start -- --preset tiny');
    expect(s.adapter?.isFallbackAdapter).toBeTypeOf('boolean');
    expect(s.budget.sae_steps.correlated).toBe(200);
    expect(s.wall_s).toBeGreaterThan(0);
    const e = s.experiments[0];
    expect(Object.keys(e.verdicts_lowest).sort()).toEqual(['batch_fvu', 'per_sample_fvu']);
    expect(e.cells).toHaveLength(4);
    expect(e.cells[0].picks.per_sample_fvu.angles_deg).toHaveLength(4);
    expect(readFileSync(join(a, 'summary.md'), 'utf8')).toMatch(/isFallbackAdapter: (true|false)/);
    const report = readFileSync(join(a, 'report.md'), 'utf8');
    expect(report).toMatch(/## Selection rules/);
    expect(report).toMatch(/## Convergence/);
    const copied = publishRun(a, pub);
    expect(copied).toEqual(
      expect.arrayContaining(['report.md', 'summary.json', 'summary.md', 'correlated/heatmap.svg', 'correlated/losses.svg', 'correlated/config.json']),
    );
    // the weights (small) and results.json gzipped, so a claim can be checked from what is published
    expect(copied).toEqual(expect.arrayContaining(['correlated/saes.safetensors', 'correlated/toy.safetensors', 'results.json.gz']));
    expect(copied).not.toContain('results.json');
    expect(JSON.parse(gunzipSync(readFileSync(join(pub, 'results.json.gz'))).toString()).experiments.length).toBeGreaterThan(0);
    expect(existsSync(join(pub, 'correlated', 'grid.svg'))).toBe(true);
    expect(() => publishRun(tmp(), pub)).toThrow(/has no results\.json/);
    const md = compareRuns(a, bDir);
    expect(md).toMatch(/\| correlated \| all SAEs composed \| \d+\/8 \| \d+\/8 \| \d+ \|/);
    expect(readFileSync(join(a, 'report.md'), 'utf8')).toMatch(/second seed/);
    expect(readFileSync(join(a, 'report.md'), 'utf8')).toMatch(/## Seed to seed/);
    const s2 = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8')) as RunSummary;
    expect(s2.second_seed?.experiments[0].seed).toBe(1);
    expect(readFileSync(join(a, 'summary.md'), 'utf8')).toMatch(/Second seed \(tiny-seed2\)/);
    const ra = readResults(a) as ResultsFile,
      rb = readResults(bDir) as ResultsFile;
    expect(rb.experiments[0].config.seed).toBe(1);
    expect(renderReport(ra, [rb])).toMatch(/Judged over 2 independent seeds \(0, 1\)/);
  });
});
