// Progress is weighted by work, the same code for the CLI's bar and the browser page's controller: the
// fraction never goes back, and grows in proportion to each stage's work (not a third per stage).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunController } from '../src/app/controller';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { getPreset } from '../src/experiments/presets';
import { ExperimentProgress, RunProgress, stageWork } from '../src/experiments/progress';
import type { StageProgress } from '../src/experiments/runner';
import { ProgressBar } from '../src/cli/progress';
import { nodeDocument } from '../src/plots/dom-node';

const tiny = getPreset('tiny').experiments[0];

describe('work-weighted progress', () => {
  it('weighs stages by their work; a quick study experiment spends almost all of it in the SAEs', () => {
    const quick = getPreset('study-quick').experiments[0];
    const w = stageWork(quick, null);
    expect(w.toy / (w.toy + w.sae + w.eval)).toBeLessThan(0.1);
    const p = new ExperimentProgress(quick, null);
    const toyDone = p.fraction({ stage: 'toy', step: quick.toy.steps, total: quick.toy.steps });
    expect(toyDone).toBeCloseTo(w.toy / p.total, 12); // not 1/3
    const half = p.fraction({ stage: 'sae', step: quick.sae.steps / 2, total: quick.sae.steps });
    expect(half).toBeCloseTo((w.toy + w.sae / 2) / p.total, 12);
    expect(p.fraction({ stage: 'toy', step: 0, total: quick.toy.steps })).toBe(half); // a late report never takes it back
    // the study's correlated experiment trains reference SAEs (2 per cell against 5 realizations) after the evaluation
    expect(quick.optimality_gap).toBe(true);
    expect(w.ref / w.sae).toBeGreaterThan(0.3);
    expect(w.ref / w.sae).toBeLessThan(0.41);
    expect(p.fraction({ stage: 'eval', step: 1, total: 1 })).toBeCloseTo(1 - w.ref / p.total, 12);
    expect(p.fraction({ stage: 'ref', step: quick.sae.steps, total: quick.sae.steps })).toBeCloseTo(1, 12);
    expect(stageWork({ ...quick, optimality_gap: false }, null).ref).toBe(0);
  });

  it('the CLI bar shows the whole run in proportion to work, finished experiments counting as done', () => {
    const lines: string[] = [];
    const out = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const bar = new ProgressBar(out);
    const two = [tiny, { ...tiny, name: 'b' }];
    bar.plan = new RunProgress(two, null);
    expect(bar.plan.finish('correlated')).toBeCloseTo(0.5, 12);
    const ex = new ExperimentProgress(tiny, null);
    const p: StageProgress = { experiment: 'b', stage: 'sae', step: 100, total: 200, models: 8, loss: 1, diverged: 0 };
    bar.update(p);
    const want = 0.5 + (0.5 * (ex.work.toy + ex.work.sae / 2)) / ex.total;
    expect(lines.at(-1)).toContain(`| run ${(want * 100).toFixed(0)}% ETA`);
  });
});

describe('the run ETA', () => {
  it('waits for SAE training (not the toy stage or the compiles), then prints one estimate of the whole run', () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(0);
      const lines: string[] = [];
      const out = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
      const bar = new ProgressBar(out);
      bar.plan = new RunProgress([tiny], null);
      const at = (ms: number, stage: StageProgress['stage'], step: number, total: number) => {
        vi.setSystemTime(ms);
        bar.update({ experiment: tiny.name, stage, step, total, models: 8, loss: 1, diverged: 0 });
      };
      at(60_000, 'toy', tiny.toy.steps, tiny.toy.steps); // a slow toy stage: no ETA from it
      expect(lines.at(-1)!.trimEnd()).toMatch(/\| run \d+% ETA --$/);
      at(61_000, 'sae', 10, 200);
      at(62_000, 'sae', 20, 200); // under ETA_AFTER_S of SAE training: still none
      expect(lines.at(-1)!.trimEnd()).toMatch(/ETA --$/);
      at(71_000, 'sae', 100, 200);
      const note = lines.find((l) => l.startsWith('run estimate:'));
      expect(note, lines.join('')).toBeDefined();
      // from the SAE rate: ~90 steps in 10 s, 100 left -> ~11 s left, ~82 s in all (not minutes from the toy stage)
      const left = /ETA (\d+)s$/.exec(lines.at(-1)!.trim());
      expect(left, lines.at(-1)).not.toBeNull();
      expect(Number(left![1])).toBeGreaterThan(5);
      expect(Number(left![1])).toBeLessThan(20);
      at(72_000, 'sae', 110, 200);
      expect(lines.filter((l) => l.startsWith('run estimate:'))).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('browser page controller', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await acquireNodeDevice();
  });
  afterAll(() => releaseNodeGpu(ctx));

  it('over a tiny run its fractions are monotone and proportional to work', async () => {
    const seen: { text: string; f: number }[] = [];
    const saved: string[] = [];
    const ctl = new RunController(ctx, { save: async (r) => void saved.push(r.id), document: nodeDocument() });
    await ctl.runAll([tiny], 'tiny', {
      onStart: () => undefined,
      onStatus: (text, f) => seen.push({ text, f }),
      onLoss: () => undefined,
      onBatchLoss: () => undefined,
      onLive: () => undefined,
      onFinished: () => undefined,
    });
    expect(saved).toHaveLength(1);
    const f = seen.map((s) => s.f);
    for (let i = 1; i < f.length; i++) expect(f[i], seen[i].text).toBeGreaterThanOrEqual(f[i - 1]);
    expect(f.at(-1)).toBe(1);
    const w = stageWork(tiny, ctx.adapter),
      total = w.toy + w.sae + w.eval;
    let checked = 0;
    for (const s of seen) {
      const m = /(toy model|\d+ SAEs): step (\d+)\/(\d+)/.exec(s.text);
      if (!m) continue;
      const done = Number(m[2]) / Number(m[3]);
      const want = m[1] === 'toy model' ? (done * w.toy) / total : (w.toy + done * w.sae) / total;
      expect(s.f, s.text).toBeCloseTo(want, 9);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  }, 120_000);
});
