// The fixes table (compare's fixes.md): per data setting and variant, pooled over seeds, from hand-built runs
// whose verdicts, picks and L0 are known.
import { describe, expect, it } from 'vitest';
import { fixLatentShares, fixRows, fixesSection } from '../../src/experiments/fixes';
import { fixesFigure } from '../../src/plots/fixes';
import { nodeDocument } from '../../src/plots/dom-node';
import { dir, fakeExperiment, fakeResults, STUDY_W } from '../fake-experiment';

const TRUE = [0, 180, 90, -90].map(dir);
const COMPOSED = [45, 135, -45, -135].map(dir);

/** One seed's run: correlated-relu with two cells (a true pick at L0 2, a composed pick at L0 1), correlated-topk2 with one cell (composed pick). */
function run(seed: number) {
  const relu = fakeExperiment({
    name: 'correlated-relu',
    sets: [2, 2],
    W: STUDY_W,
    cells: 2,
    saes: [
      { decoder: TRUE, loss: 0.1 },
      { decoder: COMPOSED, loss: 0.2 },
      { decoder: COMPOSED, loss: 0.1 },
      { decoder: TRUE, loss: 0.3 },
    ],
  });
  const topk = fakeExperiment({
    name: 'correlated-topk2',
    sets: [2, 2],
    W: STUDY_W,
    saes: [
      { decoder: COMPOSED, loss: 0.1 },
      { decoder: TRUE, loss: 0.2 },
    ],
  });
  for (const e of [relu, topk]) {
    e.config = { ...e.config, seed };
    for (const s of e.saes) s.l0 = s.verdict === 'true' ? 2 : 1;
  }
  return fakeResults([relu, topk], `fixes-quick${seed ? `-seed${seed + 1}` : ''}`);
}

describe('fixes.md: every fix in the seed setting, pooled over seeds', () => {
  it('counts picks, verdicts and L0 per fix and per L0 band', () => {
    const runs = [run(0), run(1)];
    const rows = fixRows(runs);
    expect(rows.map((r) => `${r.data}-${r.tag}`)).toEqual(['correlated-relu', 'correlated-topk2']);
    expect(rows[0]).toMatchObject({ seeds: 2, flagged: 0, saes: 8 });
    expect(rows[0].picks.map((s) => s.verdict)).toEqual(['true', 'composed', 'true', 'composed']);
    const md = fixesSection(runs);
    expect(md).toContain('| relu | 2 | 8 | 1.50 (1.00-2.00) | 2/4: 50 %');
    expect(md).toContain('| topk2 | 2 | 4 | 1.00 (1.00-1.00) | 0/2: 0 %');
    // matched L0: relu's true SAEs sit at L0 2, its composed ones at 1 (picks in brackets); topk2 has one of each per seed
    expect(md).toContain('| correlated | relu | 0/4 (0/2) | 4/4 (2/2) | - |');
    expect(md).toContain('| correlated | topk2 | 0/2 (0/2) | 2/2 (0/0) | - |');
    // runs without fixes experiments: no section
    expect(fixesSection([fakeResults([fakeExperiment({ name: 'correlated', sets: [2, 2], W: STUDY_W, saes: [{ decoder: TRUE }] })])])).toBe('');
  });

  it("fixes.svg draws each fix's latent shares with their intervals", () => {
    const runs = [run(0), run(1)];
    const rows = fixRows(runs);
    // relu: half the SAEs true (4 of 4 latents on true directions), half composed
    const sh = fixLatentShares(rows[0]);
    expect(sh.trueLatents.value).toBeCloseTo(0.5, 12);
    expect(sh.composedLatents.value).toBeCloseTo(0.5, 12);
    const svg = fixesFigure(rows, nodeDocument());
    expect(svg.startsWith('<svg')).toBe(true);
    for (const t of ['relu', 'topk2', 'correlated', 'pooled over 2 seed(s)']) expect(svg).toContain(t);
  });
});
