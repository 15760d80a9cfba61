// The future-work bench: its preset (every scenario point x every variant, the knob swept) and its leaderboard
// (future-work.md) from hand-built runs whose decoders, L0 and knobs are known.
import { describe, expect, it } from 'vitest';
import { FW, futureWorkExperiments, fwK } from '../../src/experiments/future-work';
import { futureWorkRows, futureWorkSection, leaderboard, switchTable } from '../../src/experiments/future-work-report';
import { getPreset } from '../../src/experiments/presets';
import { SCENARIOS, trueL0 } from '../../src/scenarios';
import { SAE_VARIANTS } from '../../src/variants';
import { dir, fakeExperiment, fakeResults, STUDY_W } from '../fake-experiment';

const TRUE = [0, 180, 90, -90].map(dir);
const COMPOSED = [45, 135, -45, -135].map(dir);
const k2 = SCENARIOS.find((s) => s.letter === 'a')!;

describe('the future-work preset', () => {
  it('runs every variant at every scenario point, the TopK family at the data L0, the rest over lambda', () => {
    const p = getPreset('future-work');
    const points = SCENARIOS.reduce((a, s) => a + s.points.length, 0);
    expect(p.experiments).toHaveLength(points * SAE_VARIANTS.length);
    for (const sc of SCENARIOS)
      for (const pt of sc.points) {
        const at = p.experiments.filter((e) => e.name.startsWith(`fw-${sc.letter}-${pt.label}-`));
        expect(at.map((e) => e.sae.variant).sort()).toEqual(SAE_VARIANTS.map((v) => v.name).sort());
        for (const e of at) {
          expect(e.toy.d).toBe(pt.d);
          expect(e.sae.s).toBe(pt.s);
          const v = SAE_VARIANTS.find((x) => x.name === e.sae.variant)!;
          if (v.needsK) expect([e.sae.k, e.grid.l1]).toEqual([Math.round(trueL0(pt.data)), [0]]);
          else expect(e.grid.l1).toEqual([...(pt.lambdas ?? FW.lambdas)]);
        }
      }
    // the points whose lambda sweep reaches further: 10 features in d = 3, 4 and the hierarchy
    const wider = SCENARIOS.flatMap((sc) => sc.points.filter((pt) => pt.lambdas).map((pt) => `${sc.letter}-${pt.label}`));
    expect(wider).toEqual(['c-d3', 'c-d4', 'f-p025', 'f-p05', 'f-p075']);
    expect(p.experiments.find((e) => e.name === 'fw-c-d4-relu')!.grid.l1).toEqual([0.03, 0.1, 0.3, 1, 3, 10]);
    // the fixed-dictionary bench: the same experiments, every toy model a fixed orthogonalised dictionary
    const dict = getPreset('future-work-dict');
    expect(dict.experiments.map((e) => e.name)).toEqual(p.experiments.map((e) => e.name));
    expect(dict.experiments.every((e) => e.toy.model === 'dictionary' && e.toy.ortho_steps === 100)).toBe(true);
    expect(p.experiments.filter((e) => e.toy.model === 'dictionary').every((e) => e.name.startsWith('fw-f-'))).toBe(true);
    // seeds 2..5 differ only in the seed
    const s5 = getPreset('future-work-seed5');
    expect(s5.experiments.every((e, i) => e.seed === 4 && e.name === p.experiments[i].name)).toBe(true);
  });

  it("the data's own L0: sets active per draw, one-hot draws and empty sets counted", () => {
    expect(trueL0({ sets: [2, 2, 2] })).toBe(3);
    expect(trueL0({ sets: [2, 2], p_onehot: 0.75 })).toBeCloseTo(0.25 * 2 + 0.75, 12);
    expect(trueL0({ sets: [4, 4], p_set_empty: 0.5 })).toBe(1);
    expect(fwK({ label: 'x', x: 0, data: { sets: [3, 3, 3] }, d: 3, s: 2 })).toBe(2);
  });
});

/** One seed's bench run at (a) k = 2: relu over two lambdas (true SAEs at L0 2, composed at L0 1) and topk (composed). */
function run(seed: number) {
  const exps = futureWorkExperiments([{ ...k2, points: [k2.points[0]] }], SAE_VARIANTS);
  const relu = exps.find((e) => e.sae?.variant === 'relu')!;
  const topk = exps.find((e) => e.sae?.variant === 'topk')!;
  const reluExp = fakeExperiment({
    name: relu.name!,
    sets: [2, 2],
    W: STUDY_W,
    saes: [{ decoder: TRUE }, { decoder: TRUE }, { decoder: COMPOSED }, { decoder: COMPOSED }],
  });
  reluExp.saes.forEach((s, i) => {
    s.l1 = i < 2 ? 0.03 : 0.3;
    s.l0 = i < 2 ? 2 : 1;
  });
  const topkExp = fakeExperiment({ name: topk.name!, sets: [2, 2], W: STUDY_W, saes: [{ decoder: COMPOSED }, { decoder: TRUE }] });
  topkExp.config = { ...topkExp.config, sae: { ...topkExp.config.sae, variant: 'topk', k: 2 } };
  for (const e of [reluExp, topkExp]) e.config = { ...e.config, seed };
  return fakeResults([reluExp, topkExp], `future-work${seed ? `-seed${seed + 1}` : ''}`);
}

describe('future-work.md: the leaderboard at matched L0', () => {
  it("picks each variant's knob whose L0 is nearest the data's and grades its SAEs", () => {
    const rows = futureWorkRows([run(0), run(1)]);
    expect(rows.map((r) => r.variant).sort()).toEqual(['relu', 'topk']);
    const relu = rows.find((r) => r.variant === 'relu')!;
    // target L0 2 (two sets): lambda 0.03's SAEs (L0 2, true); lambda 0.3's sit at L0 1
    expect(relu).toMatchObject({ knob: 'lambda 0.03', target: 2, seeds: 2, flagged: 0, saes: 4 });
    expect(relu.stats.true_cov.value).toBe(1);
    expect(relu.stats.mcc.value).toBeCloseTo(1, 9);
    expect(relu.stats.true_saes.value).toBe(1);
    expect(relu.sweep.map((s) => [s.knob, s.l0])).toEqual([
      ['lambda 0.03', 2],
      ['lambda 0.3', 1],
    ]);
    const topk = rows.find((r) => r.variant === 'topk')!;
    // half its SAEs true, half composed: true coverage 0.5, composed coverage 0.5 (4 composed directions)
    expect(topk.knob).toBe('k 2');
    expect(topk.stats.true_cov.value).toBeCloseTo(0.5, 12);
    expect(topk.stats.composed_cov.value).toBeCloseTo(0.5, 12);
    expect(topk.stats.mcc.value).toBeLessThan(1);
    const board = leaderboard(rows);
    expect(board[0]).toMatchObject({ variant: 'relu', points: 1, best: 1 });
    expect(board[1]).toMatchObject({ variant: 'topk', points: 1, best: 0 });
    const md = futureWorkSection([run(0), run(1)]);
    expect(md).toContain('| relu | 1 | 1 |');
    expect(md).toContain('| 2 (k2) | relu | lambda 0.03 | 2.00 (2.00) | 1.00 [1.00, 1.00]');
    expect(futureWorkSection([fakeResults([fakeExperiment({ name: 'correlated', sets: [2, 2], W: STUDY_W, saes: [{ decoder: TRUE }] })])])).toBe('');
  });
});

describe('a scenario at a glance (switchTable)', () => {
  it('lists each variant along the axis and names the first point whose interval lies above one half', () => {
    const rows = futureWorkRows([run(0), run(1)]);
    const lines = switchTable(k2, rows);
    // relu is true at k = 2 (coverage 1, interval [1, 1]); topk half (0.5): no switch in range
    expect(lines.find((l) => l.startsWith('| relu |'))).toBe('| relu | 1.00 [1.00, 1.00] | - | - | - | - | 2 |');
    expect(lines.find((l) => l.startsWith('| topk |'))).toMatch(/\| not in range \|$/);
  });
});
